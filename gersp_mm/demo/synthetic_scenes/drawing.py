# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Drawing primitives of the synthetic images: smooth noise, colour jitter, filled polygons, uint8 output."""
from typing import Sequence

import cv2
import numpy as np


def smooth_noise(rng: np.random.Generator, size: int, cells: int) -> np.ndarray:
    """Smooth noise in about [0, 1]: a ``cells x cells`` random grid upsampled bicubically to ``size``."""
    grid = rng.random((cells, cells), dtype=np.float32)
    return cv2.resize(grid, (size, size), interpolation=cv2.INTER_CUBIC)


def shade(base: Sequence[float], noise: np.ndarray, amplitude: float) -> np.ndarray:
    """An RGB float image: ``base`` colour modulated by ``noise`` (in [0, 1]) with ``amplitude``."""
    return np.asarray(base, np.float32)[None, None, :] * (1 + amplitude * (noise[..., None] - 0.5))


def jitter(rng: np.random.Generator, colour: Sequence[float], spread: float = 18) -> np.ndarray:
    """``colour`` with each channel shifted uniformly by up to ``spread``."""
    return np.clip(np.asarray(colour, np.float32) + rng.uniform(-spread, spread, 3), 0, 255)


def rotate(points: np.ndarray, angle: float, centre: Sequence[float]) -> np.ndarray:
    """``points`` (N, 2) rotated by ``angle`` (radians) about the origin, then moved to ``centre``."""
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    return points @ rotation.T + np.asarray(centre)


def fill_polygon(image: np.ndarray, points: np.ndarray, colour: Sequence[float]) -> None:
    """Fill the polygon ``points`` (N, 2), rounded to pixels and anti-aliased, with ``colour`` in place."""
    cv2.fillPoly(image, [np.round(points).astype(np.int32)], [float(c) for c in colour], cv2.LINE_AA)


def to_uint8(image: np.ndarray) -> np.ndarray:
    """A float image rounded and clipped to uint8."""
    return np.clip(np.round(image), 0, 255).astype(np.uint8)
