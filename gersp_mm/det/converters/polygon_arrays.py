# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Oriented objects as polygons: DOTA's quadrilaterals, their areas and the parts inside a window.

The areas are exact for simple (not self-intersecting) polygons, convex or not: a polygon is clipped to
the window with the Sutherland-Hodgman algorithm (exact for a convex clip region such as a rectangle) and
measured with the shoelace formula, in float64.
"""
from typing import Sequence

import numpy as np

from .box_arrays import polygon_to_hbb


def polygon_areas(polygons: np.ndarray) -> np.ndarray:
    """Areas of polygons given as rows of corner coordinates.

    Args:
        polygons (np.ndarray): Shape (N, 2K), ``x1, y1, ..., xK, yK`` per row (K = 4 for DOTA).

    Returns:
        np.ndarray: Shape (N,), the unsigned areas (float64).
    """
    polygons = np.asarray(polygons, dtype=np.float64)
    x, y = polygons[:, 0::2], polygons[:, 1::2]
    return 0.5 * np.abs((x * np.roll(y, -1, axis=1) - np.roll(x, -1, axis=1) * y).sum(axis=1))


def clip_polygon(points: np.ndarray, window: Sequence[float]) -> np.ndarray:
    """The part of a polygon inside an axis-aligned window (Sutherland-Hodgman).

    Args:
        points (np.ndarray): Shape (K, 2), the corners in order.
        window (Sequence[float]): ``(x0, y0, x1, y1)``.

    Returns:
        np.ndarray: Shape (M, 2), the corners of the clipped polygon; M = 0 when nothing is inside.
    """
    x0, y0, x1, y1 = window
    # each window side: the coordinate axis, the bound and the side of it that is inside
    for axis, bound, keep_above in ((0, x0, True), (0, x1, False), (1, y0, True), (1, y1, False)):
        if len(points) == 0:
            break
        offsets = points[:, axis] - bound if keep_above else bound - points[:, axis]
        inside = offsets >= 0
        clipped = []
        for index in range(len(points)):
            nxt = (index + 1) % len(points)
            if inside[index]:
                clipped.append(points[index])
            if inside[index] != inside[nxt]:
                t = offsets[index] / (offsets[index] - offsets[nxt])
                clipped.append(points[index] + t * (points[nxt] - points[index]))
        points = np.array(clipped, dtype=np.float64).reshape(-1, 2)
    return points


def areas_inside(polygons: np.ndarray, window: Sequence[float]) -> np.ndarray:
    """Area of each polygon inside a window.

    Args:
        polygons (np.ndarray): Shape (N, 8), ``x1, y1, ..., x4, y4`` per row.
        window (Sequence[float]): ``(x0, y0, x1, y1)``.

    Returns:
        np.ndarray: Shape (N,) (float64). Only polygons straddling a window side are clipped; one whose
        horizontal box lies inside the window counts whole, one whose box misses it counts 0.
    """
    polygons = np.asarray(polygons, dtype=np.float64).reshape(-1, 8)
    boxes = polygon_to_hbb(polygons)
    x0, y0, x1, y1 = window
    within = (boxes[:, 0] >= x0) & (boxes[:, 1] >= y0) & (boxes[:, 2] <= x1) & (boxes[:, 3] <= y1)
    apart = (boxes[:, 2] <= x0) | (boxes[:, 3] <= y0) | (boxes[:, 0] >= x1) | (boxes[:, 1] >= y1)
    areas = np.where(within, polygon_areas(polygons), 0.0)
    for index in np.flatnonzero(~within & ~apart):
        part = clip_polygon(polygons[index].reshape(4, 2), window)
        areas[index] = polygon_areas(part.reshape(1, -1))[0] if len(part) >= 3 else 0.0
    return areas


def polygon_inside_fractions(polygons: np.ndarray, windows: Sequence[Sequence[float]],
                             image_window: Sequence[float]) -> np.ndarray:
    """The fraction of each polygon's area inside the image that lies inside each window.

    Args:
        polygons (np.ndarray): Shape (N, 8), each with a positive area inside ``image_window``.
        windows (Sequence): P windows ``(x0, y0, x1, y1)`` inside the image.
        image_window (Sequence[float]): ``(0, 0, width, height)``.

    Returns:
        np.ndarray: Shape (P, N), values in [0, 1].
    """
    in_image = areas_inside(polygons, image_window)
    fractions = [areas_inside(polygons, window) / in_image for window in windows]
    return np.array(fractions, dtype=np.float64).reshape(len(windows), len(in_image))
