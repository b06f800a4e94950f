# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""mmengine's ``CheckpointHook`` made crash-safe.

What the host gets wrong (mmengine 0.10.7):

- a checkpoint is written in place (``open(path, 'wb')``, no fsync): a kill -9 or a full disk leaves a
  truncated ``iter_N.pth`` under its final name;
- the outdated checkpoint is deleted BEFORE the new one is written, so with ``max_keep_ckpts=1`` one kill
  during the write loses the only resumable state;
- ``last_checkpoint`` is rewritten in place too;
- nothing stops a checkpoint full of NaN from pushing the good ones out of ``max_keep_ckpts``.

This hook writes every checkpoint through :class:`~gersp_mm.fileio.AtomicLocalBackend` (temporary file in
the same folder, fsync, rename), then ``last_checkpoint`` the same way, and deletes outdated checkpoints only
after both are complete; it refuses to write a checkpoint holding non-finite parameters, buffers or optimizer
state (the run stops, naming the tensors). Temporary files left by a killed run are removed at the start.

Under a :class:`~gersp_mm.engine.CrashSafeRunner`, a SIGTERM (a scheduler's preemption or time limit) is
answered after the iteration in progress: the hook saves ``iter_<N>.pth`` (a resumable checkpoint
mid-epoch, see :class:`~gersp_mm.pretrain.hooks.FastForwardSamplerHook`), points ``last_checkpoint`` at it
and stops the run with :class:`~gersp_mm.engine.termination.TrainingTerminated` (exit status 143). With
several processes, all stop after the same iteration (one all-reduce of a flag per iteration decides).
"""
import glob
import logging
import os
import os.path as osp
import signal
from typing import List, Optional

import torch
from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook
from mmengine.logging import print_log
from mmengine.registry import HOOKS

from ...fileio import atomic_write
from ...fileio.atomic import TEMP_PREFIX
from ..non_finite import count_tensors, find_non_finite, summarize_non_finite
from ..termination import TrainingTerminated
from .non_finite_guard_hook import _any_rank

ATOMIC_BACKEND_ARGS = dict(backend='atomic_local')


class NonFiniteCheckpointError(FloatingPointError):
    """A checkpoint was about to be written with NaN/inf tensors (the message names them)."""


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """A :class:`mmengine.hooks.CheckpointHook` with atomic writes and a non-finite check.

    Takes the arguments of :class:`mmengine.hooks.CheckpointHook`. Without ``backend_args`` and
    ``file_client_args``, checkpoints in a local folder are written atomically; a remote ``out_dir`` (or
    explicit backend arguments) keeps the host's writer.

    Args:
        check_finite (bool): Refuse to write a checkpoint whose ``state_dict`` or ``optimizer`` state holds
            NaN/inf values. Defaults to True.
        **kwargs: Arguments of :class:`mmengine.hooks.CheckpointHook`.
    """

    def __init__(self, *args, check_finite: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.check_finite = check_finite
        self._pending_filename: Optional[str] = None
        self._last_written: Optional[str] = None

    def before_train(self, runner) -> None:
        out_dir = self.out_dir if self.out_dir is not None else runner.work_dir
        if self.backend_args is None and self.file_client_args is None and '://' not in str(out_dir):
            self.backend_args = dict(ATOMIC_BACKEND_ARGS)
        super().before_train(runner)
        self._last_written = runner.message_hub.get_info('last_ckpt')  # the resumed checkpoint, if any
        if is_main_process() and self.backend_args == ATOMIC_BACKEND_ARGS:
            self._remove_stale_temporary_files()

    def _remove_stale_temporary_files(self) -> None:
        """Delete the temporary files of checkpoint writes that a killed run left in ``out_dir``."""
        for path in sorted(glob.glob(osp.join(glob.escape(str(self.out_dir)), f'{TEMP_PREFIX}*'))):
            if osp.isfile(path):
                os.remove(path)
                print_log(f'Removed {path}: the incomplete checkpoint write of an interrupted run.',
                          logger='current', level=logging.WARNING)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Refuse a checkpoint with NaN/inf parameters, buffers or optimizer state."""
        if not self.check_finite:
            return
        tensors = {key: checkpoint[key] for key in ('state_dict', 'optimizer') if key in checkpoint}
        found = find_non_finite(tensors)
        if found:
            target = self._pending_filename or 'the checkpoint'
            message = (f'Refusing to write {target} at iteration {runner.iter + 1}: '
                       f'{summarize_non_finite(found, total=count_tensors(tensors))}. The model diverged; '
                       f'the newest complete checkpoint is {self._last_written}.')
            runner.logger.error(message)
            raise NonFiniteCheckpointError(message)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        """Save on the interval; after a termination signal, save this iteration and stop the run."""
        super().after_train_iter(runner, batch_idx, data_batch, outputs)
        termination = getattr(runner, 'termination', None)
        received = termination.received if termination is not None else None
        device = next(runner.model.parameters(), torch.empty(0)).device
        if _any_rank(received is not None, device):  # every process stops after the same iteration
            self._save_and_stop(runner, received or signal.SIGTERM)

    def _save_and_stop(self, runner, signum: int) -> None:
        """Save ``iter_<N>.pth`` (unless the interval just saved it), point ``last_checkpoint`` at it, stop."""
        ckpt_filename = f'iter_{runner.iter + 1}.pth'
        path = self.file_backend.join_path(self.out_dir, ckpt_filename)
        if path != self._last_written:
            runner.logger.warning(f'{signal.Signals(signum).name} received: saving {path} before stopping.')
            runner.message_hub.update_info('last_ckpt', path)
            self._pending_filename = path
            try:
                runner.save_checkpoint(self.out_dir, ckpt_filename, self.file_client_args,
                                       save_optimizer=self.save_optimizer,
                                       save_param_scheduler=self.save_param_scheduler, by_epoch=False,
                                       backend_args=self.backend_args, **self.args)
            finally:
                self._pending_filename = None
            self._last_written = path
            if is_main_process():
                with atomic_write(osp.join(runner.work_dir, 'last_checkpoint'), 'w') as file:
                    file.write(path)
        message = (f'Stopped by {signal.Signals(signum).name} after iteration {runner.iter + 1} (epoch '
                   f'{runner.epoch + 1}); {path} holds this state: continue with tools/train.py CONFIG '
                   f'--work-dir {runner.work_dir} --resume')
        runner.logger.warning(message)
        raise TrainingTerminated(signum, message)

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        """Write the checkpoint, then ``last_checkpoint``, then delete outdated checkpoints (atomically)."""
        outdated: List[int] = []
        if self.max_keep_ckpts > 0 and not (self.keep_ckpt_ids and self.keep_ckpt_ids[-1] == step):
            # _save_checkpoint and _save_best_checkpoint may both save this step
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                outdated.append(self.keep_ckpt_ids.popleft())
            self.keep_ckpt_ids.append(step)
            # the new checkpoint lists the outdated ones too: if the run is killed before deleting them, the
            # resumed run's before_train deletes them (mmengine trims the list to max_keep_ckpts)
            runner.message_hub.update_info('keep_ckpt_ids', outdated + list(self.keep_ckpt_ids))

        ckpt_filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir, ckpt_filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        self._pending_filename = self.last_ckpt
        try:
            runner.save_checkpoint(
                self.out_dir,
                ckpt_filename,
                self.file_client_args,
                save_optimizer=self.save_optimizer,
                save_param_scheduler=self.save_param_scheduler,
                meta=meta,
                by_epoch=self.by_epoch,
                backend_args=self.backend_args,
                **self.args)
        finally:
            self._pending_filename = None
        self._last_written = self.last_ckpt
        if self.max_keep_ckpts > 0:
            runner.message_hub.update_info('keep_ckpt_ids', list(self.keep_ckpt_ids))
        if not is_main_process():
            return
        with atomic_write(osp.join(runner.work_dir, 'last_checkpoint'), 'w') as file:
            file.write(self.last_ckpt)
        for old_step in outdated:
            path = self.file_backend.join_path(self.out_dir, self.filename_tmpl.format(old_step))
            if self.file_backend.isfile(path):
                self.file_backend.remove(path)
            elif self.file_backend.isdir(path):  # checkpoints saved by deepspeed are directories
                self.file_backend.rmtree(path)
