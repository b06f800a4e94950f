# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Every classification config loads, builds, and initialises the same ResNet-50 (defect D8)."""
import os.path as osp

import pytest
from mmpretrain.registry import MODELS

from tests.config_helpers import assert_only_the_init_differs, config_files, read_config
from tests.config_helpers import load_config as load
from tests.helpers import ROOT, assert_loaded_plain_resnet50, save_resnet50_checkpoints

CONFIG_DIR = osp.join(ROOT, 'configs', 'cls')
# the fine-tuning configs (the frozen linear-probe ones: tests/frozen_eval/test_linear_probe_configs.py)
MODEL_CONFIGS = [path for path in config_files('cls') if '-linear' not in osp.basename(path)]
GERSP_CONFIGS = [path for path in MODEL_CONFIGS if '-gersp' in osp.basename(path)]
VARIANTS = ('-gersp', '-in1k', '-random')
EXPECTED = {  # config -> (dataset type, classes, train list, test list, epochs)
    'resnet50-gersp_8xb32_nwpu45-10p.py': ('NWPURESISC45', 45, 'meta/train-10p_seed0.txt',
                                           'meta/test-10p_seed0.txt', 200),
    'resnet50-gersp_8xb32_nwpu45-20p.py': ('NWPURESISC45', 45, 'meta/train-20p_seed0.txt',
                                           'meta/test-20p_seed0.txt', 200),
    'resnet50-gersp_8xb32_eurosat-80p.py': ('EuroSAT', 10, 'meta/train-80p_seed0.txt',
                                            'meta/test-80p_seed0.txt', 100),
}


def config_id(path):
    return osp.relpath(path, CONFIG_DIR)


def test_config_inventory():
    assert sorted(map(osp.basename, GERSP_CONFIGS)) == sorted(EXPECTED)
    assert sorted(map(osp.basename, MODEL_CONFIGS)) == sorted(
        name.replace('-gersp', variant) for name in EXPECTED for variant in VARIANTS)


@pytest.mark.parametrize('path', GERSP_CONFIGS, ids=config_id)
def test_config_builds_without_weights(path):
    """(The ImageNet and random variants are these configs with another backbone init_cfg, which the build
    drops: test_variants_differ_only_in_init.)"""
    cfg = load(path)
    dataset_type, num_classes, train_list, test_list, epochs = EXPECTED[osp.basename(path)]
    assert cfg.default_scope == 'mmpretrain'
    assert cfg.custom_imports == dict(imports=['gersp_mm', 'gersp_mm.cls'], allow_failed_imports=False)
    assert cfg.train_dataloader.dataset.type == cfg.val_dataloader.dataset.type == dataset_type
    assert cfg.train_dataloader.dataset.ann_file == train_list
    assert cfg.val_dataloader.dataset.ann_file == cfg.test_dataloader.dataset.ann_file == test_list
    assert cfg.model.head.num_classes == cfg.data_preprocessor.num_classes == num_classes
    assert cfg.train_cfg.max_epochs == epochs and cfg.param_scheduler[-1].end == epochs
    assert cfg.val_evaluator.type == 'Accuracy' and 1 in cfg.val_evaluator.topk
    assert cfg.randomness.seed == 0

    cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'ImageClassifier'
    assert type(model.backbone).__name__ == 'ResNet' and model.backbone.depth == 50
    assert model.head.fc.out_features == num_classes


@pytest.mark.parametrize('path', GERSP_CONFIGS, ids=config_id)
def test_variants_differ_only_in_init(path):
    gersp, in1k, random = (read_config(path.replace('-gersp', variant)) for variant in VARIANTS)
    reference = assert_only_the_init_differs(gersp, in1k, random)
    assert all(init['type'] != 'Pretrained' for init in random.model.backbone.init_cfg)
    backbone = reference['model']['backbone']
    assert backbone['type'] == 'ResNet' and backbone['style'] == 'pytorch'
    assert backbone.get('frozen_stages', -1) == -1 and backbone.get('norm_eval', False) is False


@pytest.mark.parametrize('variant', ['-gersp', '-in1k'])
def test_plain_resnet50_loads_with_no_missing_keys(variant, tmp_path):
    state, files = save_resnet50_checkpoints(tmp_path)
    cfg = load(osp.join(CONFIG_DIR, 'nwpu45', f'resnet50{variant}_8xb32_nwpu45-20p.py'))
    cfg.model.backbone.init_cfg.checkpoint = files[variant]
    backbone = MODELS.build(cfg.model.backbone)
    backbone.init_weights()
    assert_loaded_plain_resnet50(backbone, state)
