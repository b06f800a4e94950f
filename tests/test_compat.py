# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The compatibility shims, each against the failure it fixes."""
import os
import pickle

import pytest
import torch
from mmengine.model import BaseModel
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint
from torch.utils.data import Dataset

import gersp_mm  # noqa: F401 - installs the shims
from gersp_mm.fileio import CheckpointLoadError


class _ToyModel(BaseModel):

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(2, 1)

    def forward(self, inputs, targets, mode='tensor'):
        outputs = self.linear(inputs)
        if mode == 'loss':
            return dict(loss=((outputs.squeeze(1) - targets)**2).mean())
        return outputs


class _ToyDataset(Dataset):

    def __len__(self):
        return 8

    def __getitem__(self, index):
        return dict(inputs=torch.full((2, ), float(index)), targets=torch.tensor(float(index % 2)))


def _runner(work_dir, max_epochs, **kwargs):
    return Runner(
        model=_ToyModel(),
        work_dir=str(work_dir),
        train_dataloader=dict(dataset=_ToyDataset(), batch_size=4,
                              sampler=dict(type='DefaultSampler', shuffle=False),
                              collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=1)),
        default_scope='mmengine',
        **kwargs)


@pytest.fixture(scope='module')
def runner_checkpoint(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('runner')
    _runner(work_dir, max_epochs=1).train()
    path = os.path.join(work_dir, 'epoch_1.pth')
    assert os.path.isfile(path)
    return path


def test_plain_torch_load_refuses_runner_checkpoint(runner_checkpoint):
    """The failure the shim fixes: what mmengine 0.10.7 does (torch.load without weights_only)."""
    if not hasattr(torch.serialization, 'safe_globals'):
        pytest.skip('torch < 2.5 loads without weights_only by default')
    with pytest.raises(pickle.UnpicklingError, match='HistoryBuffer'):
        torch.load(runner_checkpoint, map_location='cpu')


def test_runner_checkpoint_loads_through_mmengine(runner_checkpoint):
    checkpoint = _load_checkpoint(runner_checkpoint, map_location='cpu')
    assert set(checkpoint) >= {'meta', 'state_dict', 'message_hub', 'optimizer'}
    assert checkpoint['meta']['epoch'] == 1


def test_runner_resumes_from_checkpoint(runner_checkpoint, tmp_path):
    runner = _runner(tmp_path, max_epochs=2, resume=True, load_from=runner_checkpoint)
    runner.train()
    assert runner.epoch == 2 and runner.iter == 4


class _Payload:
    """A class outside the allow-list: unpickling it must be refused, not executed."""

    def __reduce__(self):
        return (os.system, ('echo should-never-run',))


def test_untrusted_objects_are_still_refused(tmp_path):
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'payload': _Payload()}, path)
    with pytest.raises(CheckpointLoadError, match=r'evil\.pth: it holds Python objects outside the safe allow-list'):
        _load_checkpoint(str(path), map_location='cpu')


def test_missing_checkpoint_names_the_file(tmp_path):
    with pytest.raises(CheckpointLoadError, match='missing.pth not found'):
        _load_checkpoint(str(tmp_path / 'missing.pth'))


class _AttributeFetch:
    """Pickles as getattr(numpy.ndarray, 'tofile'): a file-writing method reached through allowed names."""

    def __reduce__(self):
        import numpy as np
        return (getattr, (np.ndarray, 'tofile'))


def test_getattr_is_restricted_to_history_buffer_statistics(tmp_path):
    path = tmp_path / 'getattr.pth'
    torch.save({'state_dict': {}, 'method': _AttributeFetch()}, path)
    with pytest.raises(CheckpointLoadError, match='tofile') as info:
        _load_checkpoint(str(path), map_location='cpu')
    assert info.value.reason == 'foreign'


def test_amp_on_cpu_runs_the_forward_in_bfloat16():
    from mmengine.optim import AmpOptimWrapper

    from gersp_mm.compat import CPUAutocastOptimWrapper
    model = torch.nn.Linear(4, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    if not torch.cuda.is_available():  # the failure: mmengine's wrapper insists on a GPU
        with pytest.raises(AssertionError, match='only available training on gpu'):
            AmpOptimWrapper(optimizer=optimizer)
    wrapper = CPUAutocastOptimWrapper(optimizer=optimizer)
    with wrapper.optim_context(model):
        out = model(torch.randn(3, 4))
    assert out.dtype == torch.bfloat16
    wrapper.update_params(out.float().sum())
    with pytest.raises(ValueError, match='bfloat16 only'):
        CPUAutocastOptimWrapper(optimizer=optimizer, dtype='float16')


def test_ddp_wrapper_for_cpu_models(tmp_path):
    import torch.distributed as dist
    from mmengine.model import MMDistributedDataParallel

    from gersp_mm.compat import CPUDistributedDataParallel
    dist.init_process_group('gloo', init_method=f'file://{tmp_path}/store', rank=0, world_size=1)
    try:
        with pytest.raises(ValueError, match='device_ids'):  # the failure: what mmengine's Runner passes
            MMDistributedDataParallel(module=_ToyModel(), device_ids=[0])
        wrapped = CPUDistributedDataParallel(module=_ToyModel(), device_ids=[0])
        assert wrapped.device_ids is None
    finally:
        dist.destroy_process_group()


def test_gersp_mm_scope_for_config_inheritance(monkeypatch):
    from pathlib import Path

    from mmengine.config import Config
    from mmengine.config.utils import MODULE2PACKAGE
    config = str(Path(__file__).parent / 'data' / 'configs' / 'gersp-mm-scope_tiny.py')
    monkeypatch.delitem(MODULE2PACKAGE, 'gersp_mm')
    with pytest.raises(AssertionError, match='does not support to load gersp_mm config'):
        Config.fromfile(config)  # the failure without the shim
    monkeypatch.setitem(MODULE2PACKAGE, 'gersp_mm', 'gersp_mm.version')
    assert Config.fromfile(config).model.type == 'GeRSP'
