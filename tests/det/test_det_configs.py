# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Every config under configs/det: loads, builds, follows the paper's protocol, and varies only the init."""
import os.path as osp
from pathlib import Path

import mmdet
import pytest
import torch
from mmdet.registry import MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope

from tests.config_helpers import assert_only_the_init_differs, load_config, read_config

CONFIG_DIR = Path(__file__).parents[2] / 'configs' / 'det'
# the horizontal-box configs (the oriented-box ones, on mmrotate, are tested in test_rotated_*_configs.py)
ROTATED = ('oriented-rcnn', 'rotated-retinanet')
CONFIGS = sorted(path.name for path in CONFIG_DIR.glob('*.py') if not path.name.startswith(ROTATED))
DETECTORS = {'faster-rcnn': 'FasterRCNN', 'retinanet': 'RetinaNet', 'atss': 'ATSS'}
INITS = ('gersp', 'in1k', 'random')
DATASETS = {'dior': ('DIORDataset', 20, 'data/DIOR/'), 'dota': ('DOTAHBBDataset', 15, 'data/DOTA/split_800_640/')}
STOCK_BACKBONE = dict(type='ResNet', depth=50, num_stages=4, out_indices=(0, 1, 2, 3), frozen_stages=1,
                      norm_cfg=dict(type='BN', requires_grad=True), norm_eval=True, style='pytorch')


def load(name: str) -> Config:
    """A copy of the config of configs/det of that name (each file is parsed once per session)."""
    return load_config(str(CONFIG_DIR / name))


def name_of(detector: str, init: str, dataset: str) -> str:
    neck = 'fpn_dyhead' if detector == 'atss' else 'fpn'
    return f'{detector}_r50-{init}_{neck}_2x_{dataset}.py'


def detection_test_cfg(cfg: Config) -> dict:
    return cfg.model.test_cfg.rcnn if cfg.model.type == 'FasterRCNN' else cfg.model.test_cfg


def num_classes(cfg: Config) -> int:
    head = cfg.model.roi_head.bbox_head if cfg.model.type == 'FasterRCNN' else cfg.model.bbox_head
    return head.num_classes


def test_the_config_set_is_complete():
    expected = {name_of(d, i, s) for d in DETECTORS for i in INITS for s in DATASETS}
    assert set(CONFIGS) == expected


@pytest.mark.parametrize('name', [name for name in CONFIGS if '-gersp_' in name])
def test_config_loads_and_builds(name):
    """(The ImageNet and random variants are these configs with another backbone init_cfg, which the build
    drops: test_initialisations_differ_only_in_the_backbone_init.)"""
    cfg = load(name)
    assert cfg.custom_imports == dict(imports=['gersp_mm', 'gersp_mm.det'], allow_failed_imports=False)
    assert cfg.default_scope == 'mmdet'
    # one visualizer per run (mmdet's fixed name would share the first one), buildable without a name
    assert cfg.visualizer == dict(type='PerRunDetLocalVisualizer', vis_backends=[dict(type='LocalVisBackend')])
    cfg.model.backbone.init_cfg = None
    init_default_scope('mmdet')
    detector = MODELS.build(cfg.model)
    assert type(detector).__name__ == DETECTORS[name.split('_')[0]]


@pytest.mark.parametrize('name', CONFIGS)
def test_protocol(name):
    cfg = load(name)
    dataset_type, classes, data_root = DATASETS[name[:-3].rsplit('_', 1)[1]]
    assert num_classes(cfg) == classes
    test_cfg = detection_test_cfg(cfg)
    assert (test_cfg.nms.iou_threshold, test_cfg.max_per_img, test_cfg.score_thr) == (0.3, 600, 0.05)
    assert cfg.data_root == data_root
    for loader in (cfg.train_dataloader, cfg.val_dataloader, cfg.test_dataloader):
        assert loader.dataset.type == dataset_type and loader.dataset.data_root == data_root
    if dataset_type == 'DIORDataset':
        assert (cfg.train_dataloader.dataset.split, cfg.val_dataloader.dataset.split) == ('trainval', 'test')
    assert cfg.train_dataloader.batch_size == 4 and cfg.auto_scale_lr.base_batch_size == 4
    resize, flip = cfg.train_pipeline[2], cfg.train_pipeline[3]
    assert (resize.type, resize.scale, resize.keep_ratio) == ('Resize', (800, 800), True)
    assert (flip.type, flip.prob) == ('RandomFlip', 0.5)
    assert cfg.test_pipeline[1].scale == (800, 800)
    assert cfg.optim_wrapper.optimizer == dict(type='SGD', lr=0.001, momentum=0.9, weight_decay=1e-4)
    assert cfg.optim_wrapper.clip_grad == dict(max_norm=35, norm_type=2)
    assert cfg.train_cfg.max_epochs == 24
    warmup, steps = cfg.param_scheduler
    assert (warmup.type, warmup.start_factor, warmup.by_epoch, warmup.end) == ('LinearLR', 1 / 3, False, 500)
    assert (steps.type, steps.milestones, steps.gamma, steps.end) == ('MultiStepLR', [16, 22], 0.1, 24)
    voc, coco = cfg.val_evaluator
    assert (voc.type, voc.eval_mode, voc.iou_thrs, voc.metric) == ('VOCMetric', 'area', 0.5, 'mAP')
    # COCO AP over every kept detection (mmdet's CocoMetric caps bbox_mAP at 100 per image and class)
    assert (coco.type, coco.max_dets, coco.get('ann_file')) == ('CocoMaxDetsMetric', test_cfg.max_per_img, None)
    assert cfg.test_evaluator == cfg.val_evaluator
    assert 'instances' in cfg.test_pipeline[-1].meta_keys


@pytest.mark.parametrize('detector', DETECTORS)
@pytest.mark.parametrize('dataset', DATASETS)
def test_initialisations_differ_only_in_the_backbone_init(detector, dataset):
    """Defect D8: GeRSP, ImageNet and random init share the same stock ResNet-50 and freezing."""
    gersp, in1k, random = (read_config(str(CONFIG_DIR / name_of(detector, init, dataset))) for init in INITS)
    reference = assert_only_the_init_differs(gersp, in1k, random)
    assert random.model.backbone.init_cfg is None
    assert reference['model']['backbone'] == STOCK_BACKBONE


def test_dyhead_model_equals_mmdets_own_config():
    """The ATSS + DyHead model base rebuilds mmdet's dyhead/atss_r50_fpn_dyhead_1x_coco.py model."""
    ours = Config.fromfile(str(CONFIG_DIR / '_base_' / 'models' / 'atss_r50-gersp_fpn_dyhead.py')).model.to_dict()
    mmdet_config = osp.join(osp.dirname(mmdet.__file__), '.mim', 'configs', 'dyhead', 'atss_r50_fpn_dyhead_1x_coco.py')
    theirs = Config.fromfile(mmdet_config).model.to_dict()
    for model in (ours, theirs):
        model.pop('_scope_', None)
        model['backbone'].pop('init_cfg')
        model.pop('test_cfg')
    assert ours == theirs
    assert len(theirs['neck']) == 2 and theirs['neck'][1] == dict(type='DyHead', in_channels=256, out_channels=256,
                                                                  num_blocks=6)


def test_gersp_init_loads_the_backbone_keys_of_a_pretraining_checkpoint(tmp_path):
    """A pre-training checkpoint (mmpretrain ResNet-50 student under `backbone.*`, next to a teacher copy and
    other modules) initialises the detector's backbone; the cfg-option path override reaches the init."""
    from mmpretrain.models import ResNet
    source = {key: value.clone().normal_() if value.is_floating_point() else value
              for key, value in ResNet(depth=50).state_dict().items()}
    state_dict = {f'backbone.{key}': value for key, value in source.items()}
    state_dict.update({f'teacher.module.0.{key}': torch.zeros_like(value) for key, value in source.items()})
    state_dict['neck.mlp.0.weight'] = torch.zeros(2, 2)
    torch.save(dict(state_dict=state_dict, meta=dict(epoch=100)), tmp_path / 'gersp.pth')

    cfg = load('retinanet_r50-gersp_fpn_2x_dior.py')
    cfg.merge_from_dict({'model.backbone.init_cfg.checkpoint': str(tmp_path / 'gersp.pth')})
    init_default_scope('mmdet')
    detector = MODELS.build(cfg.model)
    detector.init_weights()
    loaded = detector.backbone.state_dict()
    for key in ('conv1.weight', 'layer1.0.bn1.running_var', 'layer4.2.conv3.weight'):
        torch.testing.assert_close(loaded[key], state_dict[f'backbone.{key}'])
