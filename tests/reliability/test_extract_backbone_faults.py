# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""tools/model_converters/extract_backbone.py on bad inputs and outputs: each error names the file and the
problem, and nothing is left under (or next to) the output name."""
import os
import shutil

import pytest
import torch
import torchvision

from gersp_mm.export import extract_backbone as export_cli
from tests.helpers import ROOT, run_main

JPEG = ROOT / 'tests/data/pretrain/natural/train/n01440764/n01440764_10026.JPEG'


def extract(src, dst):
    """The export tool's function in this process (tests/export/test_extract_backbone.py runs the tool itself)."""
    result = run_main(export_cli.main, src, dst)
    return result.returncode, result.stdout + result.stderr


@pytest.fixture(scope='module')
def resnet_checkpoint(tmp_path_factory):
    path = tmp_path_factory.mktemp('src') / 'resnet18.pth'
    torch.manual_seed(0)
    torch.save(torchvision.models.resnet18().state_dict(), path)
    return path


def test_non_finite_tensors_are_refused_by_name(resnet_checkpoint, tmp_path):
    state = torch.load(resnet_checkpoint, weights_only=True)
    state['layer1.0.conv1.weight'][0, 0, 0, 0] = float('nan')
    state['bn1.running_var'][:3] = float('inf')
    src = tmp_path / 'diverged.pth'
    torch.save(state, src)
    code, output = extract(src, tmp_path / 'out.pth')
    assert code == 1
    assert f'refusing to export {src}: 2 of ' in output
    assert 'backbone.bn1.running_var (3 inf of 64 values)' in output
    assert 'backbone.layer1.0.conv1.weight (1 NaN of 36864 values)' in output
    assert sorted(os.listdir(tmp_path)) == ['diverged.pth']


def test_an_image_is_named_as_such_without_suggesting_unsafe_loading(tmp_path):
    """The issue's case: a JPEG renamed .pth used to be reported as 'Python objects outside the allow-list'.
    (Every other diagnosis is checked on load_checkpoint_file in test_checkpoint_loading.py.)"""
    src = tmp_path / 'model.pth'
    shutil.copy(JPEG, src)
    code, output = extract(src, tmp_path / 'out.pth')
    assert code == 1
    assert f'error: cannot load checkpoint {src}: not a PyTorch checkpoint: it is a JPEG image' in output
    assert 'unsafe' not in output
    assert sorted(os.listdir(tmp_path)) == ['model.pth']


def test_an_existing_directory_as_output_is_refused_before_writing(resnet_checkpoint, tmp_path):
    (tmp_path / 'out.pth').mkdir()
    code, output = extract(resnet_checkpoint, tmp_path / 'out.pth')
    assert code == 1
    assert f'error: cannot write {tmp_path / "out.pth"}: it is an existing directory' in output
    assert sorted(os.listdir(tmp_path)) == ['out.pth'] and os.listdir(tmp_path / 'out.pth') == []
