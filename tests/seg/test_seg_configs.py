# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Every segmentation config loads, builds, and initialises the plain ResNet-50 the same way (defect D8)."""
import os.path as osp

import pytest
from mmseg.registry import MODELS

from tests.config_helpers import assert_only_the_init_differs, config_files, read_config
from tests.config_helpers import load_config as load
from tests.helpers import ROOT, assert_loaded_plain_resnet50, save_resnet50_checkpoints

CONFIG_DIR = osp.join(ROOT, 'configs', 'seg')
MODEL_CONFIGS = config_files('seg')
GERSP_CONFIGS = [path for path in MODEL_CONFIGS if '-gersp' in osp.basename(path)]
VARIANTS = ('-gersp', '-in1k', '-random')


def config_id(path):
    return osp.relpath(path, CONFIG_DIR)


def test_config_inventory():
    assert len(GERSP_CONFIGS) == 5
    names = {osp.basename(path) for path in MODEL_CONFIGS}
    for path in GERSP_CONFIGS:
        for variant in VARIANTS[1:]:
            assert osp.basename(path).replace('-gersp', variant) in names
    assert len(MODEL_CONFIGS) == 3 * len(GERSP_CONFIGS)


@pytest.mark.parametrize('path', GERSP_CONFIGS, ids=config_id)
def test_config_builds_without_weights(path):
    """(The ImageNet and random variants are these configs with another backbone init_cfg, which the build
    drops: test_variants_differ_only_in_init.)"""
    cfg = load(path)
    assert cfg.default_scope == 'mmseg'
    assert cfg.custom_imports == dict(imports=['gersp_mm', 'gersp_mm.seg'], allow_failed_imports=False)
    # one visualizer per run (mmseg's fixed name would share the first one), buildable without a name
    assert cfg.visualizer == dict(type='PerRunSegLocalVisualizer', vis_backends=[dict(type='LocalVisBackend')])
    assert cfg.model.get('pretrained') is None
    backbone = cfg.model.backbone
    assert backbone.type == 'ResNet' and backbone.depth == 50 and backbone.style == 'pytorch'
    assert not backbone.get('deep_stem', False)
    dataset = 'potsdam' if 'potsdam' in path else 'loveda'
    num_classes = 6 if dataset == 'potsdam' else 7
    assert cfg.model.decode_head.num_classes == num_classes
    assert cfg.model.auxiliary_head.num_classes == num_classes
    assert cfg.train_dataloader.dataset.type == ('PotsdamDataset' if dataset == 'potsdam' else 'LoveDADataset')
    assert cfg.train_cfg.max_iters == 80000
    if dataset == 'potsdam':
        assert cfg.val_evaluator.type == 'ClassSubsetIoUMetric'
        assert set(cfg.val_evaluator.iou_metrics) == {'mIoU', 'mFscore'}
        assert cfg.test_evaluator == cfg.val_evaluator
    else:
        assert cfg.val_evaluator.type == 'IoUMetric'

    cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'EncoderDecoder'
    assert type(model.backbone).__name__ == 'ResNet'
    assert model.backbone.conv1.kernel_size == (7, 7)


@pytest.mark.parametrize('path', GERSP_CONFIGS, ids=config_id)
def test_variants_differ_only_in_init(path):
    gersp, in1k, random = (read_config(path.replace('-gersp', variant)) for variant in VARIANTS)
    reference = assert_only_the_init_differs(gersp, in1k, random)
    assert random.model.backbone.init_cfg is None
    backbone = reference['model']['backbone']
    assert backbone.get('frozen_stages', -1) == -1
    assert backbone['norm_cfg'] == dict(type='SyncBN', requires_grad=True) and backbone['norm_eval'] is False


@pytest.fixture(scope='module')
def resnet50_checkpoints(tmp_path_factory):
    """A torchvision ResNet-50 with every tensor randomised, saved as a GeRSP-style and a torchvision file."""
    return save_resnet50_checkpoints(tmp_path_factory.mktemp('resnet50'))


# the dilated (D8) and the plain-stride backbone, both init paths; and the LoveDA family
PLAIN_STEM_CASES = [
    (osp.join(CONFIG_DIR, 'potsdam', 'deeplabv3plus_r50-gersp-d8_4xb4-80k_potsdam-512x512.py'), '-gersp'),
    (osp.join(CONFIG_DIR, 'potsdam', 'deeplabv3plus_r50-gersp-d8_4xb4-80k_potsdam-512x512.py'), '-in1k'),
    (osp.join(CONFIG_DIR, 'potsdam', 'upernet_r50-gersp_4xb4-80k_potsdam-512x512.py'), '-gersp'),
    (osp.join(CONFIG_DIR, 'loveda', 'psanet_r50-gersp-d8_4xb4-80k_loveda-512x512.py'), '-in1k'),
]


@pytest.mark.parametrize('path,variant', PLAIN_STEM_CASES,
                         ids=[f'{config_id(p)}{v}' for p, v in PLAIN_STEM_CASES])
def test_plain_resnet50_loads_with_no_missing_keys(path, variant, resnet50_checkpoints):
    state, files = resnet50_checkpoints
    cfg = load(path.replace('-gersp', variant))
    cfg.model.backbone.init_cfg.checkpoint = files[variant]
    backbone = MODELS.build(cfg.model.backbone)
    backbone.init_weights()
    assert_loaded_plain_resnet50(backbone, state)


def test_mmseg_deep_stem_would_not_load_plain_resnet50(resnet50_checkpoints):
    """Control: mmseg's own ResNetV1c (deep stem) does not match a plain ResNet-50 state dict."""
    state, _ = resnet50_checkpoints
    cfg = load(GERSP_CONFIGS[0])
    cfg.model.backbone.update(type='ResNetV1c', init_cfg=None)
    keys = set(MODELS.build(cfg.model.backbone).state_dict())
    assert any(key.startswith('stem.') for key in keys - set(state))
    assert 'conv1.weight' in set(state) - keys
