# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Every segmentation config loads, builds, and initialises the plain ResNet-50 the same way (defect D8)."""
import glob
import os.path as osp

import pytest
import torch
from config_helpers import load_config as load
from config_helpers import read_config
from helpers import ROOT, random_resnet50_state_dict
from mmengine.config import Config
from mmseg.registry import MODELS

CONFIG_DIR = osp.join(ROOT, 'configs', 'seg')
CONFIGS = sorted(glob.glob(osp.join(CONFIG_DIR, '*', '*.py')))
MODEL_CONFIGS = [path for path in CONFIGS if osp.basename(osp.dirname(path)) != '_base_']
GERSP_CONFIGS = [path for path in MODEL_CONFIGS if '-gersp' in osp.basename(path)]
VARIANTS = ('-gersp', '-in1k', '-random')


def config_id(path):
    return osp.relpath(path, CONFIG_DIR)


@pytest.mark.parametrize('path', sorted(glob.glob(osp.join(CONFIG_DIR, '_base_', '**', '*.py'), recursive=True)),
                         ids=config_id)
def test_base_config_loads(path):
    assert Config.fromfile(path).to_dict()


def test_config_inventory():
    assert len(GERSP_CONFIGS) == 5
    names = {osp.basename(path) for path in MODEL_CONFIGS}
    for path in GERSP_CONFIGS:
        for variant in VARIANTS[1:]:
            assert osp.basename(path).replace('-gersp', variant) in names
    assert len(MODEL_CONFIGS) == 3 * len(GERSP_CONFIGS)


@pytest.mark.parametrize('path', MODEL_CONFIGS, ids=config_id)
def test_config_builds_without_weights(path):
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
    cfgs = {variant: read_config(path.replace('-gersp', variant)) for variant in VARIANTS}
    gersp = cfgs['-gersp']
    assert gersp.model.backbone.init_cfg == dict(type='Pretrained', checkpoint=gersp.gersp_checkpoint,
                                                 prefix='backbone.', _scope_='gersp_mm')
    assert gersp.gersp_checkpoint == 'checkpoints/gersp_r50_backbone.pth'
    assert cfgs['-in1k'].model.backbone.init_cfg == dict(type='Pretrained', checkpoint='torchvision://resnet50')
    assert cfgs['-random'].model.backbone.init_cfg is None
    reference = gersp.to_dict()
    reference['model']['backbone'].pop('init_cfg')
    for variant in VARIANTS[1:]:
        other = cfgs[variant].to_dict()
        other['model']['backbone'].pop('init_cfg')
        assert other == reference, f'{variant} differs from GeRSP beyond the backbone init'
    backbone = reference['model']['backbone']
    assert backbone.get('frozen_stages', -1) == -1
    assert backbone['norm_cfg'] == dict(type='SyncBN', requires_grad=True) and backbone['norm_eval'] is False


@pytest.fixture(scope='module')
def resnet50_checkpoints(tmp_path_factory):
    """A torchvision ResNet-50 with every tensor randomised, saved as a GeRSP-style and a torchvision file."""
    state = random_resnet50_state_dict()
    folder = tmp_path_factory.mktemp('resnet50')
    gersp_path, plain_path = str(folder / 'gersp.pth'), str(folder / 'plain.pth')
    torch.save({'state_dict': {f'backbone.{key}': value for key, value in state.items()}}, gersp_path)
    torch.save(state, plain_path)
    return state, {'-gersp': gersp_path, '-in1k': plain_path}


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

    loaded = backbone.state_dict()
    missing = set(loaded) - set(state)
    unexpected = set(state) - set(loaded)
    assert not missing, f'keys of the backbone not in a plain ResNet-50: {sorted(missing)}'
    assert unexpected == {'fc.weight', 'fc.bias'}
    for key, value in loaded.items():
        assert torch.equal(value, state[key]), f'{key} was not loaded from the checkpoint'


def test_mmseg_deep_stem_would_not_load_plain_resnet50(resnet50_checkpoints):
    """Control: mmseg's own ResNetV1c (deep stem) does not match a plain ResNet-50 state dict."""
    state, _ = resnet50_checkpoints
    cfg = load(GERSP_CONFIGS[0])
    cfg.model.backbone.update(type='ResNetV1c', init_cfg=None)
    keys = set(MODELS.build(cfg.model.backbone).state_dict())
    assert any(key.startswith('stem.') for key in keys - set(state))
    assert 'conv1.weight' in set(state) - keys
