# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""End to end on real DOTA-v1.0 image content: the OBB converter (tools/dataset_converters/prepare_dota.py)
cuts the real crop of tests/data/det/dota/mini into patches, a tiny Oriented R-CNN (ResNet-18) of configs/det
trains on them with tools/train.py and learns; tools/test.py evaluates it and writes the DOTA server's Task1
files for the unlabelled split; the dataset check (tools/analysis_tools/check_dataset.py) reads the config."""
import math
import re
import shutil

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from gersp_mm.analysis import check_config
from tests.helpers import ROOT, run_python

MINI = ROOT / 'tests' / 'data' / 'det' / 'dota' / 'mini'
CONFIG = ROOT / 'configs' / 'det' / 'oriented-rcnn-le90_r50-gersp_fpn_1x_dota.py'
EPOCHS = 8  # of 2 iterations: 4 patches, 2 per batch
# Inherits the real config; shrinks the detector (ResNet-18, 160 px, few proposals and RoI samples) and evaluates
# on the training patches. No flip: the run shows that the config's model and data path learn, quickly.
TINY_CONFIG = '''
_base_ = {base!r}
_proposals = dict(nms_pre=200, max_per_img=100, nms=dict(type='nms', iou_threshold=0.8), min_bbox_size=0)
model = dict(
    backbone=dict(depth=18, init_cfg=None), neck=dict(in_channels=[64, 128, 256, 512]),
    train_cfg=dict(rpn=dict(sampler=dict(num=64)), rpn_proposal=_proposals, rcnn=dict(sampler=dict(num=64))),
    test_cfg=dict(rpn=_proposals, rcnn=dict(nms_pre=100, max_per_img=50)))
_train_pipeline = [
    dict(type='mmdet.LoadImageFromFile'), dict(type='mmdet.LoadAnnotations', with_bbox=True, box_type='qbox'),
    dict(type='ConvertBoxType', box_type_mapping=dict(gt_bboxes='rbox')),
    dict(type='mmdet.Resize', scale=(160, 160), keep_ratio=True), dict(type='mmdet.PackDetInputs')]
_test_pipeline = [
    dict(type='mmdet.LoadImageFromFile'), dict(type='mmdet.Resize', scale=(160, 160), keep_ratio=True),
    dict(type='mmdet.LoadAnnotations', with_bbox=True, box_type='qbox'),
    dict(type='ConvertBoxType', box_type_mapping=dict(gt_bboxes='rbox')),
    dict(type='mmdet.PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor'))]
_loader = dict(batch_size=2, num_workers=0, persistent_workers=False)
train_dataloader = dict(_loader, dataset=dict(data_root={root!r}, pipeline=_train_pipeline))
val_dataloader = dict(_loader, dataset=dict(data_root={root!r}, ann_file='train/annfiles/',
                                            data_prefix=dict(img_path='train/images/'), pipeline=_test_pipeline))
test_dataloader = val_dataloader
optim_wrapper = dict(optimizer=dict(lr=0.02))
param_scheduler = []
train_cfg = dict(max_epochs={epochs}, val_interval={epochs})
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval={epochs}))
randomness = dict(seed=0)
'''


def logged(log: str, key: str):
    return [float(value) for value in re.findall(rf'\b{re.escape(key)}: ([-0-9.naif]+)', log)]


@pytest.mark.slow
def test_a_tiny_oriented_rcnn_learns_on_real_dota_patches_and_writes_the_server_format(tmp_path):
    """Ten real planes (three reaching past the 256x256 crop) in four 160x160 patches at stride 96. Training
    lowers the loss without a NaN and lifts the mAP on the training patches above the untrained model's; the
    test split's patch detections merge into Task1 files named after the full image."""
    source = tmp_path / 'DOTA'
    shutil.copytree(MINI, source / 'train')
    (source / 'test' / 'images').mkdir(parents=True)
    shutil.copy(MINI / 'images' / 'P0168-crop.png', source / 'test' / 'images')
    root = tmp_path / 'split'
    out = run_python('tools/dataset_converters/prepare_dota.py', source, root, '--box-type', 'obb', '--splits',
                     'train', '--unlabeled-splits', 'test', '--patch-size', 160, '--stride', 96)
    assert 'train: 10 objects in 1 images -> 4 patches, 18 patch objects; 3 polygons beyond the image' in out
    assert 'test: 0 objects in 1 images -> 4 patches' in out
    config = tmp_path / 'oriented-rcnn_tiny_dota.py'
    config.write_text(TINY_CONFIG.format(base=str(CONFIG), root=str(root) + '/', epochs=EPOCHS))

    reports = check_config(str(config), echo=lambda *args: None)  # tools/analysis_tools/check_dataset.py
    assert all(report.ok for report in reports) and reports[0].dataset_type == 'DOTAOBBDataset'
    assert {name: count for name, count in reports[0].per_class.items() if count} == dict(plane=18)

    cfg = Config.fromfile(str(config))
    init_default_scope('mmrotate')
    from mmrotate.registry import MODELS
    torch.manual_seed(0)
    untrained = MODELS.build(cfg.model)
    untrained.init_weights()
    torch.save(dict(state_dict=untrained.state_dict(), meta=dict()), tmp_path / 'untrained.pth')
    cfg.update(work_dir=str(tmp_path / 'test0'), load_from=str(tmp_path / 'untrained.pth'))
    untrained_map = Runner.from_cfg(cfg).test()['dota/mAP']

    log = run_python('tools/train.py', config, '--work-dir', tmp_path / 'work')
    losses = logged(log, 'loss')
    assert len(losses) == 2 * EPOCHS and all(math.isfinite(loss) for loss in losses)
    assert np.mean(losses[-4:]) < 0.8 * np.mean(losses[:4]), losses
    trained_map, = logged(log, 'dota/mAP')
    assert trained_map > untrained_map + 0.02, (untrained_map, trained_map)  # 0.0 and ~0.2 on CPU

    submission = tmp_path / 'submission' / 'Task1'
    out = run_python('tools/test.py', config, tmp_path / 'work' / f'epoch_{EPOCHS}.pth', '--work-dir',
                     tmp_path / 'test1', '--cfg-options', 'test_dataloader.dataset.ann_file=',
                     'test_dataloader.dataset.data_prefix.img_path=test/images/', 'test_evaluator.format_only=True',
                     'test_evaluator.merge_patches=True', f'test_evaluator.outfile_prefix={submission}')
    assert f'The submission file save at {submission}/Task1.zip' in out
    planes = [line.split() for line in (submission / 'Task1_plane.txt').read_text().splitlines()]
    assert planes and {fields[0] for fields in planes} == {'P0168-crop'}
    corners = np.array([[float(value) for value in fields[2:]] for fields in planes])
    # merged to the full 256x256 image: boxes beyond a patch's 160 px exist, none far outside the image
    assert corners.max() > 160 and corners.min() > -100 and corners.max() < 356
