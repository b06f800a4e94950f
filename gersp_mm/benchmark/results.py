# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Final results of benchmark runs, read from mmengine's logs, and the results table, CSV and plot.

**Final result of a run.** mmengine validates at the last epoch (iteration) of training whatever
``val_interval`` is, and logs the metrics of every validation to ``<timestamp>/vis_data/scalars.json`` (one
JSON record per line; ``step`` is the epoch, or the iteration when the logger hook has
``log_metric_by_epoch=False`` as in mmseg), next to the config of the run (``<timestamp>/vis_data/config.py``,
after ``--cfg-options``). The final result of a work dir is the primary metric of its newest log folder that
logged the metric, provided that record is at the final step of that folder's config (``train_cfg.max_epochs``
or ``max_iters``). A work dir whose newest validation is earlier (interrupted) has no final result. For
the configs of this repository the validation and test sets are the same split, so the final validation is
the number the paper's tables report (the model after the last epoch, no checkpoint selection).
"""
import csv
import json
import math
import os
import os.path as osp
import re
import statistics
from dataclasses import dataclass
from typing import Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple

from mmengine.config import Config

from ..fileio import atomic_write
from .tasks import PAPER_COLUMN_TITLES, PAPER_COLUMNS, TASKS, primary_metric

_LOG_DIR = re.compile(r'^\d{8}_\d{6}$')
_SEED_DIR = re.compile(r'^seed(\d+)$')
#: Init labels that are not checkpoints, placed after the checkpoints in the tables.
BASELINE_INITS = ('imagenet', 'random')


class FinalResult(NamedTuple):
    """The final result of a run, as logged.

    Attributes:
        metric (str): Metric key.
        value (float): Its value at the final validation, as logged (not scaled).
        step (int): The final epoch or iteration.
        log (str): The ``scalars.json`` it was read from.
    """

    metric: str
    value: float
    step: int
    log: str


def log_dirs(work_dir: str) -> List[str]:
    """The ``<timestamp>`` log folders of an mmengine work dir, newest first."""
    if not osp.isdir(work_dir):
        return []
    names = (name for name in os.listdir(work_dir) if _LOG_DIR.match(name) and osp.isdir(osp.join(work_dir, name)))
    return [osp.join(work_dir, name) for name in sorted(names, reverse=True)]


def _load_config(path: str) -> Config:
    return Config.fromfile(path, import_custom_modules=False)


def newest_config(work_dir: str) -> Optional[Config]:
    """The config of the newest run in ``work_dir`` (``<timestamp>/vis_data/config.py``), or None."""
    for log_dir in log_dirs(work_dir):
        path = osp.join(log_dir, 'vis_data', 'config.py')
        if osp.isfile(path):
            return _load_config(path)
    return None


def final_step(cfg: Config) -> int:
    """The ``step`` that mmengine logs the validation after the last training epoch / iteration with.

    Args:
        cfg (Config): The config of a run.

    Returns:
        int: ``train_cfg.max_epochs`` for epoch-based training logged by epoch, ``train_cfg.max_iters`` for
        iteration-based training logged by iteration.

    Raises:
        ValueError: For other combinations, whose final step the config does not tell.
    """
    train_cfg = cfg.get('train_cfg') or {}
    logger = (cfg.get('default_hooks') or {}).get('logger') or {}
    by_epoch = logger.get('log_metric_by_epoch', True)
    if 'max_epochs' in train_cfg and by_epoch:
        return int(train_cfg['max_epochs'])
    if 'max_iters' in train_cfg and not by_epoch:
        return int(train_cfg['max_iters'])
    raise ValueError(f'cannot tell the final validation step of train_cfg={dict(train_cfg)} with '
                     f'default_hooks.logger.log_metric_by_epoch={by_epoch} (supported: max_epochs with '
                     'log_metric_by_epoch=True, max_iters with log_metric_by_epoch=False)')


def _records(path: str) -> Iterator[dict]:
    """The JSON records of a JSON-lines log; a last line cut short by an interruption is ignored."""
    with open(path, encoding='utf-8') as f:
        lines = f.readlines()
    for line_no, line in enumerate(lines, start=1):
        if not line.strip() or (line_no == len(lines) and not line.endswith('\n')):
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise ValueError(f'{path}, line {line_no}: not a JSON record ({err})') from err
        if isinstance(record, dict):
            yield record


def read_final_result(work_dir: str, metric: str) -> Optional[FinalResult]:
    """The final result of a run (see the module docstring), or None if the run has not finished.

    Args:
        work_dir (str): The work dir of one run.
        metric (str): Metric key as logged, e.g. ``'accuracy/top1'``.

    Returns:
        FinalResult | None: The metric at the final validation of the newest log folder that logged it;
        None if there is no such folder or its last validation is not at the final step.

    Raises:
        ValueError: If a log is not JSON lines, or the final step cannot be told (:func:`final_step`).
    """
    for log_dir in log_dirs(work_dir):
        scalars = osp.join(log_dir, 'vis_data', 'scalars.json')
        config = osp.join(log_dir, 'vis_data', 'config.py')
        if not (osp.isfile(scalars) and osp.isfile(config)):
            continue
        last = None
        for record in _records(scalars):
            if metric in record:
                last = record
        if last is None:
            continue
        step = final_step(_load_config(config))
        if int(last.get('step', -1)) != step:
            return None
        return FinalResult(metric, float(last[metric]), step, scalars)
    return None


@dataclass(frozen=True)
class Summary:
    """The final results of the runs of one task and init, in the paper's unit (percent).

    Attributes:
        task (str): Task name.
        init (str): Init label.
        metric (str): Metric key as logged.
        seeds (tuple[int]): Seeds of the finished runs.
        values (tuple[float]): Their final results, scaled to percent.
    """

    task: str
    init: str
    metric: str
    seeds: Tuple[int, ...]
    values: Tuple[float, ...]

    @property
    def mean(self) -> float:
        """Mean over the seeds."""
        return statistics.fmean(self.values)

    @property
    def std(self) -> float:
        """Sample standard deviation over the seeds (``ddof=1``; 0 for one run, as ``seed_stats``)."""
        return statistics.stdev(self.values) if len(self.values) > 1 else 0.0

    def __str__(self) -> str:
        return f'{self.mean:.2f} +- {self.std:.2f} (n={len(self.values)})'


def _metric_of(task: str, work_dir: str) -> Tuple[str, float]:
    """Metric key and scale of a run: from the task table, else from the run's own config."""
    if task in TASKS:
        return TASKS[task].metric, TASKS[task].scale
    cfg = newest_config(work_dir)
    if cfg is None:
        raise ValueError('no log folder with a config, and not a task of the table')
    return primary_metric(cfg)


def _subdirs(path: str) -> List[str]:
    return [name for name in os.listdir(path) if osp.isdir(osp.join(path, name))] if osp.isdir(path) else []


def _init_order(init: str) -> Tuple[int, str]:
    return (BASELINE_INITS.index(init) + 1 if init in BASELINE_INITS else 0, init)


def _task_order(task: str) -> Tuple[int, str]:
    names = list(TASKS)
    return (names.index(task), '') if task in names else (len(names), task)


def collect(work_dir: str) -> Tuple[List[Summary], List[str]]:
    """Read the final results of all runs under a benchmark work dir and group them by task and init.

    Runs are the folders ``<work_dir>/<task>/<init>/seed<N>``.

    Args:
        work_dir (str): The ``--work-dir`` of the benchmark.

    Returns:
        tuple[list[Summary], list[str]]: One summary per task and init with at least one finished run
        (tasks in the table's order, checkpoints before ``imagenet`` and ``random``), and one message
        per run without a final result.
    """
    found: Dict[Tuple[str, str], List[Tuple[int, float, str]]] = {}
    problems = []
    for task in sorted(_subdirs(work_dir), key=_task_order):
        for init in sorted(_subdirs(osp.join(work_dir, task))):
            runs = ((int(m.group(1)), name) for name in _subdirs(osp.join(work_dir, task, init))
                    if (m := _SEED_DIR.match(name)))
            for seed, name in sorted(runs):
                run_dir = osp.join(work_dir, task, init, name)
                try:
                    metric, scale = _metric_of(task, run_dir)
                    result = read_final_result(run_dir, metric)
                except ValueError as err:
                    problems.append(f'{run_dir}: {err}')
                    continue
                if result is None:
                    problems.append(f'{run_dir}: no final result (not finished)')
                else:
                    found.setdefault((task, init), []).append((seed, result.value * scale, metric))
    summaries = [
        Summary(task, init, runs[0][2], tuple(seed for seed, _, _ in runs), tuple(value for _, value, _ in runs))
        for (task, init), runs in sorted(found.items(), key=lambda item: (_task_order(item[0][0]),
                                                                          _init_order(item[0][1])))
    ]
    return summaries, problems


def _paper_value(task: str, column: str) -> Optional[float]:
    return TASKS[task].paper.get(column) if task in TASKS else None


def _format(value: Optional[float]) -> str:
    return '-' if value is None else f'{value:g}'


def format_markdown(summaries: Sequence[Summary], work_dir: str) -> str:
    """The results as a Markdown document: one row per task, one column per init, then the paper's numbers.

    Args:
        summaries (Sequence[Summary]): From :func:`collect`.
        work_dir (str): The benchmark work dir, named in the text.

    Returns:
        str: The document.
    """
    tasks = list(dict.fromkeys(summary.task for summary in summaries))
    inits = sorted({summary.init for summary in summaries}, key=_init_order)
    cells = {(summary.task, summary.init): str(summary) for summary in summaries}
    metrics = {summary.task: summary.metric for summary in summaries}
    header = ['task', 'metric', *inits, *(f'paper: {PAPER_COLUMN_TITLES[c]}' for c in PAPER_COLUMNS)]
    lines = [
        '# Benchmark results', '',
        f'Runs in `{work_dir}` (`<task>/<init>/seed<N>`). Each cell: mean +- sample standard deviation over '
        'seeds of the final validation of each run, n = number of finished runs; in percent (detection: VOC '
        'mAP@0.5 x 100). Paper: the numbers published in the GeRSP paper (ResNet-50).', '',
        '| ' + ' | '.join(header) + ' |',
        '|' + '---|' * len(header),
    ]
    for task in tasks:
        row = [task, metrics[task], *(cells.get((task, init), '-') for init in inits),
               *(_format(_paper_value(task, column)) for column in PAPER_COLUMNS)]
        lines.append('| ' + ' | '.join(row) + ' |')
    notes = [f'- {task}: {TASKS[task].note}' for task in tasks if task in TASKS and TASKS[task].note]
    if notes:
        lines += ['', 'Notes:', *notes]
    return '\n'.join(lines) + '\n'


CSV_FIELDS = ('task', 'init', 'metric', 'n', 'mean', 'std', 'seeds', 'values',
              *(f'paper_{column}' for column in PAPER_COLUMNS))


def write_csv(summaries: Sequence[Summary], path: str) -> None:
    """Write one CSV row per task and init (:data:`CSV_FIELDS`; seeds and values separated by ``;``)."""
    with atomic_write(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(CSV_FIELDS)
        for s in summaries:
            paper = (_paper_value(s.task, column) for column in PAPER_COLUMNS)
            writer.writerow([s.task, s.init, s.metric, len(s.values), f'{s.mean:.4f}', f'{s.std:.4f}',
                             ';'.join(map(str, s.seeds)), ';'.join(f'{v:.4f}' for v in s.values),
                             *('' if v is None else f'{v:g}' for v in paper)])


def plot(summaries: Sequence[Summary], path: str) -> None:
    """Bar plot (PNG): per task one bar per init (mean, std as error bar), the paper's numbers as lines.

    Args:
        summaries (Sequence[Summary]): From :func:`collect`.
        path (str): The PNG file to write.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    tasks = list(dict.fromkeys(summary.task for summary in summaries))
    inits = sorted({summary.init for summary in summaries}, key=_init_order)
    by_key = {(summary.task, summary.init): summary for summary in summaries}
    width = 0.8 / len(inits)
    fig = Figure(figsize=(max(4.0, 0.5 * len(tasks) * (len(inits) + 1)) + 3.0, 4.5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for i, init in enumerate(inits):
        xs, means, stds = [], [], []
        for t, task in enumerate(tasks):
            if (task, init) in by_key:
                xs.append(t - 0.4 + (i + 0.5) * width)
                means.append(by_key[task, init].mean)
                stds.append(by_key[task, init].std)
        ax.bar(xs, means, width, yerr=stds, capsize=3, label=init)
    styles = dict(zip(PAPER_COLUMNS, ('-', '--', ':', '-.')))
    for column in PAPER_COLUMNS:
        label = f'paper: {PAPER_COLUMN_TITLES[column]}'
        for t, task in enumerate(tasks):
            value = _paper_value(task, column)
            if value is not None:
                ax.hlines(value, t - 0.45, t + 0.45, colors='black', linestyles=styles[column], linewidth=1,
                          label=label)
                label = None
    values = [v for s in summaries for v in s.values] + [
        v for task in tasks for c in PAPER_COLUMNS if (v := _paper_value(task, c)) is not None]
    finite = [v for v in values if math.isfinite(v)]
    ax.set_ylim(bottom=max(0.0, math.floor(min(finite) / 10) * 10 - 10) if finite else 0.0)
    ax.set_xticks(range(len(tasks)))
    ax.set_xticklabels(tasks, rotation=30, ha='right')
    ax.set_ylabel('final result (%)')
    ax.set_title('Benchmark: mean +- std over seeds')
    ax.legend(fontsize='small', loc='upper left', bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    with atomic_write(path) as file:
        fig.savefig(file, format='png', dpi=100)
