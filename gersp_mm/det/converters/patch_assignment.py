# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Which patches keep which objects.

An object is kept in a patch when the part of its box inside the patch is at least ``iof_thr`` of the box's
area (intersection over foreground). An object that reaches ``iof_thr`` in no patch (with 800x800 patches at
0.7: anything wider or higher than about 1140 px, and large objects that straddle patch borders) is kept in
the one patch holding the largest part of it (the first such patch in row order on a tie): dropping it would
make the visible object background for training in every patch, and a correct detection of it a false
positive at evaluation.
"""
from typing import Sequence, Tuple

import numpy as np

from .box_arrays import box_areas, clip_boxes


def inside_fractions(boxes: np.ndarray, windows: Sequence[Sequence[float]]) -> np.ndarray:
    """The fraction of each box's area inside each window (intersection over foreground).

    Args:
        boxes (np.ndarray): Shape (N, 4), ``xmin, ymin, xmax, ymax``, each of positive area.
        windows (Sequence): P windows ``(x0, y0, x1, y1)``.

    Returns:
        np.ndarray: Shape (P, N), values in [0, 1].
    """
    areas = box_areas(boxes)
    fractions = [box_areas(clip_boxes(boxes, window)) / areas for window in windows]
    return np.array(fractions, dtype=np.float64).reshape(len(windows), len(areas))


def assign_to_patches(boxes: np.ndarray, windows: Sequence[Sequence[float]],
                      iof_thr: float) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decide which patches keep which boxes.

    A box is kept in every patch holding at least ``iof_thr`` of its area; a box that reaches that in
    no patch is kept in the patch holding the largest part of it (the first one on a tie).

    Args:
        boxes (np.ndarray): Shape (N, 4), ``xmin, ymin, xmax, ymax`` in image coordinates, each of
            positive area inside the image.
        windows (Sequence): P patch windows ``(x0, y0, x1, y1)`` covering the image.
        iof_thr (float): The threshold, in (0, 1].

    Returns:
        tuple[np.ndarray, np.ndarray, np.ndarray]: ``keep`` (P, N) bool; the indices of the boxes kept
        only in their best patch, shape (K,); and the fraction of each of those inside that patch, (K,).
    """
    return assign_by_fractions(inside_fractions(boxes, windows), iof_thr)


def assign_by_fractions(fractions: np.ndarray, iof_thr: float) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decide which patches keep which objects, from the fraction of each object inside each patch.

    The rule of :func:`assign_to_patches`, for any measure of the fraction (horizontal boxes there,
    polygons in :mod:`.polygon_cutting`).

    Args:
        fractions (np.ndarray): Shape (P, N), the part of each of N objects inside each of P patches.
        iof_thr (float): The threshold, in (0, 1].

    Returns:
        tuple[np.ndarray, np.ndarray, np.ndarray]: ``keep`` (P, N) bool; the indices of the objects kept
        only in their best patch, shape (K,); and the fraction of each of those inside that patch, (K,).
    """
    keep = (fractions >= iof_thr) & (fractions > 0)
    rescued = np.flatnonzero(~keep.any(axis=0))
    best = fractions[:, rescued].argmax(axis=0)
    keep[best, rescued] = True
    return keep, rescued, fractions[best, rescued]
