# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Every output written through the atomic writer gets the user's umask, as ``open(path, 'w')`` gives it.

The wrong implementation caught: keeping the ``-rw-------`` of the temporary file on rename, so labmates on
shared storage cannot read checkpoints, ``last_checkpoint``, exported backbones, split lists or the demo's
configs and figures.
"""
import os
import stat

import numpy as np
import pytest
import torch
import torchvision

from gersp_mm.cls.converters.split_scene_classification import write_list
from gersp_mm.demo.detections import Detections
from gersp_mm.demo.figures import plot_detections
from gersp_mm.demo.runs import write_config
from gersp_mm.export import export_backbone
from gersp_mm.fileio import atomic_write
from tests.reliability.toy_runs import toy_runner


@pytest.fixture(params=[0o022, 0o027])
def umask(request):
    previous = os.umask(request.param)
    yield request.param
    os.umask(previous)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_checkpoint_and_last_checkpoint(umask, tmp_path):
    toy_runner(tmp_path, max_iters=1).train()
    assert mode(tmp_path / 'iter_1.pth') == 0o666 & ~umask
    assert mode(tmp_path / 'last_checkpoint') == 0o666 & ~umask


def test_exported_backbone(umask, tmp_path):
    torch.save(torchvision.models.resnet18().state_dict(), tmp_path / 'resnet18.pth')
    export_backbone(str(tmp_path / 'resnet18.pth'), str(tmp_path / 'backbone.pth'))
    assert mode(tmp_path / 'backbone.pth') == 0o666 & ~umask


def test_split_list_demo_config_and_figure(umask, tmp_path):
    write_list(str(tmp_path / 'meta' / 'train.txt'), [('a/1.jpg', 0)])
    write_config(str(tmp_path / 'run.py'), '/base.py', seed=0)
    boxes = Detections(np.array([[1., 1., 5., 5.]]), np.array([0]))
    plot_detections([np.zeros((8, 8, 3), np.uint8)], [boxes], {}, ['ship'], str(tmp_path / 'detections.png'))
    for name in ('meta/train.txt', 'run.py', 'detections.png'):
        assert mode(tmp_path / name) == 0o666 & ~umask, name


def test_a_replaced_file_keeps_its_permissions(tmp_path):
    """As with ``open(path, 'w')``: a file the user made group-writable stays so when rewritten."""
    path = tmp_path / 'shared.txt'
    path.write_text('old')
    os.chmod(path, 0o664)
    with atomic_write(path, 'w') as file:
        file.write('new')
    assert path.read_text() == 'new'
    assert mode(path) == 0o664
