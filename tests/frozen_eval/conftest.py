# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Fixtures of the frozen-evaluation tests: the real EuroSAT sample as a config, and ResNet-18 checkpoints."""
import pytest
import torch

from tests.frozen_eval.frozen_eval_helpers import resnet18_state, write_eurosat_config


@pytest.fixture(scope='module')
def eurosat(tmp_path_factory):
    """(config path, checkpoints): ``same_mm`` and ``same_tv`` hold one ResNet-18 (OpenMMLab and torchvision
    layouts), ``destroyed`` is it with a zero first convolution (every image has the same features)."""
    folder = tmp_path_factory.mktemp('eurosat')
    state = resnet18_state()
    destroyed = dict(state, **{'conv1.weight': torch.zeros_like(state['conv1.weight'])})
    files = {name: str(folder / f'{name}.pth') for name in ('same_mm', 'same_tv', 'destroyed')}
    torch.save({'state_dict': {f'backbone.{key}': value for key, value in state.items()}}, files['same_mm'])
    torch.save(state, files['same_tv'])
    torch.save(destroyed, files['destroyed'])
    return write_eurosat_config(folder), files
