# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Oriented boxes (4-corner polygons) of zero area: the fix applied at load time.

A polygon whose corners all lie on one line or one point (DIOR-R has four, ships marked by one or two
pixels) becomes a rotated box with a side of zero length: mmrotate's box coders then take ``log(0)`` and
its rotated IoU is 0 against every anchor. Kept as the object it marks, it is widened to 1 px across its
line (and to 1 px along it when it is a single point), centred on what was written.
"""
from typing import List, Optional, Sequence

import numpy as np

from .box_fixes import BoxFix


def polygon_bounds(polygon: Sequence[float]) -> List[float]:
    """The horizontal bounding box ``[x1, y1, x2, y2]`` of a polygon ``[x1, y1, x2, y2, ...]``."""
    xs, ys = polygon[0::2], polygon[1::2]
    return [min(xs), min(ys), max(xs), max(ys)]


def widen_zero_area_polygon(polygon: Sequence[float]) -> Optional[List[float]]:
    """The 1-px-wide rectangle replacing a zero-area polygon, or None if the polygon has an area.

    The corners of a zero-area polygon lie on the segment between its two farthest corners (or on one
    point). The replacement is that segment, lengthened to 1 px about its centre when shorter, with a
    width of 1 px centred on it: e.g. ``[162, 329, 162, 330, 162, 330, 162, 329]`` (DIOR-R 04137.xml, a
    ship) becomes ``[162.5, 329, 162.5, 330, 161.5, 330, 161.5, 329]``, and the point ``(530, 330)``
    (15504.xml) the 1x1 square ``[529.5, 329.5, 530.5, 329.5, 530.5, 330.5, 529.5, 330.5]``.

    Args:
        polygon (Sequence[float]): ``[x1, y1, ..., x4, y4]``, the four corners in pixels.

    Returns:
        list[float] | None: The four corners of the replacement (same layout), or None when the corners
        are not all on one line.
    """
    points = np.asarray(polygon, dtype=np.float64).reshape(4, 2)
    squared = ((points[:, None] - points[None]) ** 2).sum(-1)
    first, last = np.unravel_index(squared.argmax(), squared.shape)
    start, end = points[first], points[last]
    axis = end - start
    off_axis = axis[0] * (points[:, 1] - start[1]) - axis[1] * (points[:, 0] - start[0])
    if np.any(off_axis != 0):
        return None
    length = float(np.hypot(*axis))
    direction = axis / length if length > 0 else np.array([1.0, 0.0])
    if length < 1:
        centre = (start + end) / 2
        start, end = centre - direction / 2, centre + direction / 2
    half_normal = np.array([direction[1], -direction[0]]) / 2
    corners = [start + half_normal, end + half_normal, end - half_normal, start - half_normal]
    return [float(value) + 0.0 for corner in corners for value in corner]  # + 0.0: no -0.0


def summarize_polygon_fixes(fixes: Sequence[BoxFix], max_named: int = 10) -> str:
    """A one-line summary of widened polygons, e.g. ``'3 zero-area polygons widened to 1 px: 04137.xml obj 13
    [162, 329, 162, 330, 162, 330, 162, 329] -> [162.5, 329, 162.5, 330, 161.5, 330, 161.5, 329], ...'``.

    Args:
        fixes (Sequence[BoxFix]): The fixes (:func:`widen_zero_area_polygon` results).
        max_named (int): How many polygons are named; the others are counted.

    Returns:
        str: The summary; ``''`` when there is no fix.
    """
    if not fixes:
        return ''
    named = ', '.join(fix.describe() for fix in fixes[:max_named])
    more = f', and {len(fixes) - max_named} more' if len(fixes) > max_named else ''
    return f'{len(fixes)} zero-area polygons widened to 1 px: {named}{more}'

