# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""A compact progress report of training runs, for the demo's console."""
import logging
import time
from typing import Dict, Optional

import torch
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

#: The demo's console logger. Without a handler (outside tools/demo.py) its INFO records go nowhere.
LOGGER = logging.getLogger('gersp_mm.demo')


@HOOKS.register_module()
class DemoProgressHook(Hook):
    """Report a run's progress in a few lines on the ``gersp_mm.demo`` logger.

    ``tools/demo.py`` sends the Runner's own log to a file and this logger to the console: the user sees
    about ``num_reports`` lines per run (iteration, loss, elapsed and remaining time) and the evaluation
    results.

    Args:
        stage (str): Name of the run in the report lines.
        num_reports (int): Number of progress lines over the run. Defaults to 4.
    """

    priority = 'VERY_LOW'

    def __init__(self, stage: str, num_reports: int = 4) -> None:
        if num_reports < 1:
            raise ValueError(f'num_reports must be >= 1, got {num_reports}')
        self.stage = stage
        self.num_reports = num_reports
        self._start = 0.0

    def before_train(self, runner) -> None:
        self._start = time.perf_counter()

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs: Optional[Dict] = None) -> None:
        done, total = runner.iter + 1, runner.max_iters
        if done != total and done % max(total // self.num_reports, 1):
            return
        elapsed = time.perf_counter() - self._start
        losses = ', '.join(f'{key} {float(value.detach() if torch.is_tensor(value) else value):.3f}'
                           for key, value in (outputs or {}).items() if 'loss' in key)
        LOGGER.info(f'    {self.stage}: iteration {done}/{total}  {losses}  '
                    f'[{elapsed:.0f} s, ~{elapsed / done * (total - done):.0f} s left]')

    def after_val_epoch(self, runner, metrics: Optional[Dict[str, float]] = None) -> None:
        shown = ', '.join(f'{key} {value:.4g}' for key, value in (metrics or {}).items()
                          if isinstance(value, (int, float)))
        LOGGER.info(f'    {self.stage}: evaluation after epoch {runner.epoch}: {shown}')
