# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The package's own errors end tools/train.py and tools/test.py with their sentence as the only error line
(exit status 1), each kind as a user meets it; an error of a host library keeps its traceback; the sentence
of an error in a data loader worker comes without the worker's traceback."""
import os
import subprocess
import sys

import pytest
import torch
from torch.utils.data import DataLoader, Dataset

from gersp_mm.engine import NonFiniteLossError
from gersp_mm.pretrain.datasets.natural_checks import NaturalDatasetError
from gersp_mm.utils.tool_errors import package_error_sentence
from tests.helpers import ROOT, save_resnet50_checkpoints
from tests.tiny_configs import tiny_cls_config

TINY = 'configs/pretrain/gersp_r18_tiny.py'
FAULTS = 'tests/reliability/fault_injection.py'


def run_tool(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS='1'))


def error_line(result: subprocess.CompletedProcess) -> str:
    """The tool's only error line (it exited with 1, printed no traceback)."""
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    assert 'Traceback' not in result.stderr, result.stderr[-3000:]
    return result.stderr.strip().splitlines()[-1]


def user_config(tmp_path, text: str) -> str:
    """A config of the user's that inherits the tiny GeRSP config and adds ``text``."""
    config = tmp_path / 'my_gersp.py'
    config.write_text(f'_base_ = {str(ROOT / TINY)!r}\n{text}\n')
    return str(config)


@pytest.mark.slow
def test_a_config_type_mistake(tmp_path):
    config = user_config(tmp_path, "optim_wrapper = dict(optimizer=dict(lr='0.01'))")
    assert error_line(run_tool('tools/train.py', config, '--work-dir', tmp_path / 'work')) == (
        f"error: {config}: optim_wrapper.optimizer.lr must be a number, got '0.01' (str) (write lr=0.01)")


@pytest.mark.slow
def test_missing_natural_class_folders(tmp_path):
    result = run_tool('tools/train.py', TINY, '--work-dir', tmp_path, '--cfg-options',
                      'train_dataloader.dataset.natural.metainfo.classes=[n01440764,n01443537,n02102040]')
    line = error_line(result)
    assert line.startswith(f'error: {ROOT}/configs/pretrain/../../tests/data/pretrain/natural/train has 2 of the '
                           '3 class folders; missing: n01443537'), line


@pytest.mark.slow
def test_a_backbone_checkpoint_of_another_depth(tmp_path):
    _, files = save_resnet50_checkpoints(tmp_path)
    # the downstream configs' init (configs/_base_/backbone_inits.py) given a torchvision ResNet-50
    config = user_config(tmp_path, f"model = dict(backbone=dict(init_cfg=dict(type='Pretrained', "
                                   f"checkpoint={files['-in1k']!r}, _scope_='gersp_mm')))")
    assert error_line(run_tool('tools/train.py', config, '--work-dir', tmp_path / 'work')) == (
        f"error: {files['-in1k']} holds a ResNet-50 backbone but the config builds a ResNet-18 "
        '(model.backbone.depth=18): use a ResNet-18 checkpoint or a config made for ResNet-50.')


@pytest.mark.slow
def test_a_damaged_checkpoint_to_resume(tmp_path):
    damaged = tmp_path / 'epoch_1.pth'
    damaged.write_bytes(b'')
    line = error_line(run_tool('tools/train.py', TINY, '--work-dir', tmp_path, '--resume', damaged))
    assert line.startswith(f'error: --resume {damaged}: '), line


@pytest.mark.slow
def test_a_nan_loss(tmp_path):
    result = run_tool(FAULTS, 'nan-loss-at', '2', '--', TINY, '--work-dir', tmp_path)
    line = error_line(result)
    assert line.startswith('error: Non-finite loss at iteration 2 (epoch 1): loss_cls (loss=nan, '), line


@pytest.mark.slow
def test_a_damaged_checkpoint_to_evaluate(tmp_path):
    config = tiny_cls_config(tmp_path)
    not_a_checkpoint = ROOT / 'tests' / 'data' / 'cls' / 'nwpu' / 'airport' / 'airport_001.jpg'
    result = run_tool('tools/test.py', config, not_a_checkpoint, '--work-dir', tmp_path / 'work')
    assert error_line(result) == (f'error: cannot load checkpoint {not_a_checkpoint}: not a PyTorch checkpoint: '
                                  'it is a JPEG image')


@pytest.mark.slow
def test_a_config_naming_an_unknown_runner_fails_with_the_hosts_traceback(tmp_path):
    """runner_type is honoured (tools/train.py builds what it names); mmengine's KeyError is not ours."""
    result = run_tool('tools/train.py', TINY, '--work-dir', tmp_path, '--cfg-options', 'runner_type=NoSuchRunner')
    assert result.returncode == 1 and 'Traceback' in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith('KeyError: ')
    assert 'NoSuchRunner' in result.stderr.strip().splitlines()[-1]


class _FailingDataset(Dataset):

    def __len__(self):
        return 1

    def __getitem__(self, index):
        raise NonFiniteLossError('Non-finite loss at iteration 3')


def test_the_sentence_of_the_package_s_errors():
    assert package_error_sentence(NaturalDatasetError('/data/train has 2 of the 1000 class folders')) == (
        '/data/train has 2 of the 1000 class folders')
    with pytest.raises(NonFiniteLossError) as info:
        next(iter(DataLoader(_FailingDataset(), num_workers=1)))
    assert 'Original Traceback' in str(info.value)  # what torch makes of it
    assert package_error_sentence(info.value) == 'Non-finite loss at iteration 3'


def test_other_errors_are_not_the_package_s():
    assert package_error_sentence(ValueError('a host error')) is None
    assert package_error_sentence(KeyError('NoSuchRunner is not in the runner registry')) is None
    assert package_error_sentence(SystemExit(143)) is None
    assert package_error_sentence(torch.cuda.OutOfMemoryError('CUDA out of memory')) is None
