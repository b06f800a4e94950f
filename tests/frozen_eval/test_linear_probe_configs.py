# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The frozen linear-probe configs: the fine-tuning config with the backbone frozen (BN in eval mode), SGD on the
head only; a tiny tools-style run leaves every backbone tensor as loaded and trains the head."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.runner import Runner
from mmpretrain.registry import MODELS

from tests.config_helpers import load_config, read_config
from tests.helpers import ROOT, shrink_to_nwpu_sample, write_nwpu_split

CONFIGS = {
    'nwpu45/resnet50-gersp_8xb32-linear-steplr-100e_nwpu45-20p.py': 'nwpu45/resnet50-gersp_8xb32_nwpu45-20p.py',
    'eurosat/resnet50-gersp_8xb32-linear-steplr-100e_eurosat-80p.py': 'eurosat/resnet50-gersp_8xb32_eurosat-80p.py',
}


def _path(name):
    return osp.join(ROOT, 'configs', 'cls', name)


def _unscoped(cfg):
    """A config dict without the ``_scope_`` that mmengine adds to what a ``mmpretrain::`` base defines."""
    return {key: value for key, value in cfg.items() if key != '_scope_'}


@pytest.mark.parametrize('name', CONFIGS)
def test_linear_probe_config_is_the_finetuning_config_frozen(name):
    linear, finetune = read_config(_path(name)), read_config(_path(CONFIGS[name]))
    assert linear.model.backbone.frozen_stages == 4 and linear.model.backbone.norm_eval is True
    assert _unscoped(linear.optim_wrapper.optimizer) == dict(type='SGD', lr=30.0, momentum=0.9, weight_decay=0.0)
    assert [_unscoped(scheduler) for scheduler in linear.param_scheduler] == [
        dict(type='MultiStepLR', by_epoch=True, milestones=[60, 80], gamma=0.1)]
    assert linear.train_cfg.max_epochs == 100
    expected = copy.deepcopy(finetune.to_dict())
    expected['model']['backbone'].update(frozen_stages=4, norm_eval=True)
    actual = linear.to_dict()
    for key in ('model', 'train_dataloader', 'test_dataloader', 'data_preprocessor', 'default_hooks'):
        assert actual[key] == expected[key], key
    in1k = read_config(_path(name.replace('-gersp', '-in1k'))).to_dict()
    assert in1k['model']['backbone'].pop('init_cfg') == dict(type='Pretrained', checkpoint='torchvision://resnet50')
    actual['model']['backbone'].pop('init_cfg')
    assert in1k == actual


def test_linear_probe_trains_only_the_head(tmp_path, one_thread):
    cfg = load_config(_path('nwpu45/resnet50-gersp_8xb32-linear-steplr-100e_nwpu45-20p.py'))
    train_list, test_list = map(str, write_nwpu_split(tmp_path / 'meta'))
    shrink_to_nwpu_sample(cfg, train_list, test_list, str(tmp_path / 'work_dir'))
    cfg.model.backbone.init_cfg = None
    runner = Runner.from_cfg(cfg)
    model = runner.model
    model.init_weights()  # now, so that the snapshot is the initialised model (the runner does not init again)
    before = {key: value.clone() for key, value in model.state_dict().items()}
    runner.train()
    assert runner.iter == 1
    after = model.state_dict()
    changed = {key for key in before if not torch.equal(before[key], after[key])}
    assert changed == {'head.fc.weight', 'head.fc.bias'}  # no backbone weight nor BN statistic moved
    assert all(not p.requires_grad for p in model.backbone.parameters())
    assert not any(m.training for m in model.backbone.modules() if isinstance(m, torch.nn.BatchNorm2d))
    assert MODELS.get('ResNet') is type(model.backbone)
