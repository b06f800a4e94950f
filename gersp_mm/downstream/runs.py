# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Benchmark runs: the plan (task x init x seed), what to do with each run, its command.

A run is one fine-tuning of one task from one backbone init (:mod:`.inits`) with one seed, in its own work dir
``<work_dir>/<task>/<init label>/seed<N>``. Its action follows from that work dir:

- ``skip``: the work dir has its final result (:func:`gersp_mm.downstream.results.read_final_result`);
- ``resume``: no final result, but a checkpoint (mmengine's ``last_checkpoint`` file): ``tools/train.py
  --resume`` continues from it;
- ``start``: neither (a work dir with logs but no checkpoint starts again from scratch).

A run of a frozen task (``TaskSpec.kind == 'frozen'``) is ``tools/frozen_eval.py`` for its init and seed
(:func:`frozen_command`): finished when its ``results.json`` exists, otherwise started (the tool itself
reuses the features and predictions an interrupted run saved).
"""
import os
import os.path as osp
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from typing import List, Mapping, NamedTuple, Optional, Sequence, Tuple

from ..utils.package_files import tool_path
from .inits import NAMED_INITS, Init
from .results import FinalResult, newest_config, read_final_result
from .tasks import TaskSpec

LAUNCHERS = ('local', 'slurm')


@dataclass(frozen=True)
class Run:
    """One fine-tuning run.

    Attributes:
        task (TaskSpec): The task.
        init (Init): The backbone init.
        seed (int): ``randomness.seed``.
        work_dir (str): Its work dir.
    """

    task: TaskSpec
    init: Init
    seed: int
    work_dir: str

    @property
    def name(self) -> str:
        """``<task>/<init>/seed<N>``: also the work dir below the benchmark's."""
        return f'{self.task.name}/{self.init.label}/seed{self.seed}'

    @property
    def config(self) -> str:
        """The config file of the run."""
        return self.task.configs[self.init.variant]


def plan_runs(tasks: Sequence[TaskSpec], inits: Sequence[Init], seeds: Sequence[int], work_dir: str) -> List[Run]:
    """All runs of a benchmark, ordered by task, then init, then seed.

    Raises:
        ValueError: If two tasks or inits share a name, a seed repeats, or a task has no config for an init.
    """
    labels = [init.label for init in inits]
    if len(set(labels)) != len(labels):
        raise ValueError(f'init labels must differ, got {labels}: give checkpoints labels with LABEL=PATH')
    names = [task.name for task in tasks]
    if len(set(names)) != len(names):
        raise ValueError(f'tasks repeat: {names}')
    if len(set(seeds)) != len(seeds):
        raise ValueError(f'seeds repeat: {list(seeds)}')
    runs = []
    for task in tasks:
        for init in inits:
            if init.variant not in task.configs:
                raise ValueError(f'task {task.name!r} has no {init.variant!r} config for the {init.label!r} init '
                                 f'(configs: {dict(task.configs)})')
            runs += [Run(task, init, seed, osp.join(work_dir, task.name, init.label, f'seed{seed}'))
                     for seed in seeds]
    return runs


class RunState(NamedTuple):
    """What to do with a run: ``action`` (``'skip'``, ``'resume'``, ``'start'``) and its final result if any."""

    action: str
    result: Optional[FinalResult] = None


def _same_checkpoint(a: str, b: str) -> bool:
    return a == b or ('://' not in a and '://' not in b and osp.realpath(a) == osp.realpath(b))


def inspect_run(run: Run) -> RunState:
    """Decide from its work dir whether a run is finished, to be resumed, or to be started.

    Raises:
        ValueError: If the work dir holds a run from another checkpoint than ``run.init.checkpoint`` (the
            label is reused), or its logs cannot be read.
    """
    if run.init.checkpoint is not None:
        cfg = newest_config(run.work_dir)
        used = cfg.get('model', {}).get('backbone', {}).get('init_cfg') if cfg is not None else None
        if isinstance(used, dict) and 'checkpoint' in used and not _same_checkpoint(str(used['checkpoint']),
                                                                                    run.init.checkpoint):
            raise ValueError(f'{run.work_dir} holds a run initialised from {used["checkpoint"]}, not '
                             f'{run.init.checkpoint}: give this checkpoint another label (LABEL=PATH) or use '
                             'another --work-dir')
    result = read_final_result(run.work_dir, run.task.metric)
    if result is not None:
        return RunState('skip', result)
    if osp.isfile(osp.join(run.work_dir, 'last_checkpoint')):
        return RunState('resume')
    return RunState('start')


@dataclass(frozen=True)
class Command:
    """A command line: ``argv`` run with ``env`` added to the environment."""

    argv: Tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return ' '.join([f'{key}={shlex.quote(value)}' for key, value in self.env.items()] + [shlex.join(self.argv)])


def display_path(path: str) -> str:
    """``path`` relative to the current directory when it lies below it, else absolute."""
    relative = osp.relpath(osp.abspath(path))
    return osp.abspath(path) if relative.startswith('..') else relative


def train_command(run: Run,
                  action: str,
                  launcher: str = 'local',
                  gpus: int = 1,
                  partition: Optional[str] = None,
                  train_args: Sequence[str] = (),
                  cfg_options: Sequence[str] = (),
                  python: str = sys.executable) -> Command:
    """The command that trains (or resumes) a run with the repository's tools.

    Args:
        run (Run): The run.
        action (str): ``'start'`` or ``'resume'`` (adds ``--resume``).
        launcher (str): ``'local'``: ``tools/train.py`` with one GPU, ``tools/dist_train.sh`` (torchrun) with
            more; ``'slurm'``: ``tools/slurm_train.sh``.
        gpus (int): Number of GPUs (processes).
        partition (str, optional): SLURM partition; required with ``launcher='slurm'``.
        train_args (Sequence[str]): More ``tools/train.py`` flags, e.g. ``('--amp',)``.
        cfg_options (Sequence[str]): ``KEY=VALUE`` config overrides, after the seed and the checkpoint.
        python (str): Python interpreter of the local launcher.

    Returns:
        Command: The command.
    """
    if launcher not in LAUNCHERS:
        raise ValueError(f'launcher must be one of {LAUNCHERS}, got {launcher!r}')
    if run.task.kind == 'frozen':
        return frozen_command(run, cfg_options, python)
    if launcher == 'slurm' and not partition:
        raise ValueError('the slurm launcher needs a partition')
    options = [f'randomness.seed={run.seed}']
    if run.init.checkpoint is not None:
        options.append(f'model.backbone.init_cfg.checkpoint={run.init.checkpoint}')
    args = [*(['--resume'] if action == 'resume' else []), *train_args, '--cfg-options', *options, *cfg_options]
    config = display_path(run.config)
    if launcher == 'slurm':
        job_name = run.name.replace('/', '_')
        return Command((display_path(tool_path('slurm_train.sh')), partition, job_name, config, run.work_dir, *args),
                       {'GPUS': str(gpus)})
    args = ['--work-dir', run.work_dir, *args]
    if gpus == 1:
        return Command((python, display_path(tool_path('train.py')), config, *args))
    return Command(('bash', display_path(tool_path('dist_train.sh')), config, str(gpus), *args), {'PYTHON': python})


def frozen_command(run: Run, cfg_options: Sequence[str] = (), python: str = sys.executable) -> Command:
    """The ``tools/frozen_eval.py`` command of a frozen run: its init and seed, every protocol and label
    fraction, the run's work dir; the feature cache shared by the task's runs (``<task dir>/features``).

    Frozen runs are one process on this machine whatever the launcher and GPU count (the tool uses a GPU when
    there is one); the tool resumes an interrupted run from its saved predictions.
    """
    named = {variant: label for label, variant in NAMED_INITS.items()}  # the tool names them as the suite does
    backbone = named.get(run.init.variant, run.init.checkpoint)
    cache = osp.join(osp.dirname(osp.dirname(run.work_dir)), 'features')
    argv = [python, display_path(tool_path('frozen_eval.py')), display_path(run.config),
            f'{run.init.label}={backbone}', '--seeds', str(run.seed), '--work-dir', run.work_dir,
            '--cache-dir', cache]
    if cfg_options:
        argv += ['--cfg-options', *cfg_options]
    return Command(tuple(argv))


def run_command(command: Command) -> int:
    """Run a command in the foreground (its output goes to this process's); returns its exit code."""
    return subprocess.run(command.argv, env={**os.environ, **command.env}).returncode
