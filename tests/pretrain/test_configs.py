# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The pre-training configs load, build, and hold the paper recipe."""
import os

import pytest
from mmengine.config import Config
from mmpretrain.registry import MODELS

from tests.helpers import ROOT

CONFIGS = sorted(p.name for p in (ROOT / 'configs' / 'pretrain').glob('*.py'))


def load(name):
    return Config.fromfile(str(ROOT / 'configs' / 'pretrain' / name))


@pytest.mark.parametrize('name', CONFIGS)
def test_config_loads_and_builds(name):
    cfg = load(name)
    assert cfg.default_scope == 'mmpretrain'
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'GeRSP'
    assert any(hook.type == 'FastForwardSamplerHook' for hook in cfg.custom_hooks)


def test_paper_recipe():
    cfg = load('gersp_r50.py')
    assert cfg.train_dataloader.batch_size == 32 and cfg.auto_scale_lr.base_batch_size == 256
    assert cfg.train_dataloader.drop_last and cfg.train_dataloader.sampler.epoch_length == 'max'
    assert cfg.optim_wrapper.optimizer == dict(type='SGD', lr=0.007, momentum=0.9, weight_decay=5e-4)
    (scheduler, ) = cfg.param_scheduler
    assert scheduler.type == 'CosineRestartLR' and scheduler.periods == [20] * 5 and scheduler.eta_min == 0.001
    assert cfg.train_cfg.max_epochs == 100 and cfg.randomness.seed == 0
    model = cfg.model
    assert (model.queue_len, model.feat_dim, model.momentum, model.alpha) == (65536, 128, 0.001, 1.0)
    assert model.head.temperature == 0.07 and model.backbone.depth == 50 and model.backbone.zero_init_residual
    assert model.cls_head.num_classes == 1000
    assert cfg.default_hooks.checkpoint.max_keep_ckpts == 3 and cfg.default_hooks.checkpoint.save_last
    rs_views, natural_view = (cfg.train_dataloader.dataset[source].pipeline[0] for source in ('rs', 'natural'))
    assert rs_views.type == natural_view.type == 'LoadMoCoViews'
    assert (rs_views.num_views, natural_view.num_views) == (2, 1)
    moco_v1 = dict(output_size=224, crop_scale=(0.2, 1.0), crop_ratio=(3 / 4, 4 / 3), grayscale_prob=0.2,
                   brightness=0.4, contrast=0.4, saturation=0.4, hue=0.4, flip_prob=0.5)
    assert all(rs_views[key] == value == natural_view[key] for key, value in moco_v1.items())


def test_variants():
    long = load('gersp_r50_200e.py')
    assert long.train_cfg.max_epochs == 200 and long.param_scheduler[0].periods == [20] * 10
    single = load('gersp_r50_1xb256-splitbn.py')
    assert single.model.bn_groups == 8 and single.train_dataloader.batch_size == 256
    moco = load('mocov2_r50_maid.py')
    assert moco.model.cls_head is None and moco.train_dataloader.dataset.type == 'UnlabeledImageFolder'
    assert moco.train_dataloader.sampler.type == 'DefaultSampler'
    both = load('mocov2_r50_maid-in1k.py')
    maid, imagenet = both.train_dataloader.dataset.datasets
    assert maid.data_root == 'data/MillionAID/test/' and imagenet.data_root == 'data/imagenet/'
    assert imagenet.data_prefix == dict(img_path='train')


@pytest.mark.parametrize('name', ['gersp_r18_tiny.py', 'gersp_r18_tiny_monitor.py'])
def test_the_tiny_configs_find_their_sample_images_from_any_folder(name, tmp_path, monkeypatch):
    """docs/mim.md: mim train runs from any folder. A user config in another folder inheriting the tiny config
    through gersp_mm:: (the package's .mim link) reads the checkout's tests/data (it read ./tests/data)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / 'my_config.py').write_text(f"_base_ = 'gersp_mm::pretrain/{name}'\n")
    cfg = Config.fromfile(str(tmp_path / 'my_config.py'))
    dataset = cfg.train_dataloader.dataset
    roots = [dataset.rs.data_root, dataset.natural.data_root]
    roots += [hook.dataset.data_root for hook in cfg.custom_hooks if hook.type == 'KNNMonitorHook']
    expected = [ROOT / 'tests/data/pretrain/rs', ROOT / 'tests/data/pretrain/natural', ROOT / 'tests/data/cls/nwpu']
    assert [os.path.samefile(root, path) for root, path in zip(roots, expected)] == [True] * len(roots)
