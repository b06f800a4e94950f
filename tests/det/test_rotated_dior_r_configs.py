# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The DIOR-R oriented-box configs of configs/det: mmrotate's own configs with the DIOR-R dataset, the backbone
init and this package's runtime as the only differences, built and initialised from a GeRSP checkpoint."""
import os.path as osp
from pathlib import Path

import mmrotate
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmrotate.registry import MODELS

from tests.config_helpers import assert_only_the_init_differs, load_config, read_config

CONFIG_DIR = Path(__file__).parents[2] / 'configs' / 'det'
MMROTATE_CONFIGS = Path(osp.dirname(mmrotate.__file__)) / '.mim' / 'configs'
# our detector -> (mmrotate's config it inherits, its class)
DETECTORS = {
    'oriented-rcnn-le90': ('oriented_rcnn/oriented-rcnn-le90_r50_fpn_1x_dota.py', 'FasterRCNN'),
    'rotated-retinanet-rbox-le90': ('rotated_retinanet/rotated-retinanet-rbox-le90_r50_fpn_1x_dior.py', 'RetinaNet'),
}
INITS = ('gersp', 'in1k', 'random')
# the backbone of every detection config of this package, HBB ones included (frozen stem and stage 1, BN eval)
STOCK_BACKBONE = dict(type='mmdet.ResNet', depth=50, num_stages=4, out_indices=(0, 1, 2, 3), frozen_stages=1,
                      norm_cfg=dict(type='BN', requires_grad=True), norm_eval=True, style='pytorch')


def name_of(detector: str, init: str) -> str:
    return f'{detector}_r50-{init}_fpn_1x_dior-r.py'


def ours(detector: str, init: str = 'gersp') -> Config:
    return read_config(str(CONFIG_DIR / name_of(detector, init)))


def mmrotates(detector: str) -> Config:
    return read_config(str(MMROTATE_CONFIGS / DETECTORS[detector][0]))


def plain(value):
    """A config value as plain dicts and lists, without the ``_scope_`` tags of inherited dicts."""
    if hasattr(value, 'to_dict'):
        value = value.to_dict()
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items() if key != '_scope_'}
    if isinstance(value, (list, tuple)):
        return type(value)(plain(item) for item in value)
    return value


def test_the_dior_r_config_set_is_complete():
    expected = {name_of(detector, init) for detector in DETECTORS for init in INITS}
    assert {path.name for path in CONFIG_DIR.glob('*_dior-r.py')} == expected


@pytest.mark.parametrize('detector', DETECTORS)
def test_initialisations_differ_only_in_the_backbone_init(detector):
    reference = assert_only_the_init_differs(*(ours(detector, init) for init in INITS))
    assert ours(detector, 'random').model.backbone.init_cfg is None
    assert plain(reference['model']['backbone']) == STOCK_BACKBONE


@pytest.mark.parametrize('detector', DETECTORS)
def test_mmrotates_config_with_only_the_dataset_init_and_runtime_changed(detector):
    cfg, base = ours(detector), mmrotates(detector)
    model, their_model = plain(cfg.model), plain(base.model)
    model['backbone'].pop('init_cfg'), their_model['backbone'].pop('init_cfg')
    if detector == 'oriented-rcnn-le90':  # mmrotate's DOTA model: 15 classes
        assert their_model['roi_head']['bbox_head'].pop('num_classes') == 15
        assert model['roi_head']['bbox_head'].pop('num_classes') == 20
    else:  # mmrotate's own DIOR-R config
        assert model['bbox_head']['num_classes'] == 20
    assert model == their_model
    for key in ('default_scope', 'optim_wrapper', 'param_scheduler', 'train_cfg', 'val_cfg', 'test_cfg',
                'val_evaluator', 'test_evaluator', 'env_cfg', 'log_processor', 'angle_version'):
        assert plain(cfg[key]) == plain(base[key]), key
    assert cfg.default_scope == 'mmrotate' and plain(cfg.val_evaluator) == dict(type='DOTAMetric', metric='mAP')
    hooks, their_hooks = plain(cfg.default_hooks), plain(base.default_hooks)
    assert hooks.pop('checkpoint') == dict(type='AtomicCheckpointHook', interval=1, max_keep_ckpts=3)
    assert hooks.pop('non_finite_guard') == dict(type='NonFiniteGuardHook')
    their_hooks.pop('checkpoint')
    assert hooks == their_hooks
    assert cfg.visualizer == dict(type='PerRunRotLocalVisualizer', vis_backends=[dict(type='LocalVisBackend')])
    assert cfg.custom_imports.imports[:2] == ['gersp_mm', 'gersp_mm.det.rotated']


@pytest.mark.parametrize('detector', DETECTORS)
def test_the_data_is_mmrotates_dior_r_setting_with_the_dior_r_dataset(detector):
    """Loaders and pipelines of mmrotate's ``_base_/datasets/dior.py``; trainval / test of DIORRDataset."""
    cfg = ours(detector)
    dior = read_config(str(MMROTATE_CONFIGS / '_base_' / 'datasets' / 'dior.py'))
    for split, their_pipeline in (('train', dior.train_pipeline), ('val', dior.val_pipeline),
                                  ('test', dior.val_pipeline)):
        loader, their_loader = plain(cfg[f'{split}_dataloader']), plain(dior[f'{split}_dataloader'])
        dataset = loader.pop('dataset')
        their_loader.pop('dataset')
        assert loader == their_loader, split
        assert dataset.pop('pipeline') == plain(their_pipeline), split
        expected = dict(type='DIORRDataset', data_root='data/DIOR/', split='trainval', filter_cfg=dict(
            filter_empty_gt=True)) if split == 'train' else dict(type='DIORRDataset', data_root='data/DIOR/',
                                                                 split='test', test_mode=True)
        assert dataset == expected, split


def test_gersp_config_builds_and_loads_the_backbone_of_a_pretraining_checkpoint(tmp_path):
    """Oriented R-CNN from the GeRSP config: gersp_mm's Pretrained (scope gersp_mm) inside mmrotate's scope
    loads ``backbone.*`` of a pre-training checkpoint; the Rotated RetinaNet config builds."""
    from mmpretrain.models import ResNet
    source = {key: value.clone().normal_() if value.is_floating_point() else value
              for key, value in ResNet(depth=50).state_dict().items()}
    state_dict = {f'backbone.{key}': value for key, value in source.items()}
    state_dict['neck.mlp.0.weight'] = torch.zeros(2, 2)
    torch.save(dict(state_dict=state_dict, meta=dict(epoch=100)), tmp_path / 'gersp.pth')
    cfg = load_config(str(CONFIG_DIR / name_of('oriented-rcnn-le90', 'gersp')))
    cfg.merge_from_dict({'model.backbone.init_cfg.checkpoint': str(tmp_path / 'gersp.pth')})
    init_default_scope('mmrotate')
    detector = MODELS.build(cfg.model)
    assert type(detector).__name__ == 'FasterRCNN' and type(detector.rpn_head).__name__ == 'OrientedRPNHead'
    detector.init_weights()
    loaded = detector.backbone.state_dict()
    for key in ('conv1.weight', 'layer1.0.bn1.running_var', 'layer4.2.conv3.weight'):
        torch.testing.assert_close(loaded[key], state_dict[f'backbone.{key}'])
    retinanet = load_config(str(CONFIG_DIR / name_of('rotated-retinanet-rbox-le90', 'gersp')))
    retinanet.model.backbone.init_cfg = None
    assert type(MODELS.build(retinanet.model).bbox_head).__name__ == 'RetinaHead'
