# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Crash-safe training for every task of this package (registered in mmengine's root registries, so that
mmpretrain, mmdet and mmseg configs find them):

- :class:`~.hooks.NonFiniteGuardHook`: a NaN/inf loss stops the run (or skips the step) before the update;
- :class:`~.hooks.AtomicCheckpointHook`: atomic checkpoints, old ones deleted only after the new one is
  complete, no checkpoint with NaN/inf tensors;
- :class:`~.runner.CrashSafeRunner`: ``--resume`` checks the checkpoint and falls back to the newest intact one;
  SIGTERM saves a checkpoint and stops (:mod:`.termination`); log and scalar files are written a whole line at a
  time and a failed write names the file (:class:`~.log_file_handler.WholeLineFileHandler`,
  :class:`~.vis_backend.WholeRecordLocalVisBackend`).

Several runs in one process (a benchmark loop, the demo, a test) each log into their own folder:
:class:`~.visualizer.PerRunVisualizerMixin`, the base of the detection and segmentation visualizers.
"""
from .hooks import AtomicCheckpointHook, NonFiniteCheckpointError, NonFiniteGuardHook, NonFiniteLossError
from .non_finite import NonFiniteTensor, find_non_finite, summarize_non_finite
from .resume import (
    NoIntactCheckpointError,
    ResumeCheckpointError,
    check_resume_checkpoint,
    checkpoint_problem,
    find_resume_checkpoint,
)
from .runner import CrashSafeRunner
from .termination import TerminationSignal, TrainingTerminated
from .vis_backend import WholeRecordLocalVisBackend
from .visualizer import PerRunVisualizerMixin

__all__ = [
    'AtomicCheckpointHook', 'NonFiniteCheckpointError', 'NonFiniteGuardHook', 'NonFiniteLossError',
    'NonFiniteTensor', 'find_non_finite', 'summarize_non_finite', 'NoIntactCheckpointError',
    'ResumeCheckpointError', 'check_resume_checkpoint', 'checkpoint_problem', 'find_resume_checkpoint',
    'CrashSafeRunner', 'TerminationSignal', 'TrainingTerminated', 'WholeRecordLocalVisBackend', 'PerRunVisualizerMixin'
]
