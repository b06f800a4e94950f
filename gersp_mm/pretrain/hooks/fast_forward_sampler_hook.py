# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS


@HOOKS.register_module()
class FastForwardSamplerHook(Hook):
    """Resume mid-epoch without re-reading the images already trained on.

    mmengine's epoch-based loop restarts an interrupted epoch from its first batch. When a run resumes
    from an iteration checkpoint, this hook tells the sampler (anything with a ``skip(num_samples)``
    method, e.g. :class:`DualSourceSampler`) how many of the epoch's samples are done, from the restored
    iteration counter, so the loop continues with exactly the next batch. Only sampler indices are
    skipped: nothing is decoded.
    """

    priority = 'LOW'

    def before_train_epoch(self, runner) -> None:
        loader = runner.train_dataloader
        sampler = loader.batch_sampler.sampler if loader.batch_sampler is not None else loader.sampler
        done_iters = runner.iter - runner.epoch * len(loader)
        if done_iters <= 0:
            return
        if not hasattr(sampler, 'skip'):
            runner.logger.warning(f'Resuming mid-epoch ({done_iters} iterations done) with '
                                  f'{type(sampler).__name__}, which cannot skip: the epoch restarts')
            return
        sampler.skip(done_iters * loader.batch_size)
        runner.logger.info(f'Resumed mid-epoch: skipping the {done_iters} iterations of epoch '
                           f'{runner.epoch + 1} already trained (no image is read)')
