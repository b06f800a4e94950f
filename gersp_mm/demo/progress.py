# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Progress of the demo on its console: a few lines per training run, and the time left for the whole demo."""
import logging
import time
from typing import Dict, Optional, Sequence

import torch
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

#: The demo's console logger. Without a handler (outside the demo) its INFO records go nowhere.
LOGGER = logging.getLogger('gersp_mm.demo')


def format_seconds(seconds: float) -> str:
    """``'45 s'`` below two minutes, else ``'3.5 min'``."""
    return f'{seconds:.0f} s' if seconds < 120 else f'{seconds / 60:.1f} min'


@HOOKS.register_module()
class DemoProgressHook(Hook):
    """Report a run's progress in a few lines on the ``gersp_mm.demo`` logger.

    The demo sends the Runner's own log to a file and this logger to the console: the user sees the first
    iteration (so that a run visibly starts within seconds), about ``num_reports`` lines over the run
    (iteration, losses, elapsed time and the time left) and the evaluation results.

    The time left is the remaining iterations at the pace of the iterations since the previous report:
    the first iterations of a run (lazy initialisation, the CPU kernels' first calls for each shape) are
    slower than the others and would inflate an average over the whole run.

    Args:
        stage (str): Name of the run in the report lines.
        num_reports (int): Number of progress lines over the run, after the first iteration. Defaults to 4.
    """

    priority = 'VERY_LOW'

    def __init__(self, stage: str, num_reports: int = 4) -> None:
        if num_reports < 1:
            raise ValueError(f'num_reports must be >= 1, got {num_reports}')
        self.stage = stage
        self.num_reports = num_reports
        self._start = 0.0
        self._last = (0, 0.0)  # (iterations done, elapsed seconds) at the previous report

    def before_train(self, runner) -> None:
        self._start = time.perf_counter()
        self._last = (0, 0.0)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs: Optional[Dict] = None) -> None:
        done, total = runner.iter + 1, runner.max_iters
        if done not in (1, total) and done % max(total // self.num_reports, 1):
            return
        elapsed = time.perf_counter() - self._start
        losses = ', '.join(f'{key} {float(value.detach() if torch.is_tensor(value) else value):.3f}'
                           for key, value in (outputs or {}).items() if 'loss' in key)
        if done == 1:
            left = 'the pace is measured from the next iterations on'
        else:
            last_done, last_elapsed = self._last
            pace = (elapsed - last_elapsed) / (done - last_done)
            left = f'~{format_seconds(pace * (total - done))} left'
        self._last = (done, elapsed)
        LOGGER.info(f'    {self.stage}: iteration {done}/{total}  {losses}  [{format_seconds(elapsed)}, {left}]')

    def after_val_epoch(self, runner, metrics: Optional[Dict[str, float]] = None) -> None:
        shown = ', '.join(f'{key} {value:.4g}' for key, value in (metrics or {}).items()
                          if isinstance(value, (int, float)))
        LOGGER.info(f'    {self.stage}: evaluation after epoch {runner.epoch}: {shown}')


class StageClock:
    """The time left for the whole demo, from the relative cost of its stages and the pace so far.

    Each stage has a weight: its share of the demo's time, measured on a full run. After a stage, the time
    left is the weight still to do at the seconds-per-weight of the stages done, so it adapts to the
    machine (a busy or a fast one) after the first stages.

    Args:
        weights (Sequence[float]): Relative cost of each stage, in the order they run.
    """

    def __init__(self, weights: Sequence[float]) -> None:
        if not weights or any(weight <= 0 for weight in weights):
            raise ValueError(f'StageClock needs positive stage weights, got {list(weights)}')
        self.weights = list(weights)
        self.done = 0
        self.seconds = 0.0

    def finish_stage(self, seconds: float) -> float:
        """Record the time of the next stage; returns the estimated seconds left for the others."""
        if self.done == len(self.weights):
            raise RuntimeError(f'all {len(self.weights)} stages are already finished')
        self.seconds += seconds
        self.done += 1
        return self.seconds / sum(self.weights[:self.done]) * sum(self.weights[self.done:])
