# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Run tools/train.py with one injected fault, for the fault-injection tests (run as a subprocess).

Usage::

    python tests/reliability/fault_injection.py FAULT [ARG ...] -- CONFIG [train.py options]

Faults:
    ``block-write NAME MARKER``  the write of checkpoint file NAME stops halfway: MARKER is created (holding the
                                 temporary file's path) and the process waits to be killed (kill -9 during a
                                 checkpoint write).

(A full disk and NaN losses are injected in-process: test_atomic_checkpoint_hook.py, test_faults_e2e.py.)
"""
import io
import os
import os.path as osp
import runpy
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


def main(argv):
    split = argv.index('--')
    fault, fault_args, train_args = argv[0], argv[1:split], argv[split + 1:]
    from gersp_mm.fileio import atomic
    if fault == 'block-write':
        atomic.RAW_FILE_TYPE = _checkpoint_writer(fault_args[0], _block(fault_args[1]))
    else:
        raise SystemExit(f'unknown fault {fault!r}')
    sys.argv = [osp.join(ROOT, 'tools', 'train.py'), *train_args]
    runpy.run_path(sys.argv[0], run_name='__main__')


if __name__ == '__main__':
    main(sys.argv[1:])
