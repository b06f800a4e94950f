# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""ClassSubsetIoUMetric against a direct computation of per-class IoU and F1."""
import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope
from mmseg.datasets import PotsdamDataset
from mmseg.evaluation import IoUMetric
from mmseg.registry import METRICS

import gersp_mm.seg  # noqa: F401

CLASSES = PotsdamDataset.METAINFO['classes']
NO_CLUTTER = CLASSES[:5]


@pytest.fixture(autouse=True)
def mmseg_scope():
    """Build through mmseg's registries whatever default scope earlier tests left."""
    with DefaultScope.overwrite_default_scope('mmseg'):
        yield


def make_samples(num=3, size=16, seed=0):
    rng = np.random.default_rng(seed)
    samples = []
    for _ in range(num):
        gt = rng.integers(0, 6, (size, size))
        pred = np.where(rng.random((size, size)) < 0.6, gt, rng.integers(0, 6, (size, size)))
        gt[0, :4] = 255  # ignored pixels
        samples.append(dict(pred_sem_seg=dict(data=torch.from_numpy(pred)[None]),
                            gt_sem_seg=dict(data=torch.from_numpy(gt)[None])))
    return samples


def run(metric, samples):
    metric.dataset_meta = dict(classes=CLASSES)
    metric.process({}, samples)
    return metric.evaluate(len(samples))


def reference_scores(samples):
    gt = np.concatenate([s['gt_sem_seg']['data'].numpy().ravel() for s in samples])
    pred = np.concatenate([s['pred_sem_seg']['data'].numpy().ravel() for s in samples])
    keep = gt != 255
    gt, pred = gt[keep], pred[keep]
    iou, f1 = [], []
    for cls in range(len(CLASSES)):
        tp = np.sum((gt == cls) & (pred == cls))
        fp = np.sum((gt != cls) & (pred == cls))
        fn = np.sum((gt == cls) & (pred != cls))
        iou.append(tp / (tp + fp + fn))
        f1.append(2 * tp / (2 * tp + fp + fn))
    return np.array(iou), np.array(f1)


def test_subset_means_match_direct_computation():
    samples = make_samples()
    metric = METRICS.build(dict(type='ClassSubsetIoUMetric', iou_metrics=['mIoU', 'mFscore'],
                                class_subsets=dict(no_clutter=NO_CLUTTER)))
    results = run(metric, samples)
    iou, f1 = reference_scores(samples)
    assert results['mIoU'] == pytest.approx(np.mean(iou) * 100, abs=0.01)
    assert results['mFscore'] == pytest.approx(np.mean(f1) * 100, abs=0.01)
    assert results['mIoU_no_clutter'] == pytest.approx(np.mean(iou[:5]) * 100, abs=0.01)
    assert results['mFscore_no_clutter'] == pytest.approx(np.mean(f1[:5]) * 100, abs=0.01)
    assert {'mAcc_no_clutter', 'mPrecision_no_clutter', 'mRecall_no_clutter'} <= set(results)
    assert results['mIoU_no_clutter'] != results['mIoU']

    plain = run(IoUMetric(iou_metrics=['mIoU', 'mFscore']), samples)
    assert {key: results[key] for key in plain} == plain


def test_subset_skips_classes_absent_from_prediction_and_ground_truth():
    gt = torch.tensor([[0, 0, 1, 1]])
    samples = [dict(pred_sem_seg=dict(data=gt[None].clone()), gt_sem_seg=dict(data=gt[None]))]
    metric = METRICS.build(dict(type='ClassSubsetIoUMetric',
                                class_subsets=dict(pair=CLASSES[:2], absent=CLASSES[4:])))
    results = run(metric, samples)
    assert results['mIoU_pair'] == 100.0
    assert np.isnan(results['mIoU_absent'])


def test_unknown_class_is_named():
    metric = METRICS.build(dict(type='ClassSubsetIoUMetric', class_subsets=dict(no_clutter=('car', 'cars'))))
    with pytest.raises(ValueError, match=r"no_clutter.*'cars'"):
        run(metric, make_samples(num=1))


@pytest.mark.parametrize('subsets', [dict(), dict(bad=()), dict(bad='car'), dict(bad=('car', 'car')),
                                     {'no clutter': ('car', )}])
def test_bad_subsets_are_rejected(subsets):
    with pytest.raises(ValueError, match='ClassSubsetIoUMetric'):
        METRICS.build(dict(type='ClassSubsetIoUMetric', class_subsets=subsets))
