# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The demo's training runs: config files that the user can re-run, in-process training, backbone export.

Every run of the demo is a config file written next to its results (inheriting a file of configs/demo and
overriding the data roots, the seed and the checkpoint), trained in this process as ``tools/train.py``
would train it: ``python tools/train.py <config> --work-dir <dir>`` repeats it by hand.
"""
import contextlib
import os.path as osp
from pprint import pformat
from typing import IO

from mmengine.config import Config
from mmengine.runner import Runner

from gersp_mm.fileio import atomic_write


def write_config(path: str, base: str, **fields) -> str:
    """Write a config that inherits ``base`` and overrides ``fields`` (merged as mmengine merges configs).

    Args:
        path (str): The config file to write (its folder is created).
        base (str): The config it inherits (an absolute path, so the file works from any folder).
        **fields: Top-level config fields.

    Returns:
        str: ``path``.
    """
    lines = ['# Written by the GeRSP demo; re-run with: python tools/train.py <this file> --work-dir <dir>',
             f'_base_ = {base!r}']
    lines += [f'{name} = {pformat(value, width=110, sort_dicts=False)}' for name, value in fields.items()]
    with atomic_write(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return path


def train(config: str, work_dir: str, log: IO[str]) -> Runner:
    """Train a config in this process, the Runner's console output going to ``log``.

    Args:
        config (str): The config file.
        work_dir (str): The run's work dir (logs and checkpoints).
        log (IO[str]): Where the Runner's console output (log lines and warnings) goes.

    Returns:
        Runner: The trained runner (its model holds the final weights).
    """
    cfg = Config.fromfile(config)
    cfg.work_dir = work_dir
    cfg.launcher = 'none'
    with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        runner = Runner.from_cfg(cfg)
        runner.train()
    log.flush()
    return runner


def last_checkpoint(work_dir: str) -> str:
    """The checkpoint that mmengine's ``CheckpointHook`` recorded last in ``work_dir/last_checkpoint``."""
    path = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path} not found: the run in {work_dir} saved no checkpoint')
    with open(path, encoding='utf-8') as f:
        return f.read().strip()
