# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Stop (or skip) a training step whose loss is NaN or inf, before the optimizer applies it.

What the host gets wrong: mmengine trains on through a NaN loss. The optimizer applies the NaN gradients,
every parameter turns NaN, training exits 0 and the checkpoints written afterwards (which push the good ones
out of ``max_keep_ckpts``) are all poisoned.

Where the check sits: mmengine's ``train_step`` runs forward, backward and ``optimizer.step()`` inside one
call, and hooks only see the loss afterwards (``after_train_iter``), when the update is already applied. So
the hook wraps the run's optimizer wrapper: ``update_params`` runs the backward pass as usual (in DDP every
rank must take part in the gradient all-reduce), then checks the loss; a non-finite loss on any rank drops
the gradients on every rank instead of stepping. ``after_train_iter`` (priority ``VERY_HIGH``, before the
``CheckpointHook`` at ``VERY_LOW``) then sees the step's loss terms and either stops the run with an error
naming the iteration, the terms and their values, or (``action='skip'``) logs the skipped step and counts it.
"""
import functools
import logging
import math
from typing import Any, Dict, List, Optional, Union

import torch
import torch.distributed as dist
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmengine.registry import HOOKS

from ..non_finite import find_non_finite, summarize_non_finite

DATA_BATCH = Optional[Union[dict, tuple, list]]


class NonFiniteLossError(FloatingPointError):
    """Training stopped at a NaN/inf loss (its message names the iteration, the terms and their values)."""


def _any_rank(flag: bool, device: torch.device) -> bool:
    """True if ``flag`` is true on any process of the (initialised) default process group."""
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return flag
    if dist.get_backend() == 'nccl':
        device = torch.device('cuda', torch.cuda.current_device())
    value = torch.tensor([1 if flag else 0], dtype=torch.int32, device=device)
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item())


def _as_float(value: Any) -> Optional[float]:
    if isinstance(value, torch.Tensor):
        return float(value.detach().float().mean()) if value.numel() else None
    if isinstance(value, (int, float)):
        return float(value)
    return None


@HOOKS.register_module()
class NonFiniteGuardHook(Hook):
    """Refuse to apply a training step whose loss is NaN or inf.

    Args:
        action (str): ``'error'`` (default) stops the run with :class:`NonFiniteLossError` at the first
            non-finite loss; ``'skip'`` drops that step's update (its gradients are discarded, the optimizer
            does not step), logs a warning and goes on, and stops like ``'error'`` once more than
            ``max_skips`` steps of the run were skipped, or when the model's parameters or buffers are no
            longer finite (e.g. BN statistics updated by a NaN forward pass: skipping cannot undo that).
        max_skips (int): Skipped steps allowed over the whole run (counted across resumes, in the message
            hub as ``non_finite_skipped_steps``) for ``action='skip'``. Defaults to 10.

    In the error case the optimizer update of the bad step is not applied either, and the hook runs before
    the ``CheckpointHook``, so no checkpoint of the poisoned state is written; the newest checkpoint of the
    work dir is the state before the problem (resume it with lower lr, gradient clipping, ...).
    """

    priority = 'VERY_HIGH'
    INFO_KEY = 'non_finite_skipped_steps'

    def __init__(self, action: str = 'error', max_skips: int = 10) -> None:
        if action not in ('error', 'skip'):
            raise ValueError(f"NonFiniteGuardHook: action must be 'error' or 'skip', got {action!r}")
        if isinstance(max_skips, bool) or not isinstance(max_skips, int) or max_skips < 0:
            raise TypeError(f'NonFiniteGuardHook: max_skips must be a non-negative int, got {max_skips!r}')
        self.action = action
        self.max_skips = max_skips
        self._dropped_update = False
        self._wrapped: List[OptimWrapper] = []

    # -- the check inside the optimizer wrapper ------------------------------------------------------------

    def before_train(self, runner) -> None:
        if isinstance(runner.optim_wrapper, OptimWrapperDict):  # models update each member themselves
            wrappers = list(runner.optim_wrapper.optim_wrappers.values())
        else:
            wrappers = [runner.optim_wrapper]
        for wrapper in wrappers:
            if 'update_params' not in vars(wrapper):
                wrapper.update_params = functools.partial(self._guarded_update_params, wrapper)
                self._wrapped.append(wrapper)

    def after_train(self, runner) -> None:
        for wrapper in self._wrapped:
            vars(wrapper).pop('update_params', None)
        self._wrapped.clear()

    def _guarded_update_params(self, wrapper: OptimWrapper, loss: torch.Tensor,
                               step_kwargs: Optional[Dict] = None, zero_kwargs: Optional[Dict] = None) -> None:
        """:meth:`OptimWrapper.update_params` (scale, backward, step and zero the gradients when an update is
        due) that drops the gradients instead of stepping when the loss is non-finite on any rank.

        The loss is checked after the backward pass is queued, so the check's device sync does not delay it
        (and every DDP rank takes part in the backward's gradient all-reduce either way).
        """
        wrapper.backward(wrapper.scale_loss(loss))
        if _any_rank(not bool(torch.isfinite(loss.detach()).all()), loss.device):
            wrapper.zero_grad(**(zero_kwargs or {}))
            self._dropped_update = True
        elif wrapper.should_update():
            wrapper.step(**(step_kwargs or {}))
            wrapper.zero_grad(**(zero_kwargs or {}))

    # -- reporting, with the step's loss terms ----------------------------------------------------------

    def after_train_iter(self, runner, batch_idx: int, data_batch: DATA_BATCH = None,
                         outputs: Optional[dict] = None) -> None:
        dropped, self._dropped_update = self._dropped_update, False
        terms = self._loss_terms(outputs)
        bad_terms = {name: value for name, value in terms.items() if not math.isfinite(value)}
        if not dropped and not bad_terms:
            return
        iteration = runner.iter + 1
        values = ', '.join(f'{name}={value:.6g}' for name, value in terms.items()) or 'no loss terms logged'
        where = f'iteration {iteration} (epoch {runner.epoch + 1})'
        # name the bad terms; the total ('loss') only when no term is named (e.g. another process's loss)
        named = sorted(name for name in bad_terms if name != 'loss') or sorted(bad_terms)
        bad_terms_text = ', '.join(named) if named else 'the total loss (on another process)'
        if not dropped:  # the model updated itself without our optimizer wrapper: nothing to undo
            self._stop(runner, f'Non-finite loss at {where}: {bad_terms_text} ({values}). The update was '
                       'already applied (the model does not use the optimizer wrapper), so the run stops.')
        if self.action == 'error':
            self._stop(runner, f'Non-finite loss at {where}: {bad_terms_text} ({values}). The update of '
                       'this step was not applied and no checkpoint of it was written.')
        skipped = runner.message_hub.get_info(self.INFO_KEY, 0) + 1
        runner.message_hub.update_info(self.INFO_KEY, skipped)
        if skipped > self.max_skips:
            self._stop(runner, f'Non-finite loss at {where}: {bad_terms_text} ({values}); {skipped} steps '
                       f'skipped, more than max_skips={self.max_skips}.')
        model = runner.model.module if hasattr(runner.model, 'module') else runner.model
        poisoned = find_non_finite(model.state_dict())
        if poisoned:
            self._stop(runner, f'Non-finite loss at {where}: {bad_terms_text} ({values}); the step cannot be '
                       f'skipped, the forward pass already changed the model: {summarize_non_finite(poisoned)}')
        print_log(f'Skipped the update of {where}: non-finite loss {bad_terms_text} ({values}); '
                  f'{skipped} of at most {self.max_skips} steps skipped so far.', logger='current',
                  level=logging.WARNING)

    @staticmethod
    def _loss_terms(outputs: Optional[dict]) -> Dict[str, float]:
        """The loss values among a train step's outputs (mmengine's ``log_vars``: keys containing 'loss')."""
        terms = {}
        for name, value in (outputs or {}).items():
            if 'loss' in name:
                number = _as_float(value)
                if number is not None:
                    terms[name] = number
        return terms

    def _stop(self, runner, message: str) -> None:
        checkpoint = runner.message_hub.get_info('last_ckpt')
        if checkpoint:
            message += f' The newest checkpoint is {checkpoint}.'
        runner.logger.error(message)
        raise NonFiniteLossError(message)
