# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Stopping a training run cleanly on SIGTERM, the signal a cluster scheduler sends before it ends a job.

SLURM sends SIGTERM to every process of a job at its time limit or preemption (and, with ``--signal``, a
chosen time before the limit), then SIGKILL some seconds later (``KillWait``). Python's default for SIGTERM
ends the process at once: everything trained since the last checkpoint is lost. While a
:class:`TerminationSignal` is active, SIGTERM is only recorded; the checkpoint hook
(:class:`~gersp_mm.engine.hooks.AtomicCheckpointHook`) saves a checkpoint after the iteration in progress
and ends the run with :class:`TrainingTerminated`.
"""
import os
import signal
import threading
from types import FrameType
from typing import Dict, Optional


class TrainingTerminated(SystemExit):
    """The run stopped on a termination signal after saving a resumable checkpoint.

    A :class:`SystemExit` whose code is ``128 + signal number`` (143 for SIGTERM), the exit status of a
    process ended by that signal: schedulers and scripts do not mistake the stop for a finished run.

    Args:
        signum (int): The signal received.
        message (str): What was saved and how to resume (already logged).
    """

    def __init__(self, signum: int, message: str) -> None:
        super().__init__(128 + signum)
        self.signum = signum
        self.message = message

    def __str__(self) -> str:
        return self.message


class TerminationSignal:
    """Context manager that records SIGTERM in this process instead of ending it.

    The first SIGTERM sets :attr:`received` (the run stops at its next iteration boundary); a second one
    ends the process at once, as without the handler. Processes forked inside the block (data loader
    workers) ignore the signal: the training process stops them when it exits, and a worker killed first
    would make the training process fail before it could save. Outside the main thread, signal handlers
    cannot be set: the block then records nothing.

    Args:
        signals (tuple[int]): The signals to record. Defaults to ``(signal.SIGTERM,)``.
    """

    def __init__(self, signals: tuple = (signal.SIGTERM,)) -> None:
        self.signals = signals
        self.received: Optional[int] = None
        self._pid = os.getpid()
        self._previous: Dict[int, object] = {}

    def _record(self, signum: int, frame: Optional[FrameType]) -> None:
        if os.getpid() != self._pid:
            return
        if self.received is not None:  # asked twice: stop now
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        self.received = signum

    def __enter__(self) -> 'TerminationSignal':
        self.received = None
        self._pid = os.getpid()
        if threading.current_thread() is threading.main_thread():
            self._previous = {signum: signal.signal(signum, self._record) for signum in self.signals}
        return self

    def __exit__(self, *exc_info) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous = {}
