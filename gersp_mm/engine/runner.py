# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""A Runner whose resume checks the checkpoint first and falls back to the newest intact one."""
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from .config_checks import check_dataloader_cfgs
from .resume import check_resume_checkpoint, find_resume_checkpoint


@RUNNERS.register_module()
class CrashSafeRunner(Runner):
    """:class:`mmengine.runner.Runner` with a resume that survives damaged checkpoints.

    - ``resume=True`` without ``load_from`` (``tools/train.py --resume``): resumes the newest intact checkpoint
      of the work dir (see :func:`~gersp_mm.engine.resume.find_resume_checkpoint`): a truncated, empty,
      foreign or NaN-poisoned checkpoint is named in the log with its problem and skipped. With no
      checkpoint at all, it logs a warning and trains from scratch; with only damaged ones, it stops.
    - ``resume=True`` with ``load_from`` (``--resume PATH``): a missing or damaged ``PATH`` stops the run with
      an error naming it (and the newest intact checkpoint beside it).

    The chosen checkpoint is read once to check it and once to resume. :meth:`from_cfg` also checks the types
    of the data loader numbers (:func:`~gersp_mm.engine.config_checks.check_dataloader_cfgs`).
    """

    @classmethod
    def from_cfg(cls, cfg) -> 'CrashSafeRunner':
        check_dataloader_cfgs(cfg)
        return super().from_cfg(cfg)

    def load_or_resume(self) -> None:
        if not self._has_loaded and self._resume:
            if self._load_from is None:
                chosen = find_resume_checkpoint(self.work_dir)
                if chosen is None:
                    self.logger.warning(f'--resume: no checkpoint to resume in {self.work_dir}; training '
                                        'starts from scratch.')
                    self._resume = False
                else:
                    self.logger.info(f'Resuming from {chosen}, the newest intact checkpoint of {self.work_dir}.')
                    self._load_from = chosen
            else:
                check_resume_checkpoint(self._load_from)
        super().load_or_resume()
