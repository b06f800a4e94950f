# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The demo's results: the table (Markdown, the block the README shows), what the numbers show, the caveats."""
import math
from typing import Dict, List, Optional, Sequence

from gersp_mm.analysis.seed_summary import Summary

from .environment import describe_environment
from .plan import DEMO_INITS, DEMO_TASKS, KNN_METRIC, PRETRAININGS, init_titles
from .synthetic_scenes import SCENE_CLASSES

#: Row of the k-NN monitor in the results table (final value of each pre-training).
KNN_ROW = ('pre-training monitor: k-NN on the NWPU-format scenes, final', 'top-1 (%)')
#: Start and end of the results block in README.md (the demo writes the block between them).
README_BEGIN = '<!-- demo-results: begin (written by tools/demo.py, results.md) -->'
README_END = '<!-- demo-results: end -->'


def format_cell(summary: Summary) -> str:
    """``'79.00'`` for one seed, ``'79.00 ± 1.23'`` (sample standard deviation) for several."""
    return f'{summary.mean:.2f}' if len(summary.values) == 1 else f'{summary.mean:.2f} ± {summary.std:.2f}'


def results_table(summaries: Sequence[Summary]) -> List[str]:
    """The results as Markdown table lines: one row per task (and the k-NN monitor), one column per init.

    Args:
        summaries (Sequence[Summary]): The runs' results, ``task`` being a task name or ``'knn'`` and ``init``
            an init label (see :mod:`.plan`).

    Returns:
        list[str]: The lines of the table; a missing result is ``-``.
    """
    cells = {(summary.task, summary.init): format_cell(summary) for summary in summaries}
    header = ['task', 'metric', *(init.title for init in DEMO_INITS)]
    rows = [(task.name, task.title, task.metric_title) for task in DEMO_TASKS.values()] + [('knn', *KNN_ROW)]
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    for name, title, metric in rows:
        values = [cells.get((name, init.label), '-') for init in DEMO_INITS]
        lines.append('| ' + ' | '.join([title, metric, *values]) + ' |')
    return lines


def exceeds_spread(first: Summary, second: Summary) -> Optional[bool]:
    """Whether the difference of the means exceeds twice its standard error (from the seeds' spread); None when
    either has one seed (the run-to-run spread is then unknown)."""
    if len(first.values) < 2 or len(second.values) < 2:
        return None
    error = math.sqrt(first.std**2 / len(first.values) + second.std**2 / len(second.values))
    return abs(first.mean - second.mean) > 2 * error


def _difference(first: Summary, second: Summary) -> str:
    """``'+3.20'``, with ``(clear)`` / ``(within noise)`` when both have several seeds."""
    clear = exceeds_spread(first, second)
    return f'{first.mean - second.mean:+.2f}' + ('' if clear is None else ' (clear)' if clear else ' (within noise)')


def findings(summaries: Sequence[Summary]) -> List[str]:
    """What the numbers show, in sentences derived from them (nothing is claimed that they do not show).

    For each task: GeRSP's difference with each other init; then on how many tasks GeRSP beats
    both single-source pre-trainings, and how much a single seed can be trusted.
    """
    by_key: Dict[tuple, Summary] = {(summary.task, summary.init): summary for summary in summaries}
    titles = init_titles()
    lines, wins, clear_wins, compared = [], 0, 0, 0
    for task in DEMO_TASKS.values():
        gersp = by_key.get((task.name, 'gersp'))
        others = [init.label for init in DEMO_INITS
                  if init.label != 'gersp' and (task.name, init.label) in by_key]
        if gersp is None or not others:
            continue
        differences = ', '.join(f'{_difference(gersp, by_key[(task.name, other)])} vs {titles[other]}'
                                for other in others)
        lines.append(f'{task.title}: GeRSP {format_cell(gersp)} {task.metric_title}; {differences}.')
        single_source = [by_key[(task.name, init.label)] for init in PRETRAININGS
                         if init.label != 'gersp' and (task.name, init.label) in by_key]
        if single_source:
            compared += 1
            wins += all(gersp.mean > other.mean for other in single_source)
            clear_wins += all(gersp.mean > other.mean and exceeds_spread(gersp, other) for other in single_source)
    seeds = max((len(summary.values) for summary in summaries), default=0)
    if compared:
        clearly = f' (beyond the spread of the seeds on {clear_wins})' if seeds > 1 else ''
        lines.append(f'GeRSP beats both single-source pre-trainings on {wins} of {compared} tasks{clearly}'
                     + ('.' if wins == compared else ': these numbers do not show that combining the sources beats '
                        'each source alone on every task.'))
    knn = {init.label: by_key[('knn', init.label)] for init in PRETRAININGS if ('knn', init.label) in by_key}
    if knn:
        best = max(knn, key=lambda key: knn[key].mean)
        lines.append(f'The k-NN monitor ends highest for {titles[best]} ({format_cell(knn[best])}%; chance is '
                     f'{100 / len(SCENE_CLASSES):.1f}%).')
    if seeds == 1:
        lines.append('One seed per run: the run-to-run spread is not measured, so these numbers cannot tell whether '
                     'any difference above exceeds it (a rerun, even of the same seed, can differ by several '
                     'points); `--seeds 0 1 2` measures it.')
    elif seeds > 1:
        lines.append(f'{seeds} seeds: mean ± sample standard deviation; a difference is "clear" when it exceeds '
                     'twice its standard error.')
    return lines


def caveats(quick: bool) -> List[str]:
    """The limits of the comparison, printed with every result."""
    lines = [
        'Synthetic and tiny: procedurally drawn 96-px scenes and 80-px patterns, ResNet-18, minutes of CPU '
        'training. The numbers show the mechanics of GeRSP and its baselines, not the paper\'s results '
        '(ResNet-50, Million-AID + ImageNet-1k, 100 epochs on 8 GPUs).',
        'Detection covers 5 of DIOR\'s 20 classes (airplane, storage tank, vehicle, ship, tennis court), '
        'classification 8 of NWPU-RESISC45\'s 45 classes.',
        'The detector freezes the stem and stage 1 and keeps BN in eval mode for every init (the DIOR recipe): '
        'a random init keeps a random stem and the BN statistics of initialisation, so the gap to random '
        'overstates what pre-training buys.',
        'The natural source is synthetic shapes and textures (8 classes), not ImageNet photos.',
        'Each pre-training sees the same aerial and/or natural images for the same number of iterations; GeRSP '
        'computes both losses per iteration, so it costs more per iteration than either baseline.',
    ]
    if quick:
        lines.insert(0, 'QUICK RUN: a few iterations on a handful of images, to check that every step runs; '
                        'its numbers mean nothing.')
    return lines


def knn_summaries(values: Dict[str, List[float]], seeds: Sequence[int]) -> List[Summary]:
    """Summaries of the final k-NN monitor values: ``values`` maps an init label to one value per seed."""
    return [Summary('knn', label, KNN_METRIC, tuple(seeds), tuple(runs)) for label, runs in values.items()]


def results_header(command: str, num_seeds: int, duration: str, environment: Dict[str, object]) -> str:
    """The first line of the results block: how the numbers were made and with what (see
    :func:`~gersp_mm.demo.environment.run_environment`)."""
    return f'`{command}`: {num_seeds} seed(s), {duration}; {describe_environment(environment)}.'


def results_block(summaries: Sequence[Summary], header: str, quick: bool) -> str:
    """The Markdown block of ``results.md`` (and of README.md between :data:`README_BEGIN` and :data:`README_END`).

    Args:
        summaries (Sequence[Summary]): The results.
        header (str): How the numbers were made (:func:`results_header`).
        quick (bool): A ``--quick`` run (says so in the caveats).
    """
    lines = [header, '', *results_table(summaries), '', *(f'- {line}' for line in findings(summaries)), '',
             'Caveats:', '', *(f'- {line}' for line in caveats(quick))]
    return '\n'.join(lines) + '\n'
