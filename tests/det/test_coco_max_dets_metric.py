# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""CocoMaxDetsMetric: mmdet's CocoMetric numbers when images hold few objects, uncapped when they hold many."""
import numpy as np
import pytest
import torch
from mmdet.evaluation import CocoMetric

from gersp_mm.det import CocoMaxDetsMetric

CLASSES = ('ship', 'vehicle', 'harbor')


def crowded_image(img_id, num_ships, rng):
    """An 800x800 image with ``num_ships`` disjoint ships and 5 vehicles, each predicted exactly."""
    num_objects = num_ships + 5
    cols = int(np.ceil(np.sqrt(num_objects)))
    boxes = [[(i % cols) * 30 + 2.0, (i // cols) * 30 + 2.0, (i % cols) * 30 + 22.0, (i // cols) * 30 + 17.0]
             for i in range(num_objects)]
    labels = [0] * num_ships + [1] * 5
    return sample(img_id, boxes, labels, boxes, labels, rng.uniform(0.5, 1.0, num_objects))


def sample(img_id, gt_boxes, gt_labels, pred_boxes, pred_labels, scores):
    return dict(img_id=img_id, ori_shape=(800, 800),
                instances=[dict(bbox=list(box), bbox_label=int(label), ignore_flag=0)
                           for box, label in zip(gt_boxes, gt_labels)],
                pred_instances=dict(bboxes=torch.tensor(np.asarray(pred_boxes, dtype=np.float32)).reshape(-1, 4),
                                    labels=torch.tensor(np.asarray(pred_labels, dtype=np.int64)),
                                    scores=torch.tensor(np.asarray(scores, dtype=np.float32))))


def evaluate(metric, samples):
    metric.dataset_meta = dict(classes=CLASSES)
    metric.process({}, samples)
    return metric.evaluate(len(samples))


def test_an_image_with_more_than_100_objects_of_a_class_is_perfect_only_without_the_cap():
    """150 ships, all detected exactly: AP 1.0 over 600 detections; pycocotools' headline AP, as mmdet's
    CocoMetric reports it, sees only the 100 best of each class in an image (ship recall 100/150: the mean
    over the two classes is about (0.66 + 1) / 2)."""
    samples = [crowded_image(1, 150, np.random.default_rng(0))]
    ours = evaluate(CocoMaxDetsMetric(max_dets=600), samples)
    assert ours['coco/bbox_mAP'] == 1.0 and ours['coco/bbox_mAP_50'] == 1.0 and ours['coco/bbox_mAP_75'] == 1.0
    capped = evaluate(CocoMetric(metric='bbox'), samples)
    assert capped['coco/bbox_mAP'] < 0.85
    assert evaluate(CocoMaxDetsMetric(max_dets=100), samples)['coco/bbox_mAP'] == capped['coco/bbox_mAP']


def test_with_few_objects_per_image_it_equals_mmdets_coco_metric():
    rng = np.random.default_rng(1)
    samples = []
    for img_id in range(6):
        count = int(rng.integers(1, 30))
        gt = rng.uniform(0, 700, (count, 2))
        gt_boxes = np.concatenate([gt, gt + rng.uniform(4, 150, (count, 2))], axis=1)  # small to large areas
        gt_labels = rng.integers(0, 3, count)
        noisy = gt_boxes + rng.normal(0, 3, gt_boxes.shape)
        extra = np.concatenate([gt[:3] + 40, gt[:3] + 70], axis=1)  # false positives
        pred_boxes = np.concatenate([noisy, extra])
        pred_labels = np.concatenate([np.where(rng.uniform(size=count) < 0.8, gt_labels, (gt_labels + 1) % 3),
                                      rng.integers(0, 3, len(extra))])
        samples.append(sample(img_id, gt_boxes, gt_labels, pred_boxes, pred_labels, rng.uniform(0, 1, len(pred_boxes))))
    ours = evaluate(CocoMaxDetsMetric(max_dets=600), samples)
    theirs = evaluate(CocoMetric(metric='bbox'), samples)
    assert ours == theirs
    assert 0.2 < ours['coco/bbox_mAP'] < 0.95


@pytest.mark.parametrize('kwargs, message', [(dict(metric='segm'), 'boxes only'),
                                             (dict(proposal_nums=(1, 2, 3)), "'proposal_nums' is not supported"),
                                             (dict(max_dets=0), 'positive int')])
def test_wrong_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        CocoMaxDetsMetric(**kwargs)
