# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The downstream benchmark suite behind ``tools/downstream_benchmark.py``.

- :mod:`.tasks`: the task table (configs per init variant, primary metric, the paper's numbers), fine-tuning and
  frozen tasks;
- :mod:`.inits`: backbone inits (a checkpoint, ``imagenet``, ``random``): label and config variant;
- :mod:`.cli`: the command line of ``tools/downstream_benchmark.py``;
- :mod:`.runs`: the run plan, skip / resume decisions and the train (or frozen-evaluation) commands;
- :mod:`.results`: the final result of one run, from mmengine's logs (``tools/frozen_eval.py``'s);
- :mod:`.summary`: the results of a work dir grouped by task and init, one
  :class:`~gersp_mm.analysis.seed_summary.Summary` each (mean and spread over seeds);
- :mod:`.report`: the results table next to the paper's numbers, the CSV file and the plot;
- :mod:`.preflight`: data paths and checkpoint fit, checked before anything runs;
- :mod:`.data_roots`: per-task data roots (``--data-root TASK=PATH``) and the roots each task reads.

The demo (:mod:`gersp_mm.demo`) speaks the same vocabulary: its tasks are :class:`TaskSpec`, its inits
:class:`Init`.
"""
from .data_roots import data_root_options, parse_data_roots, training_data_roots
from .inits import NAMED_INITS, Init, parse_init
from .preflight import check_data, checkpoint_depth, load_plan_configs, parse_cfg_options, preflight
from .report import CSV_FIELDS, format_markdown, plot, write_csv
from .results import FinalResult, final_step, newest_config, read_final_result, read_frozen_result
from .runs import (
    LAUNCHERS,
    Command,
    Run,
    RunState,
    display_path,
    frozen_command,
    inspect_run,
    plan_runs,
    run_command,
    train_command,
)
from .summary import collect
from .tasks import (
    EVALUATOR_METRICS,
    FROZEN_METRIC,
    KINDS,
    PAPER_COLUMN_TITLES,
    PAPER_COLUMNS,
    TASKS,
    VARIANTS,
    TaskSpec,
    primary_metric,
    resolve_task,
    variant_configs,
)

__all__ = [
    'data_root_options', 'parse_data_roots', 'training_data_roots', 'NAMED_INITS', 'Init', 'parse_init',
    'check_data', 'checkpoint_depth', 'load_plan_configs', 'parse_cfg_options', 'preflight', 'CSV_FIELDS',
    'format_markdown', 'plot', 'write_csv', 'FinalResult', 'final_step', 'newest_config', 'read_final_result',
    'read_frozen_result', 'LAUNCHERS', 'Command', 'Run', 'RunState', 'display_path', 'frozen_command', 'inspect_run',
    'plan_runs', 'run_command', 'train_command', 'collect', 'EVALUATOR_METRICS', 'FROZEN_METRIC', 'KINDS',
    'PAPER_COLUMN_TITLES', 'PAPER_COLUMNS', 'TASKS', 'VARIANTS', 'TaskSpec', 'primary_metric', 'resolve_task',
    'variant_configs'
]
