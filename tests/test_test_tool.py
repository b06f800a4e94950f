# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""``tools/test.py`` with the flags of the host libraries' own test.py (``--out``, ``--show-dir``, ``--tta``)
on tiny versions of a detection, segmentation and classification config, and ``tools/slurm_test.sh``."""
import os
import pickle
import subprocess
from pathlib import Path

import numpy as np
import pytest
from mmengine.config import Config
from PIL import Image

from gersp_mm.utils import enable_tta, enable_visualization, host_of
from tests.helpers import ROOT, run_python
from tests.tiny_configs import random_checkpoint, tiny_cls_config, tiny_det_config, tiny_seg_config

TEST_TOOL = ROOT / 'tools' / 'test.py'


def run_on_tiny_config(make_config, tmp_path, *options) -> str:
    """``tools/test.py`` run in ``tmp_path`` on the tiny config with a checkpoint of its random model and
    ``--work-dir work``; its output."""
    config = make_config(tmp_path)
    checkpoint = random_checkpoint(config, tmp_path / 'model.pth')
    return run_python(TEST_TOOL, config, checkpoint, '--work-dir', 'work', *options, cwd=tmp_path, OMP_NUM_THREADS='1')


@pytest.mark.slow
def test_detection_predictions_painted_dumped_and_flip_tta(tmp_path):
    log = run_on_tiny_config(tiny_det_config, tmp_path, '--out', 'dets.pkl', '--show-dir', 'painted', '--tta')
    assert 'pascal_voc/mAP' in log
    # mmdet's offline format: one dict per test image, boxes in original image coordinates
    with open(tmp_path / 'dets.pkl', 'rb') as file:
        results = pickle.load(file)
    assert sorted(Path(result['img_path']).name for result in results) == ['11726.jpg', '11727.jpg']
    for result in results:
        boxes = result['pred_instances']['bboxes']
        assert boxes.shape[1] == 4 and len(boxes) == len(result['pred_instances']['scores']) > 0
        assert float(boxes.max()) <= 800
    # mmdet: painted images under WORK_DIR/<timestamp>/SHOW_DIR: ground truth | prediction, original size
    painted = sorted((tmp_path / 'work').glob('*/painted/*.jpg'))
    assert [path.name for path in painted] == ['11726.jpg', '11727.jpg']
    assert all(Image.open(path).size == (2 * 800, 800) for path in painted)


@pytest.mark.slow
def test_segmentation_prediction_maps_and_painted_images(tmp_path):
    log = run_on_tiny_config(tiny_seg_config, tmp_path, '--out', 'maps', '--show-dir', 'painted')
    assert 'mIoU' in log
    # mmseg: one PNG label map per test image, at the image's size, labels 1..6 (reduce_zero_label undone)
    test_images = sorted((tmp_path / 'potsdam' / 'img_dir' / 'val').glob('*.png'))
    maps = sorted((tmp_path / 'maps').glob('*.png'))
    assert [path.name for path in maps] == [path.name for path in test_images]
    for label_map, image in zip(maps, test_images):
        labels = np.array(Image.open(label_map))
        assert labels.shape == Image.open(image).size[::-1]
        assert set(np.unique(labels)) <= set(range(1, 7))
    # mmseg: painted images in SHOW_DIR/vis_data/vis_image
    assert len(list((tmp_path / 'painted' / 'vis_data' / 'vis_image').glob('*.png'))) == len(test_images)


def test_classification_predictions_painted_and_dumped(tmp_path):
    log = run_on_tiny_config(tiny_cls_config, tmp_path, '--out', 'preds.pkl', '--show-dir', 'painted')
    assert 'accuracy/top1' in log
    with open(tmp_path / 'preds.pkl', 'rb') as file:
        results = pickle.load(file)
    assert len(results) == 6  # the 6 NWPU images of tests/data
    for result in results:
        assert result['pred_score'].shape == (45,) and abs(float(result['pred_score'].sum()) - 1) < 1e-4
    # mmpretrain: painted images in SHOW_DIR
    assert len(list((tmp_path / 'painted').glob('*.png'))) == 6


def test_a_pretraining_config_is_refused_with_one_sentence():
    """(tests/test_mim.py sees the sentence end to end, through ``mim test``.)"""
    config = str(ROOT / 'configs/pretrain/gersp_r18_tiny.py')
    with pytest.raises(ValueError) as error:
        host_of(Config.fromfile(config), config)
    assert str(error.value) == (
        f'{config} has no test_dataloader, test_cfg, test_evaluator: only detection, segmentation and '
        'classification configs can be tested (a pre-training checkpoint is evaluated by fine-tuning a '
        'downstream config of configs/det, configs/seg or configs/cls)')


@pytest.mark.parametrize('config, host', [
    ('configs/det/faster-rcnn_r50-gersp_fpn_2x_dior.py', 'mmdet'),
    ('configs/seg/loveda/deeplabv3plus_r50-gersp-d8_4xb4-80k_loveda-512x512.py', 'mmseg'),
    ('configs/cls/eurosat/resnet50-gersp_8xb32_eurosat-80p.py', 'mmpretrain')])
def test_visualization_and_tta_settings_are_those_of_the_host_test_tools(config, host):
    """The settings mmdet's, mmseg's and mmpretrain's own tools/test.py make (read from their sources)."""
    cfg = Config.fromfile(str(ROOT / config))
    assert host_of(cfg, config) == host
    enable_visualization(cfg, host, show=True, show_dir='painted', wait_time=0.5)
    hook = cfg.default_hooks.visualization
    if host == 'mmdet':
        assert (hook.draw, hook.show, hook.wait_time, hook.test_out_dir) == (True, True, 0.5, 'painted')
    elif host == 'mmseg':
        assert (hook.draw, hook.show, hook.wait_time, cfg.visualizer.save_dir) == (True, True, 0.5, 'painted')
        assert hook.interval == 1  # mmseg's test.py keeps 50: a small test set would get no image
    else:
        assert (hook.enable, hook.show, hook.wait_time, hook.out_dir, hook.interval) == (True, True, 0.5, 'painted', 1)

    cfg = Config.fromfile(str(ROOT / config))
    model = cfg.model.copy()
    enable_tta(cfg, host)
    assert cfg.model.module == model
    pipeline = cfg.test_dataloader.dataset.pipeline
    if host == 'mmseg':  # the config's own (mmseg's bases)
        assert cfg.model.type == 'SegTTAModel' and pipeline == cfg.tta_pipeline
        return
    assert cfg.model.type == {'mmdet': 'DetTTAModel', 'mmpretrain': 'mmpretrain.AverageClsScoreTTA'}[host]
    if host == 'mmdet':  # merged as the detector merges its boxes (not mmdet's defaults: IoU 0.5, 100 boxes)
        assert cfg.model.tta_cfg == dict(nms=dict(type='nms', iou_threshold=0.3), max_per_img=600)
    assert pipeline[-1].type == 'TestTimeAug' and [t.prob for t in pipeline[-1].transforms[0]] == [1.0, 0.0]
    pack = pipeline[-1].transforms[1][0]  # the config's own
    if host == 'mmdet':  # with the ground truth that the COCO metric reads, and the flip the merge needs
        assert pack.type == 'PackDetInputs' and {'flip', 'flip_direction', 'instances'} <= set(pack.meta_keys)
    else:
        assert pack.type == 'PackInputs'


def test_classification_tta_with_painting_is_refused_with_one_sentence():
    """mmpretrain's visualization hook fails on test-time augmented batches (its own test.py crashes)."""
    cfg = Config.fromfile(str(ROOT / 'configs/cls/eurosat/resnet50-gersp_8xb32_eurosat-80p.py'))
    enable_visualization(cfg, 'mmpretrain', show=False, show_dir='painted', wait_time=2)
    with pytest.raises(ValueError, match="^mmpretrain's visualization hook cannot paint test-time augmented"):
        enable_tta(cfg, 'mmpretrain')


def test_slurm_test_script_runs_test_py_on_every_task(tmp_path):
    """A stand-in ``srun`` records its command line: one task per GPU, test.py with the slurm launcher."""
    (tmp_path / 'srun').write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$SRUN_LOG"\n')
    (tmp_path / 'srun').chmod(0o755)
    env = dict(os.environ, PATH=f'{tmp_path}:{os.environ["PATH"]}', SRUN_LOG=str(tmp_path / 'srun.log'), GPUS='16',
               SRUN_ARGS='--quotatype=auto')
    subprocess.run(['bash', str(ROOT / 'tools' / 'slurm_test.sh'), 'gpu', 'frcnn-test', 'a_config.py', 'a.pth',
                    '--out', 'dets.pkl'], env=env, check=True)
    assert (tmp_path / 'srun.log').read_text().splitlines() == [
        '-p', 'gpu', '--job-name=frcnn-test', '--gres=gpu:8', '--ntasks=16', '--ntasks-per-node=8',
        '--cpus-per-task=5', '--kill-on-bad-exit=1', '--quotatype=auto', 'python', '-u', str(TEST_TOOL),
        'a_config.py', 'a.pth', '--launcher', 'slurm', '--out', 'dets.pkl']
