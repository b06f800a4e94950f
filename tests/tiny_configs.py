# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Tiny versions of one detection, segmentation and classification config of this repository, for runs of
the command-line tools: a config file that inherits the real one and only shrinks it (ResNet-18, 64 px,
batch 1, no workers, no weights to download) on a few images in the real on-disk layout, and a checkpoint
of the model with random weights."""
from pathlib import Path

import torch
from mmengine.config import Config
from mmengine.registry import MODELS, init_default_scope

from tests.det.dior_helpers import real_dior_xmls, write_dior
from tests.helpers import ROOT
from tests.seg.potsdam_helpers import write_potsdam_layout

NWPU = ROOT / 'tests' / 'data' / 'cls' / 'nwpu'
DET_IDS = dict(train=['00001'], val=['00002'], test=['11726', '11727'])

_LOADER = "dict(batch_size=1, num_workers=0, persistent_workers=False, dataset=dict(data_root={root!r}))"
_COMMON = '''
train_cfg = dict(max_epochs=1, val_interval=1)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1))
randomness = dict(seed=0)
'''


def det_config_text(base: str, model: str, data_root: str, batch_size: int = 1) -> str:
    """A config that inherits ``configs/det/<base>``, merges ``model`` (the text of a dict) into its model and
    reads the DIOR layout at ``data_root``, every image resized to fit 64 px, without workers."""
    return f'''
_base_ = {str(ROOT / 'configs' / 'det' / base)!r}
model = {model}
_loader = dict(batch_size={batch_size}, num_workers=0, persistent_workers=False,
               dataset=dict(data_root={str(data_root) + '/'!r}))
train_dataloader = dict(_loader, dataset=dict(_loader['dataset'], pipeline=[
    dict(type='LoadImageFromFile'), dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(64, 64), keep_ratio=True), dict(type='PackDetInputs')]))
val_dataloader = dict(_loader, dataset=dict(_loader['dataset'], pipeline=[
    dict(type='LoadImageFromFile'), dict(type='Resize', scale=(64, 64), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', 'instances'))]))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=1, val_interval=1)
'''


def tiny_det_config(tmp_path: Path) -> Path:
    """Faster R-CNN of configs/det on the real DIOR XMLs of tests/data (train 1, val 1, test 2 images)."""
    data_root = write_dior(tmp_path / 'DIOR', real_dior_xmls(sum(DET_IDS.values(), [])), DET_IDS,
                           image_size=(800, 800))
    config = tmp_path / 'faster-rcnn_tiny_dior.py'
    model = 'dict(backbone=dict(depth=18, init_cfg=None), neck=dict(in_channels=[64, 128, 256, 512]))'
    config.write_text(det_config_text('faster-rcnn_r50-gersp_fpn_2x_dior.py', model, data_root) + _COMMON)
    return config


def tiny_seg_config(tmp_path: Path) -> Path:
    """DeepLabV3+ of configs/seg on mmseg's Potsdam layout: the real crop of tests/data and a generated one."""
    data_root = tmp_path / 'potsdam'
    write_potsdam_layout(str(data_root))
    config = tmp_path / 'deeplabv3plus_tiny_potsdam.py'
    config.write_text(f'''
_base_ = {str(ROOT / 'configs/seg/potsdam/deeplabv3plus_r50-gersp-d8_4xb4-80k_potsdam-512x512.py')!r}
model = dict(data_preprocessor=dict(size=(64, 64)), backbone=dict(depth=18, init_cfg=None),
             decode_head=dict(in_channels=512, c1_in_channels=64), auxiliary_head=dict(in_channels=256))
_loader = {_LOADER.format(root=str(data_root))}
train_dataloader = dict(_loader, batch_size=2, dataset=dict(_loader['dataset'], pipeline=[  # BN of the image pool
    dict(type='LoadImageFromFile'), dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='RandomCrop', crop_size=(64, 64)), dict(type='PackSegInputs')]))
val_dataloader = dict(_loader, dataset=dict(_loader['dataset'], pipeline=[
    dict(type='LoadImageFromFile'), dict(type='Resize', scale=(64, 64), keep_ratio=True),
    dict(type='LoadAnnotations', reduce_zero_label=True), dict(type='PackSegInputs')]))
test_dataloader = val_dataloader
train_cfg = dict(max_iters=1, val_interval=1)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1))
randomness = dict(seed=0)
''')
    return config


def tiny_cls_config(tmp_path: Path) -> Path:
    """ResNet of configs/cls on the 6 real NWPU-RESISC45 images of tests/data (2 classes)."""
    config = tmp_path / 'resnet_tiny_nwpu.py'
    config.write_text(f'''
_base_ = {str(ROOT / 'configs/cls/nwpu45/resnet50-gersp_8xb32_nwpu45-20p.py')!r}
model = dict(backbone=dict(depth=18, init_cfg=None), head=dict(in_channels=512))
_loader = {_LOADER.format(root=str(NWPU))}
train_dataloader = dict(_loader, dataset=dict(_loader['dataset'], ann_file='', pipeline=[
    dict(type='LoadImageFromFile'), dict(type='RandomResizedCrop', scale=64), dict(type='PackInputs')]))
val_dataloader = dict(_loader, dataset=dict(_loader['dataset'], ann_file='', pipeline=[
    dict(type='LoadImageFromFile'), dict(type='Resize', scale=(64, 64)), dict(type='PackInputs')]))
test_dataloader = val_dataloader
{_COMMON}''')
    return config


def random_checkpoint(config: Path, out: Path) -> Path:
    """Save the config's model with its random initial weights (seed 0) as an mmengine checkpoint."""
    cfg = Config.fromfile(str(config))
    init_default_scope(cfg.default_scope)
    torch.manual_seed(0)
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict(), 'meta': {}}, out)
    return out
