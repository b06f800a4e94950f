# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The downstream benchmark suite behind ``tools/downstream_benchmark.py``.

- :mod:`.tasks`: the task table (configs per init variant, primary metric, the paper's numbers);
- :mod:`.cli`: the command line of ``tools/downstream_benchmark.py``;
- :mod:`.runs`: backbone inits, the run plan, skip / resume decisions and the train commands;
- :mod:`.results`: the final result of one run, from mmengine's logs;
- :mod:`.summary`: the results of a work dir grouped by task and init, one
  :class:`~gersp_mm.analysis.seed_summary.Summary` each (mean and spread over seeds);
- :mod:`.report`: the results table next to the paper's numbers, the CSV file and the plot;
- :mod:`.preflight`: data paths and checkpoint fit, checked before anything runs;
- :mod:`.data_roots`: per-task data roots (``--data-root TASK=PATH``) and the roots each task reads.
"""
from ..analysis.scalar_logs import log_dirs
from ..analysis.seed_summary import Summary
from .data_roots import data_root_options, parse_data_roots, training_data_roots
from .preflight import check_data, checkpoint_depth, load_plan_configs, parse_cfg_options, preflight
from .report import CSV_FIELDS, format_markdown, plot, write_csv
from .results import BASELINE_INITS, FinalResult, final_step, newest_config, read_final_result
from .runs import (
    LAUNCHERS,
    NAMED_INITS,
    Command,
    Init,
    Run,
    RunState,
    display_path,
    inspect_run,
    parse_init,
    plan_runs,
    run_command,
    train_command,
)
from .summary import collect
from .tasks import (
    EVALUATOR_METRICS,
    PAPER_COLUMN_TITLES,
    PAPER_COLUMNS,
    TASKS,
    VARIANTS,
    TaskSpec,
    config_root,
    primary_metric,
    resolve_task,
)

__all__ = [
    'data_root_options', 'parse_data_roots', 'training_data_roots', 'check_data', 'checkpoint_depth',
    'load_plan_configs', 'parse_cfg_options', 'preflight',
    'BASELINE_INITS', 'CSV_FIELDS', 'FinalResult', 'Summary', 'collect', 'final_step', 'format_markdown',
    'log_dirs', 'newest_config', 'plot', 'read_final_result', 'write_csv', 'LAUNCHERS', 'NAMED_INITS', 'Command',
    'Init', 'Run', 'RunState', 'display_path', 'inspect_run', 'parse_init', 'plan_runs', 'run_command',
    'train_command', 'EVALUATOR_METRICS', 'PAPER_COLUMN_TITLES', 'PAPER_COLUMNS', 'TASKS', 'VARIANTS', 'TaskSpec',
    'config_root', 'primary_metric', 'resolve_task'
]
