# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Run tools/train.py with one injected fault, for the fault-injection tests (run as a subprocess).

Usage::

    python tests/reliability/fault_injection.py FAULT [ARG ...] -- CONFIG [train.py options]

Faults:
    ``block-write NAME MARKER``  the write of checkpoint file NAME stops halfway: MARKER is created (holding the
                                 temporary file's path) and the process waits to be killed (kill -9 during a
                                 checkpoint write).

    ``sigterm-at ITER``          the process sends itself SIGTERM during training iteration ITER (1-based), as
                                 a scheduler's preemption would.

    ``nan-loss-at ITER``         GeRSP's classification loss is NaN at training iteration ITER (1-based).

A full disk (:func:`full_disk`) and NaN losses are also injected in-process: test_atomic_checkpoint_hook.py,
test_full_disk.py, test_faults_e2e.py.
"""
import builtins
import contextlib
import errno
import fnmatch
import io
import os
import os.path as osp
import runpy
import signal
import sys
import time

# run as a script (tests/ is not on sys.path): the repository root from this file's place
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


class _Disk:
    """The free space of a simulated disk: writes to files matching ``pattern`` use it up."""

    def __init__(self, folder: str, free_bytes: int, pattern: str) -> None:
        self.folder, self.free, self.pattern = osp.realpath(folder), free_bytes, pattern

    def holds(self, path: str) -> bool:
        path = osp.realpath(path)
        return path.startswith(self.folder + os.sep) and fnmatch.fnmatch(osp.basename(path), self.pattern)

    def take(self, size: int) -> int:
        """How many of ``size`` bytes fit (a real disk stores what fits, then fails with ENOSPC)."""
        if self.free <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        fits = min(size, self.free)
        self.free -= fits
        return fits


@contextlib.contextmanager
def full_disk(folder, free_bytes: int, pattern: str = '*'):
    """Make the files under ``folder`` whose names match ``pattern`` share ``free_bytes`` of free space.

    Every way of writing them is covered: ``os.write``, files opened with :func:`open` (buffered or not,
    text or binary) and the atomic writer's files store what fits, then fail with ``OSError(ENOSPC)``, as on
    a full disk.
    """
    from gersp_mm.fileio import atomic
    disk = _Disk(os.fspath(folder), free_bytes, pattern)
    real_write, real_open, real_raw_file_type = os.write, builtins.open, atomic.RAW_FILE_TYPE

    def write(fd, data):
        if disk.holds(os.readlink(f'/proc/self/fd/{fd}')):
            data = memoryview(data)[:disk.take(len(data))]
        return real_write(fd, data)

    class DiskFileIO(io.FileIO):

        def write(self, data):
            if disk.holds(os.readlink(f'/proc/self/fd/{self.fileno()}')):
                data = memoryview(data)[:disk.take(len(memoryview(data)))]
            return super().write(data)

    def open_on_disk(file, mode='r', buffering=-1, encoding=None, errors=None, newline=None, closefd=True,
                     opener=None):
        if not isinstance(file, (str, bytes, os.PathLike)) or not set(mode) & set('wax+') or not disk.holds(
                os.fsdecode(file)):
            return real_open(file, mode, buffering, encoding, errors, newline, closefd, opener)
        raw = DiskFileIO(file, mode.replace('b', '').replace('t', ''), closefd=closefd, opener=opener)
        if buffering == 0:
            return raw
        buffered = (io.BufferedRandom if '+' in mode else io.BufferedWriter)(raw)
        if 'b' in mode:
            return buffered
        return io.TextIOWrapper(buffered, encoding=encoding or 'utf-8', errors=errors, newline=newline,
                                line_buffering=buffering == 1)

    os.write, builtins.open, atomic.RAW_FILE_TYPE = write, open_on_disk, DiskFileIO
    try:
        yield disk
    finally:
        os.write, builtins.open, atomic.RAW_FILE_TYPE = real_write, real_open, real_raw_file_type


def _sigterm_at(iteration: int) -> None:
    """Send this process SIGTERM when training iteration ``iteration`` (1-based) starts."""
    from mmengine.hooks import Hook
    from mmengine.runner import Runner

    class SigtermHook(Hook):

        def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
            if runner.iter + 1 == iteration:
                os.kill(os.getpid(), signal.SIGTERM)

    register_hooks = Runner.register_hooks

    def register_hooks_with_sigterm(self, default_hooks=None, custom_hooks=None):
        register_hooks(self, default_hooks, custom_hooks)
        self.register_hook(SigtermHook())

    Runner.register_hooks = register_hooks_with_sigterm


def _nan_loss_at(iteration: int) -> None:
    """Make GeRSP's ``loss_cls`` NaN at training iteration ``iteration`` (1-based)."""
    from mmengine.logging import MessageHub

    from gersp_mm.pretrain.models import GeRSP
    loss = GeRSP.loss

    def loss_cls_nan_at_iteration(self, *args, **kwargs):
        losses = loss(self, *args, **kwargs)
        if MessageHub.get_current_instance().get_info('iter') + 1 == iteration:
            losses['loss_cls'] = losses['loss_cls'] * float('nan')
        return losses

    GeRSP.loss = loss_cls_nan_at_iteration


def main(argv):
    split = argv.index('--')
    fault, fault_args, train_args = argv[0], argv[1:split], argv[split + 1:]
    from gersp_mm.fileio import atomic
    if fault == 'block-write':
        atomic.RAW_FILE_TYPE = _checkpoint_writer(fault_args[0], _block(fault_args[1]))
    elif fault == 'sigterm-at':
        _sigterm_at(int(fault_args[0]))
    elif fault == 'nan-loss-at':
        _nan_loss_at(int(fault_args[0]))
    else:
        raise SystemExit(f'unknown fault {fault!r}')
    sys.argv = [osp.join(ROOT, 'tools', 'train.py'), *train_args]
    runpy.run_path(sys.argv[0], run_name='__main__')


if __name__ == '__main__':
    main(sys.argv[1:])
