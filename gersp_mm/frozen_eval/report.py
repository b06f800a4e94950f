# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The report of an evaluation: every number in a CSV and a JSON file, a Markdown table, and a plot of top-1
against the label fraction with the confidence bands, one line per backbone (one panel per protocol)."""
import csv
import json
import math
from dataclasses import asdict
from typing import List

from ..analysis.png_figure import new_figure, save_png
from ..fileio import atomic_write
from .evaluation import Evaluation

CSV_FIELDS = ('kind', 'backbone', 'versus', 'protocol', 'fraction', 'estimate', 'ci_low', 'ci_high', 'seed_std',
              'seeds', 'per_seed', 'num_test', 'excludes_zero')


def _percent(fraction: float) -> str:
    return f'{100 * fraction:g}%'


def write_csv(evaluation: Evaluation, path: str) -> None:
    """One row per accuracy (``kind=top1``) and per paired difference (``kind=difference``, ``versus`` = B)."""
    with atomic_write(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(CSV_FIELDS)
        for r in evaluation.accuracies:
            writer.writerow(['top1', r.backbone, '', r.protocol, f'{r.fraction:g}', f'{r.interval.estimate:.4f}',
                             f'{r.interval.low:.4f}', f'{r.interval.high:.4f}', f'{r.seed_std:.4f}',
                             ';'.join(map(str, r.seeds)), ';'.join(f'{v:.4f}' for v in r.per_seed), r.num_test, ''])
        for d in evaluation.differences:
            writer.writerow(['difference', d.backbone_a, d.backbone_b, d.protocol, f'{d.fraction:g}',
                             f'{d.interval.estimate:.4f}', f'{d.interval.low:.4f}', f'{d.interval.high:.4f}', '', '',
                             '', evaluation.num_test, str(not d.interval.contains_zero()).lower()])


def write_json(evaluation: Evaluation, path: str, settings: dict) -> None:
    """Every number and the settings they were measured with."""
    data = dict(settings=settings, num_train=evaluation.num_train, num_test=evaluation.num_test,
                num_classes=evaluation.num_classes, backbones=evaluation.backbones,
                accuracies=[dict(asdict(r), interval=r.interval._asdict(), seed_std=r.seed_std)
                            for r in evaluation.accuracies],
                differences=[dict(asdict(d), interval=d.interval._asdict(),
                                  excludes_zero=not d.interval.contains_zero()) for d in evaluation.differences])
    with atomic_write(path, 'w') as f:
        json.dump(data, f, indent=1)
        f.write('\n')


def format_markdown(evaluation: Evaluation, title: str, level: float) -> str:
    """The report as Markdown: per protocol a table (fractions x backbones) and the paired differences."""
    backbones = list(dict.fromkeys(r.backbone for r in evaluation.accuracies))
    protocols = list(dict.fromkeys(r.protocol for r in evaluation.accuracies))
    by_key = {(r.backbone, r.protocol, r.fraction): r for r in evaluation.accuracies}
    seeds = evaluation.accuracies[0].seeds if evaluation.accuracies else ()
    lines: List[str] = [
        f'# Frozen-backbone evaluation: {title}', '',
        f'{evaluation.num_train} training images (100 %), {evaluation.num_test} test images, '
        f'{evaluation.num_classes} classes; seeds {", ".join(map(str, seeds))}. Each cell: top-1 (%) averaged '
        f'over the seeds, its {100 * level:g}% bootstrap interval over the test images in brackets, and the '
        'standard deviation over the seeds (+-). Differences: paired bootstrap on the same test images and '
        'label subsets.', '']
    for protocol in protocols:
        fractions = sorted({r.fraction for r in evaluation.accuracies if r.protocol == protocol})
        lines += [f'## {protocol}', '', '| labels | ' + ' | '.join(backbones) + ' |',
                  '|---|' + '---|' * len(backbones)]
        for fraction in fractions:
            cells = []
            for backbone in backbones:
                r = by_key.get((backbone, protocol, fraction))
                cells.append('-' if r is None else f'{r.interval.estimate:.2f} [{r.interval.low:.2f}, '
                             f'{r.interval.high:.2f}] +- {r.seed_std:.2f}')
            lines.append(f'| {_percent(fraction)} | ' + ' | '.join(cells) + ' |')
        differences = [d for d in evaluation.differences if d.protocol == protocol]
        if differences:
            lines += ['', 'Paired differences:', '']
            lines += [f'- {_percent(d.fraction)} labels: {d.sentence}' for d in differences]
        lines.append('')
    return '\n'.join(lines)


def plot(evaluation: Evaluation, path: str, title: str) -> None:
    """PNG: per protocol a panel of top-1 against the label fraction (log axis), one line per backbone, its
    confidence interval as a shaded band."""
    backbones = list(dict.fromkeys(r.backbone for r in evaluation.accuracies))
    protocols = list(dict.fromkeys(r.protocol for r in evaluation.accuracies))
    fig = new_figure((4.5 * len(protocols) + 1.5, 4.0))
    axes = fig.subplots(1, len(protocols), squeeze=False)[0]
    for ax, protocol in zip(axes, protocols):
        for backbone in backbones:
            rows = sorted((r for r in evaluation.accuracies if r.backbone == backbone and r.protocol == protocol),
                          key=lambda r: r.fraction)
            xs = [100 * r.fraction for r in rows]
            line, = ax.plot(xs, [r.interval.estimate for r in rows], marker='o', label=backbone)
            ax.fill_between(xs, [r.interval.low for r in rows], [r.interval.high for r in rows],
                            color=line.get_color(), alpha=0.2, linewidth=0)
        fractions = sorted({100 * r.fraction for r in evaluation.accuracies if r.protocol == protocol})
        if len(fractions) > 1 and fractions[-1] / fractions[0] > 5:
            ax.set_xscale('log')
        ax.set_xticks(fractions)
        ax.set_xticklabels([f'{x:g}' for x in fractions])
        ax.set_xlabel('labelled training images (%)')
        ax.set_ylabel('top-1 (%)')
        ax.set_title(protocol)
        ax.grid(True, alpha=0.3)
        lows = [r.interval.low for r in evaluation.accuracies if r.protocol == protocol]
        if lows and all(math.isfinite(v) for v in lows):
            ax.set_ylim(bottom=max(0.0, math.floor(min(lows) / 10) * 10), top=100)
    axes[-1].legend(fontsize='small', loc='upper left', bbox_to_anchor=(1.01, 1.0))
    fig.suptitle(title)
    fig.tight_layout()
    save_png(fig, path)
