# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""A small regression model trained by the CrashSafeRunner, with a NaN loss term at chosen iterations."""
import itertools
from typing import Sequence

import torch
from mmengine.logging import MessageHub
from mmengine.model import BaseModel
from torch.utils.data import Dataset

from gersp_mm.engine import CrashSafeRunner


class ToyModel(BaseModel):
    """``loss_mse`` of a linear model plus ``loss_aux``, which is NaN at the (1-based) iterations ``nan_at``."""

    def __init__(self, nan_at: Sequence[int] = ()):
        super().__init__()
        with torch.random.fork_rng():  # the same initial weights in every run
            torch.manual_seed(0)
            self.linear = torch.nn.Linear(2, 1)
        self.bn = torch.nn.BatchNorm1d(1)
        self.nan_at = tuple(nan_at)

    def forward(self, inputs, targets, mode='tensor'):
        outputs = self.bn(self.linear(inputs)).squeeze(1)
        if mode != 'loss':
            return outputs
        loss_aux = 0.1 * outputs.abs().mean()
        if MessageHub.get_current_instance().get_info('iter') + 1 in self.nan_at:
            loss_aux = loss_aux * float('nan')
        return dict(loss_mse=((outputs - targets)**2).mean(), loss_aux=loss_aux)


class ToyDataset(Dataset):

    def __len__(self):
        return 16

    def __getitem__(self, index):
        return dict(inputs=torch.tensor([float(index), float(index % 3)]), targets=torch.tensor(float(index % 2)))


_RUN_IDS = itertools.count()


def toy_runner(work_dir, max_iters=6, nan_at=(), guard=None, checkpoint=None, custom_hooks=(), **kwargs):
    """A CrashSafeRunner on the toy model: iteration-based, a checkpoint after every iteration."""
    return CrashSafeRunner(
        model=ToyModel(nan_at),
        work_dir=str(work_dir),
        train_dataloader=dict(dataset=ToyDataset(), batch_size=4,
                              sampler=dict(type='DefaultSampler', shuffle=True, seed=0),
                              collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9)),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        default_hooks=dict(
            checkpoint=dict(dict(type='AtomicCheckpointHook', by_epoch=False, interval=1), **(checkpoint or {})),
            non_finite_guard=dict(type='NonFiniteGuardHook', **(guard or {})),
            logger=dict(type='LoggerHook', interval=1)),
        custom_hooks=list(custom_hooks),
        randomness=dict(seed=0),
        default_scope='mmengine',
        experiment_name=f'toy_{next(_RUN_IDS)}',  # unique: Runners of one process share instances by name
        **kwargs)


def any_rank_worker(rank: int, world_size: int, port: int, out_dir: str) -> None:
    """One process of a gloo group: is a non-finite loss seen only on rank 1 reported on every rank?"""
    import torch.distributed as dist

    from gersp_mm.engine.hooks.non_finite_guard_hook import _any_rank
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank, world_size=world_size)
    try:
        decision = _any_rank(rank == 1, torch.device('cpu'))
    finally:
        dist.destroy_process_group()
    with open(f'{out_dir}/rank{rank}', 'w') as file:
        file.write(str(decision))
