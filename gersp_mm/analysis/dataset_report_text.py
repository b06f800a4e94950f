# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The report of one split's dataset (:class:`~.dataset_report.SplitReport`) as text lines."""
from typing import Sequence

from .dataset_report import SEG_IGNORE_INDEX, SplitReport


def format_report(report: SplitReport, max_named: int = 5) -> str:
    """The report of one split as text lines."""
    head = f'== {report.split} ({report.split}_dataloader.dataset): {report.dataset_type}'
    if report.same_as:
        return f'{head}: the same dataset as {report.same_as}'
    if report.error:
        return f'{head}: CANNOT BUILD\n  {report.error}'
    counted = dict(det='objects', seg='labelled pixels', cls='images')[report.task]
    lines = [f'{head}, {report.num_samples} images', f'  {counted} per class ({len(report.classes)} classes):']
    width = max((len(name) for name in report.per_class), default=0)
    lines += [f'    {name:<{width}}  {count}' for name, count in report.per_class.items()]
    total = sum(report.per_class.values())
    if report.task == 'det':
        lines.append(f'  objects: {total} ({report.ignored} ignored/difficult); images without objects: '
                     f'{report.without_objects}')
        widened = sum(fix.widened for fix in report.box_fixes)
        clipped = sum(fix.clipped for fix in report.box_fixes)
        lines.append(f'  boxes fixed at load time: {widened} degenerate widened to 1 px, {clipped} clipped to '
                     'the image' + (': ' + _first(report.box_fixes, max_named, str_of=lambda fix: fix.describe())
                                    if report.box_fixes else ''))
    elif report.task == 'seg':
        lines.append(f'  labelled pixels: {total}; ignored pixels (label {SEG_IGNORE_INDEX}): {report.ignored}')
    sizes = ', '.join(f'{w}x{h}: {n}' for (w, h), n in sorted(report.image_sizes.items(), key=lambda kv: -kv[1]))
    lines.append(f'  image sizes (width x height: images): {sizes or "-"}')
    if report.task != 'cls':
        lines.append(f'  classes without {counted}: ' + (f'{len(report.empty_classes)}: '
                                                          f'{_first(report.empty_classes, max_named)}'
                                                          if report.empty_classes else 'none'))
    checks = [('missing files', report.missing), ('unreadable images', report.unreadable)]
    if report.task == 'cls':
        checks.append(('classes without images', report.empty_classes))
    if report.task == 'det':
        checks.append(('image size differs from the annotation', report.size_mismatches))
    for title, items in checks:
        lines.append(f'  {title}: ' + (f'{len(items)}: {_first(items, max_named)}' if items else 'none'))
    return '\n'.join(lines)


def _first(items: Sequence, count: int, str_of=str) -> str:
    shown = ', '.join(str_of(item) for item in items[:count])
    return shown + (f', ... ({len(items) - count} more)' if len(items) > count else '')
