# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Boxes that reach beyond their image or have a side of zero length: the fix applied at load time.

mmdet's datasets keep such boxes as they are: a box beyond the image trains on pixels that do not exist,
and a box with ``x1 == x2`` or ``y1 == y2`` gives ``log(0)`` in the box coders (Faster R-CNN, RetinaNet)
and a zero-area target in IoU-based assigners (ATSS). The remote-sensing datasets of this package fix
them instead of dropping them, and name every fixed box in the log.
"""
from typing import List, NamedTuple, Sequence, Tuple


class BoxFix(NamedTuple):
    """One box changed by :func:`fit_box_to_image`."""

    source: str  # where the box comes from, e.g. '04137.xml' or 'val/P0770.txt:3'
    index: int  # index of the object in its source (-1 when the source names the line itself)
    original: Tuple[float, ...]  # x1, y1, x2, y2 as read
    fixed: Tuple[float, ...]  # x1, y1, x2, y2 as used
    clipped: bool  # it reached beyond the image
    widened: bool  # a side of zero length was widened to 1 px

    def name(self) -> str:
        """``'04137.xml obj 26'`` (or the source alone when ``index`` is -1)."""
        return self.source if self.index < 0 else f'{self.source} obj {self.index}'

    def describe(self) -> str:
        """``'04137.xml obj 26 [162, 329, 162, 330] -> [161, 329, 162, 330]'``."""
        return f'{self.name()} {format_box(self.original)} -> {format_box(self.fixed)}'


def box_outside_image(bbox: Sequence[float], width: float, height: float) -> bool:
    """Whether a box ``(x1, y1, x2, y2)`` lies entirely outside ``[0, width] x [0, height]``.

    A box touching the border from outside with a zero-length side (e.g. ``x1 == x2 == width``) still
    counts as inside: it marks the last pixel column or row.
    """
    x1, y1, x2, y2 = bbox
    return x1 > width or y1 > height or x2 < 0 or y2 < 0


def fit_box_to_image(bbox: Sequence[float], width: float,
                     height: float) -> Tuple[List[float], bool, bool]:
    """Clip a box to its image, then widen each side of zero length to 1 px inside the image.

    The widened side ends where it was (``[x - 1, x]``: in the ``x2 - x1`` width convention of mmdet's
    VOC-style datasets, which this package keeps, a box ending at ``x`` covers the pixel column ending
    at ``x``), and starts at 0 when ``x < 1``, so the box always covers one pixel of the image.

    Args:
        bbox (Sequence[float]): ``(x1, y1, x2, y2)`` with ``x1 <= x2`` and ``y1 <= y2``, not entirely
            outside the image (see :func:`box_outside_image`).
        width (float): Image width in pixels (at least 1).
        height (float): Image height in pixels (at least 1).

    Returns:
        tuple[list[float], bool, bool]: The fixed box, whether it was clipped, whether a side was
        widened.
    """
    x1, y1, x2, y2 = (float(value) for value in bbox)
    fixed = [min(max(x1, 0.0), width), min(max(y1, 0.0), height),
             min(max(x2, 0.0), width), min(max(y2, 0.0), height)]
    clipped = fixed != [x1, y1, x2, y2]
    widened = False
    for low, high in ((0, 2), (1, 3)):
        if fixed[high] == fixed[low]:
            fixed[low] = max(fixed[high] - 1.0, 0.0)
            fixed[high] = fixed[low] + 1.0
            widened = True
    return fixed, clipped, widened


def summarize_box_fixes(fixes: Sequence[BoxFix], max_named: int = 10) -> str:
    """A one-line summary of fixed boxes, e.g. ``'7 degenerate boxes widened to 1 px: 04137.xml obj 26
    [162, 329, 162, 330] -> [161, 329, 162, 330], ...; 0 boxes clipped to the image'``.

    Args:
        fixes (Sequence[BoxFix]): The fixes.
        max_named (int): How many boxes of each kind are named; the others are counted.

    Returns:
        str: The summary; ``''`` when there is no fix.
    """
    if not fixes:
        return ''
    parts = []
    for kind, selected in (('degenerate boxes widened to 1 px', [fix for fix in fixes if fix.widened]),
                           ('boxes clipped to the image', [fix for fix in fixes if fix.clipped])):
        named = ', '.join(fix.describe() for fix in selected[:max_named])
        more = f', and {len(selected) - max_named} more' if len(selected) > max_named else ''
        parts.append(f'{len(selected)} {kind}' + (f': {named}{more}' if selected else ''))
    return '; '.join(parts)


def format_box(box: Sequence[float]) -> str:
    """``'[162, 329, 162, 330]'``: a box's values in the shortest form (``:g``), for messages."""
    return '[' + ', '.join(f'{value:g}' for value in box) + ']'
