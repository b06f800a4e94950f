# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""End to end on a tiny DIOR-R-format dataset through the real tools: a tiny Oriented R-CNN (ResNet-18) of the
DIOR-R config trained by tools/train.py learns (the loss falls, none is NaN, the mAP on its training images
rises above the untrained model's) and tools/test.py dumps its rotated boxes and paints them."""
import json
import math
import pickle
from pathlib import Path

import cv2
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from gersp_mm.utils import enable_tta, host_of
from tests.det.dior_helpers import dior_r_xml, write_dior
from tests.helpers import AERIAL_JPEG, ROOT, run_python

CONFIG = ROOT / 'configs' / 'det' / 'oriented-rcnn-le90_r50-random_fpn_1x_dior-r.py'
REAL_00001 = ROOT / 'tests' / 'data' / 'det' / 'dior_r' / 'Annotations' / 'Oriented Bounding Boxes' / '00001.xml'
SIZE = 128
ITERS = 24
# BGR colours of the drawn objects: ships are long yellow bars, storage tanks grey squares
SHAPES = {'ship': ((44, 14), (40, 200, 240)), 'storagetank': ((24, 24), (230, 230, 230))}

TINY = '''
_base_ = {config!r}
model = dict(
    backbone=dict(depth=18, init_cfg=None),
    neck=dict(in_channels=[64, 128, 256, 512], out_channels=32),
    rpn_head=dict(in_channels=32, feat_channels=32),
    roi_head=dict(bbox_roi_extractor=dict(out_channels=32), bbox_head=dict(in_channels=32, fc_out_channels=64)),
    train_cfg=dict(rpn_proposal=dict(nms_pre=200, max_per_img=100), rcnn=dict(sampler=dict(num=64))),
    test_cfg=dict(rpn=dict(nms_pre=200, max_per_img=100), rcnn=dict(max_per_img=100)))
_resize = dict(type='mmdet.Resize', scale=({size}, {size}), keep_ratio=True)
_load = [dict(type='mmdet.LoadAnnotations', with_bbox=True, box_type='qbox'),
         dict(type='ConvertBoxType', box_type_mapping=dict(gt_bboxes='rbox'))]
train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False, dataset=dict(
    data_root={root!r},
    pipeline=[dict(type='mmdet.LoadImageFromFile'), *_load, _resize, dict(type='mmdet.PackDetInputs')]))
# evaluated on the training images
val_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False, dataset=dict(
    data_root={root!r}, split='trainval',
    pipeline=[dict(type='mmdet.LoadImageFromFile'), _resize, *_load, dict(
        type='mmdet.PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor'))]))
test_dataloader = val_dataloader
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters={iters}, val_interval={iters} + 1)
param_scheduler = [dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=5)]
optim_wrapper = dict(optimizer=dict(lr=0.02))
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval={iters}, by_epoch=False))
log_processor = dict(by_epoch=False, window_size=1)
randomness = dict(seed=0)
'''


def tiny_dior_r(root: Path) -> Path:
    """Four images in the DIOR-R layout: the real 00001 (800x800 golf field, its real XML) and three 128x128
    images with rotated ships and storage tanks; train 00001-00002, val 00003-00004."""
    rng = np.random.default_rng(0)
    images, xmls = {}, {'00001': REAL_00001.read_bytes()}
    for k, img_id in enumerate(('00002', '00003', '00004')):
        image = rng.integers(40, 80, (SIZE, SIZE, 3)).astype(np.uint8)
        objects = []
        for j in range(3):
            name = ('ship', 'storagetank')[(k + j) % 2]
            (width, height), colour = SHAPES[name]
            angle = (-30, 20, 45)[(k + j) % 3]
            corners = cv2.boxPoints(((24 + 40 * j, 30 + 30 * ((k + j) % 3)), (width, height), angle))
            cv2.fillPoly(image, [corners.astype(np.int32)], colour)
            objects.append((name, corners.reshape(-1).round(1).tolist(), angle))
        images[img_id], xmls[img_id] = image, dior_r_xml(img_id, objects, SIZE, SIZE)
    write_dior(root, xmls, dict(train=['00001', '00002'], val=['00003', '00004'], test=[]), layout='oriented')
    for img_id, image in images.items():
        cv2.imwrite(str(root / 'JPEGImages-trainval' / f'{img_id}.jpg'), image)
    (root / 'JPEGImages-trainval' / '00001.jpg').write_bytes(AERIAL_JPEG.read_bytes())
    return root


def untrained_map(config: Path, work_dir: Path) -> float:
    """The DOTA mAP of the config's model with its seed-0 initial weights (no checkpoint), in this process."""
    cfg = Config.fromfile(str(config))
    cfg.work_dir = str(work_dir)
    return Runner.from_cfg(cfg).test()['dota/mAP']


@pytest.mark.slow
def test_tiny_oriented_rcnn_learns_and_the_tools_dump_and_paint_rotated_boxes(tmp_path):
    root = tiny_dior_r(tmp_path / 'DIOR')
    config = tmp_path / 'tiny_oriented_rcnn.py'
    config.write_text(TINY.format(config=str(CONFIG), root=str(root), size=SIZE, iters=ITERS))
    before = untrained_map(config, tmp_path / 'untrained')

    run_python(ROOT / 'tools' / 'train.py', config, '--work-dir', 'work', cwd=tmp_path, OMP_NUM_THREADS='1')
    scalars = next((tmp_path / 'work').glob('*/vis_data/scalars.json')).read_text().splitlines()
    losses = [record['loss'] for record in map(json.loads, scalars) if 'loss' in record]
    assert len(losses) == ITERS and all(math.isfinite(loss) for loss in losses)
    assert np.mean(losses[-5:]) < 0.8 * np.mean(losses[:5])

    checkpoint = tmp_path / 'work' / f'iter_{ITERS}.pth'
    run_python(ROOT / 'tools' / 'test.py', config, checkpoint, '--work-dir', 'test', '--out', 'dets.pkl',
               '--show-dir', 'painted', cwd=tmp_path, OMP_NUM_THREADS='1')
    after = json.loads(next((tmp_path / 'test').glob('*/*.json')).read_text())['dota/mAP']
    assert after > before + 0.1, (before, after)

    # mmrotate's test.py format: one dict per image, rotated boxes (cx, cy, w, h, angle) in original pixels
    with open(tmp_path / 'dets.pkl', 'rb') as file:
        results = pickle.load(file)
    assert sorted(Path(result['img_path']).name for result in results) == [f'0000{i}.jpg' for i in range(1, 5)]
    for result in results:
        boxes = result['pred_instances']['bboxes']
        assert boxes.shape[1] == 5 and len(boxes) == len(result['pred_instances']['scores'])
    # painted under WORK_DIR/<timestamp>/SHOW_DIR: ground truth | prediction, at the original size
    painted = {path.name: cv2.imread(str(path)).shape for path in (tmp_path / 'test').glob('*/painted/*.jpg')}
    assert painted == {'00001.jpg': (800, 1600, 3), **{f'0000{i}.jpg': (SIZE, 2 * SIZE, 3) for i in (2, 3, 4)}}


def test_test_time_augmentation_is_refused_for_oriented_configs():
    """mmrotate's test.py has no --tta: mmdet's merge of flipped boxes would treat rotated boxes as horizontal."""
    cfg = Config.fromfile(str(CONFIG))
    assert host_of(cfg, str(CONFIG)) == 'mmrotate'
    with pytest.raises(ValueError, match='^--tta is not available for oriented-box'):
        enable_tta(cfg, 'mmrotate')
