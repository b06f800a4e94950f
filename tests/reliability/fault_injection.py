# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Run tools/train.py with one injected fault, for the fault-injection tests (run as a subprocess).

Usage::

    python tests/reliability/fault_injection.py FAULT [ARG ...] -- CONFIG [train.py options]

Faults:
    ``block-write NAME MARKER``  the write of checkpoint file NAME stops halfway: MARKER is created and the
                                 process waits to be killed (kill -9 during a checkpoint write);
    ``full-disk NAME``           the write of checkpoint file NAME fails with ENOSPC halfway;
    ``nan-loss ITER TERM``       the GeRSP loss term TERM is NaN at (1-based) iteration ITER.
"""
import errno
import io
import os
import os.path as osp
import runpy
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _checkpoint_writer(name: str, on_half_written):
    """A raw file type that calls ``on_half_written(file)`` once half of checkpoint ``name`` is written."""
    from gersp_mm.fileio.atomic import TEMP_PREFIX

    class FaultyFileIO(io.FileIO):

        def write(self, data) -> int:
            path = os.readlink(f'/proc/self/fd/{self.fileno()}')
            if osp.basename(path).startswith(f'{TEMP_PREFIX}{name}-'):
                half = len(data) // 2
                super().write(data[:half])
                self.flush()
                on_half_written(path)
            return super().write(data)

    return FaultyFileIO


def _block(marker: str):
    def on_half_written(path: str) -> None:
        with open(marker, 'w') as file:
            file.write(path)
        while True:
            time.sleep(1)
    return on_half_written


def _full_disk(path: str) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _nan_loss(iteration: int, term: str) -> None:
    from mmengine.logging import MessageHub

    from gersp_mm.pretrain.models import GeRSP
    loss = GeRSP.loss

    def nan_loss(self, *args, **kwargs):
        losses = loss(self, *args, **kwargs)
        if MessageHub.get_current_instance().get_info('iter') + 1 == iteration:
            losses[term] = losses[term] * float('nan')
        return losses

    GeRSP.loss = nan_loss


def main(argv):
    split = argv.index('--')
    fault, fault_args, train_args = argv[0], argv[1:split], argv[split + 1:]
    from gersp_mm.fileio import atomic
    if fault == 'block-write':
        atomic.RAW_FILE_TYPE = _checkpoint_writer(fault_args[0], _block(fault_args[1]))
    elif fault == 'full-disk':
        atomic.RAW_FILE_TYPE = _checkpoint_writer(fault_args[0], _full_disk)
    elif fault == 'nan-loss':
        _nan_loss(int(fault_args[0]), fault_args[1])
    else:
        raise SystemExit(f'unknown fault {fault!r}')
    sys.argv = [osp.join(ROOT, 'tools', 'train.py'), *train_args]
    runpy.run_path(sys.argv[0], run_name='__main__')


if __name__ == '__main__':
    main(sys.argv[1:])
