# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Every training config of the repository writes atomic checkpoints and stops on a NaN/inf loss; it trains with
the CrashSafeRunner unless it names another runner."""
import copy
from pathlib import Path

import pytest
from mmengine.config import Config
from mmengine.registry import RUNNERS, DefaultScope
from mmengine.runner import Runner

from gersp_mm.engine import CrashSafeRunner
from gersp_mm.engine.runner import build_runner
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
    assert 'runner_type' not in cfg, path  # tools/train.py builds a CrashSafeRunner


@pytest.mark.parametrize('scope', ['mmpretrain', 'mmdet', 'mmseg'])
def test_the_hooks_build_in_every_host_scope(scope):
    from mmengine.registry import HOOKS

    from gersp_mm.engine import AtomicCheckpointHook, NonFiniteGuardHook
    with DefaultScope.overwrite_default_scope(scope):
        assert isinstance(HOOKS.build(dict(type='AtomicCheckpointHook', interval=1)), AtomicCheckpointHook)
        assert isinstance(HOOKS.build(dict(type='NonFiniteGuardHook')), NonFiniteGuardHook)


class _MyRunner(Runner):
    """A runner of the user's own."""


def test_the_runner_is_crash_safe_unless_the_config_names_another(tmp_path):
    RUNNERS.register_module(name='_MyRunnerOfTheTests', module=_MyRunner, force=True)
    cfg = Config.fromfile(str(ROOT / 'configs/pretrain/gersp_r18_tiny.py'))
    for runner_type, runner_class in ((None, CrashSafeRunner), ('Runner', Runner), ('CrashSafeRunner', CrashSafeRunner),
                                      ('_MyRunnerOfTheTests', _MyRunner)):
        run_cfg = copy.deepcopy(cfg)
        run_cfg.merge_from_dict(dict(work_dir=str(tmp_path / str(runner_type)), experiment_name=str(runner_type)))
        if runner_type is not None:
            run_cfg.runner_type = runner_type
        assert type(build_runner(run_cfg)) is runner_class, runner_type
