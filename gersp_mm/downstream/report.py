# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The downstream benchmark results as a markdown table next to the paper's numbers, a CSV file and a bar plot."""
import csv
import math
from typing import Optional, Sequence

from ..analysis.png_figure import new_figure, save_png
from ..analysis.seed_summary import Summary
from ..fileio import atomic_write
from .summary import init_order
from .tasks import PAPER_COLUMN_TITLES, PAPER_COLUMNS, TASKS


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
    inits = sorted({summary.init for summary in summaries}, key=init_order)
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
    tasks = list(dict.fromkeys(summary.task for summary in summaries))
    inits = sorted({summary.init for summary in summaries}, key=init_order)
    by_key = {(summary.task, summary.init): summary for summary in summaries}
    width = 0.8 / len(inits)
    fig = new_figure((max(4.0, 0.5 * len(tasks) * (len(inits) + 1)) + 3.0, 4.5))
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
    save_png(fig, path)
