# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Quiet logs: a tiny training run prints none of the host stack's harmless messages (gersp_mm.compat.log_filters)."""
import logging
import os
import subprocess
import sys

import torch

from gersp_mm.compat.log_filters import install_log_filters
from tests.tiny_configs import tiny_cls_config

NOISE = ('pkg_resources is deprecated', "Only use 'alpha' for pillow backend", '"FileClient" will be deprecated',
         '"HardDiskBackend" is the alias', 'GPU number: ')


def test_a_training_run_prints_none_of_the_harmless_messages(tmp_path):
    """Two epochs of a classifier with mmpretrain's ColorJitter on the pillow backend in a data-loader worker
    (new workers every epoch), through mmpretrain's own train.py (gersp_mm is imported by the config)."""
    config = tiny_cls_config(tmp_path)
    jitter = tmp_path / 'jitter.py'
    jitter.write_text(f'''
_base_ = {str(config)!r}
train_dataloader = dict(num_workers=1, dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'), dict(type='RandomResizedCrop', scale=64),
    dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.4, backend='pillow'), dict(type='PackInputs')]))
train_cfg = dict(max_epochs=2)
''')
    import mmpretrain
    train = os.path.join(os.path.dirname(mmpretrain.__file__), '.mim', 'tools', 'train.py')
    result = subprocess.run([sys.executable, train, str(jitter), '--work-dir', str(tmp_path / 'work')], cwd=tmp_path,
                            env=dict(os.environ, OMP_NUM_THREADS='1'), capture_output=True, text=True, timeout=600)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    assert 'Epoch(train) [2]' in log and (tmp_path / 'work' / 'epoch_2.pth').is_file()
    assert [noise for noise in NOISE if noise in log] == []
    if not torch.cuda.is_available():
        assert '    Processes: 1\n' in log  # mmengine's "GPU number", relabelled


def test_the_warning_filters_silence_exactly_those_warnings():
    """Each filter against the warning its host emits, and neighbours that must still show."""
    code = """
import warnings
import numpy as np
import gersp_mm  # installs the filters
import mmcv
mmcv.adjust_color(np.zeros((4, 4, 3), np.uint8), alpha=0.5, backend='pillow')
warnings.warn('pkg_resources is deprecated as an API. See https://setuptools.pypa.io', UserWarning)
warnings.warn("Only use 'alpha' for pillow backend.", UserWarning)  # from another module: shown
"""
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
    assert [line for line in result.stderr.splitlines() if 'Warning' in line] == [
        '<string>:8: UserWarning: Only use \'alpha\' for pillow backend.']


def test_mmengine_messages_are_demoted_or_relabelled():
    install_log_filters()  # idempotent (conftest's import of gersp_mm installed it)
    records = []
    handler = logging.Handler(logging.INFO)
    handler.emit = records.append
    logger = logging.Logger('mmengine')  # the logger name of mmengine's MMLogger
    logger.addHandler(handler)
    from mmengine.logging import print_log
    for message in ('"FileClient" will be deprecated in future. Please use io functions in https://...',
                    '"HardDiskBackend" is the alias of "LocalBackend" and the former will be deprecated in future.',
                    'a real warning'):
        print_log(message, logger=logger, level=logging.WARNING)
    print_log('\nRuntime environment:\n    seed: 0\n    GPU number: 2\n', logger=logger)
    label = 'GPU number' if torch.cuda.is_available() else 'Processes'
    assert [record.getMessage() for record in records] == [
        'a real warning', f'\nRuntime environment:\n    seed: 0\n    {label}: 2\n']
