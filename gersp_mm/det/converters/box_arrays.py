# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Horizontal boxes as arrays: from DOTA's quadrilaterals, clipped to a window, and their areas."""
from typing import Sequence

import numpy as np


def polygon_to_hbb(polygons: np.ndarray) -> np.ndarray:
    """Horizontal bounding boxes of quadrilaterals.

    Args:
        polygons (np.ndarray): Shape (N, 8), ``x1, y1, ..., x4, y4`` per row.

    Returns:
        np.ndarray: Shape (N, 4), ``xmin, ymin, xmax, ymax`` per row (float64).
    """
    points = np.asarray(polygons, dtype=np.float64).reshape(-1, 4, 2)
    return np.concatenate([points.min(axis=1), points.max(axis=1)], axis=1)


def clip_boxes(boxes: np.ndarray, window: Sequence[float]) -> np.ndarray:
    """Clip boxes ``(N, 4)`` (``xmin, ymin, xmax, ymax``) to a window ``(x0, y0, x1, y1)``."""
    x0, y0, x1, y1 = window
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    return np.stack([boxes[:, 0].clip(x0, x1), boxes[:, 1].clip(y0, y1),
                     boxes[:, 2].clip(x0, x1), boxes[:, 3].clip(y0, y1)], axis=1)


def box_areas(boxes: np.ndarray) -> np.ndarray:
    """Areas of boxes ``(N, 4)``, shape (N,)."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
