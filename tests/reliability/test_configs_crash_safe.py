# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Every training config of the repository writes atomic checkpoints and stops on a NaN/inf loss."""
from pathlib import Path

import pytest
from mmengine.config import Config
from mmengine.registry import DefaultScope

from tests.helpers import ROOT

TRAINING_CONFIGS = sorted(str(path.relative_to(ROOT)) for path in (ROOT / 'configs').rglob('*.py')
                          if '_base_' not in path.parts)


def _representatives():
    """Loading a config takes seconds: every demo config, and per folder the first config of each model
    (the ``-gersp`` one, which the ``-in1k`` / ``-random`` variants inherit)."""
    chosen = {}
    for path in TRAINING_CONFIGS:
        parts = Path(path).parts
        chosen.setdefault(path if parts[1] == 'demo' else (parts[:-1], parts[-1].split('_')[0]), path)
    return sorted(chosen.values())


def test_there_are_configs_of_every_task():
    tasks = {Path(path).parts[1] for path in _representatives()}
    assert {'pretrain', 'det', 'seg', 'cls', 'demo'} <= tasks


@pytest.mark.parametrize('path', _representatives())
def test_config_has_the_crash_safety_hooks(path):
    cfg = Config.fromfile(str(ROOT / path))
    assert cfg.default_hooks.checkpoint.type == 'AtomicCheckpointHook', path
    assert cfg.default_hooks.non_finite_guard == dict(type='NonFiniteGuardHook'), path
    assert 'gersp_mm' in cfg.custom_imports.imports  # registers the hooks


@pytest.mark.parametrize('scope', ['mmpretrain', 'mmdet', 'mmseg'])
def test_the_hooks_build_in_every_host_scope(scope):
    from mmengine.registry import HOOKS

    from gersp_mm.engine import AtomicCheckpointHook, NonFiniteGuardHook
    with DefaultScope.overwrite_default_scope(scope):
        assert isinstance(HOOKS.build(dict(type='AtomicCheckpointHook', interval=1)), AtomicCheckpointHook)
        assert isinstance(HOOKS.build(dict(type='NonFiniteGuardHook')), NonFiniteGuardHook)
