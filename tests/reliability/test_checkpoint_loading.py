# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""One diagnosis for every checkpoint load: missing, empty, truncated, not a checkpoint, foreign objects.

Checked through every entry point: load_checkpoint_file, mmengine's loader (``load_from``, ``--resume``)
and ``init_cfg=dict(type='Pretrained')``.
"""
import os
import pickle
import shutil
import zipfile
from pathlib import Path

import pytest
import torch
from mmengine.runner.checkpoint import _load_checkpoint

from gersp_mm.fileio import CheckpointLoadError, load_checkpoint_file

DATA = Path(__file__).resolve().parents[1] / 'data'
JPEG = DATA / 'pretrain' / 'natural' / 'train' / 'n01440764' / 'n01440764_10026.JPEG'


class _Payload:
    """Unpickles as a call to os.system: must be refused, never executed."""

    def __reduce__(self):
        return (os.system, ('echo should-never-run',))


@pytest.fixture(scope='module')
def files(tmp_path_factory):
    """One file of each kind, named by the case."""
    folder = tmp_path_factory.mktemp('checkpoints')
    state = {'state_dict': {'weight': torch.arange(2000, dtype=torch.float32)}, 'meta': {'iter': 3}}
    torch.save(state, folder / 'good.pth')
    torch.save(state, folder / 'legacy.pth', _use_new_zipfile_serialization=False)
    data = (folder / 'good.pth').read_bytes()
    paths = {name: folder / f'{name}.pth' for name in
             ('good', 'legacy', 'empty', 'truncated_half', 'truncated_tail', 'flipped', 'legacy_truncated', 'jpeg',
              'text', 'pickle', 'zip', 'foreign')}
    paths['empty'].write_bytes(b'')
    paths['truncated_half'].write_bytes(data[:len(data) // 2])
    paths['truncated_tail'].write_bytes(data[:-10])
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0xFF  # inside the tensor data: torch itself loads this without complaint
    paths['flipped'].write_bytes(bytes(flipped))
    legacy = paths['legacy'].read_bytes()
    paths['legacy_truncated'].write_bytes(legacy[:len(legacy) // 2])
    shutil.copy(JPEG, paths['jpeg'])
    paths['text'].write_text('notes about the experiment\nlr 0.03\n')
    paths['pickle'].write_bytes(pickle.dumps({'weight': [1.0, 2.0]}))
    with zipfile.ZipFile(paths['zip'], 'w') as archive:
        archive.writestr('weights/readme.txt', 'not a torch.save archive')
    torch.save({'state_dict': {}, 'payload': _Payload()}, paths['foreign'])
    paths['missing'] = folder / 'missing.pth'
    return paths


EXPECTED = {
    'missing': ('missing', 'no such file'),
    'empty': ('empty', r'empty \(0 bytes\)'),
    'truncated_half': ('truncated', 'truncated or corrupt'),
    'truncated_tail': ('truncated', 'truncated or corrupt'),
    'flipped': ('truncated', 'CRC mismatch'),
    'legacy_truncated': ('truncated', 'corrupt checkpoint'),
    'jpeg': ('not_checkpoint', 'not a PyTorch checkpoint: it is a JPEG image'),
    'text': ('not_checkpoint', "it is a text file \\(it starts with 'notes about the experiment'\\)"),
    'pickle': ('not_checkpoint', 'plain Python pickle'),
    'zip': ('not_checkpoint', 'a zip archive without the data.pkl of a torch.save file'),
    'foreign': ('foreign', 'outside the safe allow-list.*posix.system.*--unsafe-load'),
}


@pytest.mark.parametrize('case', sorted(EXPECTED))
def test_each_failure_names_the_file_and_the_diagnosis(files, case):
    reason, pattern = EXPECTED[case]
    with pytest.raises(CheckpointLoadError, match=pattern) as info:
        load_checkpoint_file(files[case])
    assert info.value.reason == reason
    assert str(files[case]) in str(info.value)
    # only a checkpoint holding foreign Python objects points the user at unsafe loading
    assert ('unsafe' in str(info.value)) == (case == 'foreign')


@pytest.mark.parametrize('case', ['good', 'legacy'])
def test_intact_checkpoints_load(files, case):
    checkpoint = load_checkpoint_file(files[case])
    assert torch.equal(checkpoint['state_dict']['weight'], torch.arange(2000, dtype=torch.float32))


def test_unsafe_loading_still_diagnoses_damage(files):
    assert load_checkpoint_file(files['good'], unsafe=True)['meta'] == {'iter': 3}
    with pytest.raises(CheckpointLoadError, match='truncated or corrupt') as info:
        load_checkpoint_file(files['truncated_half'], unsafe=True)
    assert info.value.reason == 'truncated'


@pytest.mark.parametrize('case', ['empty', 'truncated_half', 'jpeg', 'foreign', 'missing'])
def test_mmengine_loader_uses_the_diagnosis(files, case):
    """``load_from`` and ``--resume`` load through mmengine's CheckpointLoader (scheme registered by gersp_mm)."""
    with pytest.raises(CheckpointLoadError, match=EXPECTED[case][1]) as info:
        _load_checkpoint(str(files[case]), map_location='cpu')
    assert str(files[case]) in str(info.value)


def test_pretrained_init_cfg_names_the_truncated_file(files):
    from mmpretrain.models import ResNet
    backbone = ResNet(depth=18, init_cfg=dict(type='Pretrained', checkpoint=str(files['truncated_half']),
                                              prefix='backbone.'))
    with pytest.raises(CheckpointLoadError, match='truncated_half.pth: truncated or corrupt'):
        backbone.init_weights()


def test_init_cfg_checkpoint_with_nan_weights_is_refused_naming_file_and_tensor(tmp_path):
    """A diverged pre-training's export given to a downstream config's init_cfg: refused when the weights
    are loaded, naming the file and the tensor, instead of training an epoch and refusing to save."""
    from mmengine.config import Config
    from mmengine.registry import MODELS, init_default_scope

    from gersp_mm.export import NonFinitePretrainedError, resnet_reference_shapes
    state = {f'backbone.{key}': torch.zeros(()).expand(shape) for key, shape in resnet_reference_shapes(18).items()}
    state['backbone.layer2.0.conv1.weight'] = torch.full((), float('nan')).expand(128, 64, 3, 3)
    torch.save(dict(state_dict=state), tmp_path / 'diverged.pth')
    cfg = Config.fromfile(str(DATA.parent.parent / 'configs/cls/nwpu45/resnet50-gersp_8xb32_nwpu45-20p.py'))
    init_default_scope(cfg.default_scope)
    cfg.model.backbone.depth = 18
    cfg.model.backbone.init_cfg.checkpoint = str(tmp_path / 'diverged.pth')
    backbone = MODELS.build(cfg.model.backbone)
    with pytest.raises(NonFinitePretrainedError) as info:
        backbone.init_weights()
    assert str(info.value) == (f'{tmp_path / "diverged.pth"} cannot initialise the ResNet: 1 of {len(state)} tensors '
                               'hold NaN/inf values: layer2.0.conv1.weight (73728 NaN of 73728 values) (the training '
                               'that wrote it diverged: use an earlier checkpoint)')
