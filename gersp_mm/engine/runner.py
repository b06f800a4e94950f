# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""A Runner whose resume checks the checkpoint first and falls back to the newest intact one, that saves on
SIGTERM, and whose log and scalar files are written whole or fail naming the file; the runner a config trains
with (:func:`build_runner`)."""
import logging

from mmengine.config import Config
from mmengine.dist import get_world_size
from mmengine.logging import MMLogger
from mmengine.registry import RUNNERS
from mmengine.runner import Runner
from mmengine.visualization import Visualizer

from .batch_norm_check import check_batch_norm_batch
from .config_checks import ConfigCheckError, check_config, check_head_classes
from .hooks import AtomicCheckpointHook
from .log_file_handler import WholeLineFileHandler
from .resume import check_resume_checkpoint, find_resume_checkpoint
from .termination import TerminationSignal


@RUNNERS.register_module()
class CrashSafeRunner(Runner):
    """:class:`mmengine.runner.Runner` with a resume that survives damaged checkpoints.

    - ``resume=True`` without ``load_from`` (``tools/train.py --resume``): resumes the newest intact checkpoint
      of the work dir (see :func:`~gersp_mm.engine.resume.find_resume_checkpoint`): a truncated, empty,
      foreign or NaN-poisoned checkpoint is named in the log with its problem and skipped. With no
      checkpoint at all, it logs a warning and trains from scratch; with only damaged ones, it stops.
    - ``resume=True`` with ``load_from`` (``--resume PATH``): a missing or damaged ``PATH`` stops the run with
      an error naming it (and the newest intact checkpoint beside it).

    - SIGTERM during :meth:`train` (a scheduler's preemption or time limit) is recorded, not fatal: the
      :class:`~gersp_mm.engine.hooks.AtomicCheckpointHook` saves after the iteration in progress and stops
      the run (:class:`~gersp_mm.engine.termination.TrainingTerminated`, exit status 143).
    - The log file and the scalars of ``LocalVisBackend`` (``vis_data/*.json``) are written a whole line at
      a time (:class:`~gersp_mm.engine.log_file_handler.WholeLineFileHandler`,
      :class:`~gersp_mm.engine.vis_backend.WholeRecordLocalVisBackend`): a failed write (a full disk) stops
      the run with ``cannot write <path>: <reason>`` and leaves no partial line.

    The chosen checkpoint is read once to check it and once to resume. :meth:`from_cfg` checks the config
    before building anything (:func:`~gersp_mm.engine.config_checks.check_config`), and the training loop,
    once its data are built, checks the heads' ``num_classes`` against them
    (:func:`~gersp_mm.engine.config_checks.check_head_classes`).
    """

    @classmethod
    def from_cfg(cls, cfg) -> 'CrashSafeRunner':
        check_config(cfg)
        return super().from_cfg(cfg)

    def build_train_loop(self, loop):
        loop = super().build_train_loop(loop)
        model_cfg = self.cfg.get('model')
        if isinstance(model_cfg, dict) and hasattr(loop, 'dataloader'):
            try:
                check_head_classes(model_cfg, loop.dataloader.dataset)
            except ConfigCheckError as err:
                self.logger.error(str(err))
                raise
        return loop

    def build_logger(self, log_level='INFO', log_file=None, **kwargs) -> MMLogger:
        """mmengine's logger, its plain ``logging.FileHandler`` replaced by a :class:`WholeLineFileHandler`."""
        logger = super().build_logger(log_level, log_file, **kwargs)
        for index, handler in enumerate(logger.handlers):
            if type(handler) is logging.FileHandler:
                logger.handlers[index] = WholeLineFileHandler.replacing(handler)
        return logger

    def build_visualizer(self, visualizer=None) -> Visualizer:
        """mmengine's visualizer, its ``LocalVisBackend`` replaced by a ``WholeRecordLocalVisBackend``."""
        if visualizer is None:  # the host's default, with our backend
            return Visualizer.get_instance(name=self._experiment_name, save_dir=self._log_dir,
                                           vis_backends=[dict(type='WholeRecordLocalVisBackend')])
        if isinstance(visualizer, dict) and visualizer.get('vis_backends'):
            visualizer = dict(visualizer, vis_backends=[
                dict(backend, type='WholeRecordLocalVisBackend') if backend.get('type') == 'LocalVisBackend'
                else backend for backend in visualizer['vis_backends']])
        return super().build_visualizer(visualizer)

    def train(self):
        """Train, recording SIGTERM when an ``AtomicCheckpointHook`` will act on it (see
        :class:`~gersp_mm.engine.termination.TerminationSignal`), after refusing
        a segmentation batch of one image (:func:`~gersp_mm.engine.batch_norm_check.check_batch_norm_batch`)."""
        loader = self._train_dataloader  # a config until the loop builds it
        batch_size = loader.get('batch_size') if isinstance(loader, dict) else getattr(loader, 'batch_size', None)
        check_batch_norm_batch(self.model, batch_size, get_world_size())
        if not any(isinstance(hook, AtomicCheckpointHook) for hook in self.hooks):
            return super().train()  # nothing would save and stop on SIGTERM: it ends the process as usual
        self.termination = TerminationSignal()
        with self.termination:
            return super().train()

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


def build_runner(cfg: Config) -> Runner:
    """The runner that ``tools/train.py`` trains ``cfg`` with: a :class:`CrashSafeRunner`, unless the config
    names another registered runner in ``runner_type`` (as mmdet's and mmpretrain's tools/train.py honour it).

    Another runner gets none of the :class:`CrashSafeRunner` features: the config checks at its start, the
    checked ``--resume``, the checkpoint on SIGTERM, the whole-line log and scalar files. The hooks of the
    configs keep working under it (:class:`~gersp_mm.engine.hooks.NonFiniteGuardHook` stops a NaN/inf loss,
    :class:`~gersp_mm.engine.hooks.AtomicCheckpointHook` writes checkpoints atomically). A runner of your own
    keeps everything when it derives from :class:`CrashSafeRunner`.

    Args:
        cfg (Config): A complete training config.

    Returns:
        Runner: The runner, built with its ``from_cfg``.
    """
    if 'runner_type' in cfg:
        return RUNNERS.build(cfg)
    return CrashSafeRunner.from_cfg(cfg)
