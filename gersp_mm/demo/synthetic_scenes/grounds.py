# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Land covers of the aerial scenes (tarmac, urban blocks, grass, forest, farmland, water, bare soil), roads and shores.

Every ``ground_*`` returns a float RGB image (size, size, 3) drawn from the image's generator."""
from typing import Callable, Dict

import cv2
import numpy as np

from .drawing import jitter, shade, smooth_noise


def ground_tarmac(rng: np.random.Generator, size: int) -> np.ndarray:
    """Grey concrete with smooth stains and grain (float RGB, like every ``ground_*``)."""
    grey = rng.uniform(105, 150)
    image = shade(jitter(rng, (grey, grey, grey + 4), 6), smooth_noise(rng, size, 6), 0.25)
    return image + rng.normal(0, 4, image.shape).astype(np.float32)


def ground_urban(rng: np.random.Generator, size: int) -> np.ndarray:
    """City blocks: a grid of roofs of assorted colours on tarmac."""
    image = ground_tarmac(rng, size)
    block = int(rng.integers(14, 24))
    offset = rng.integers(0, block, 2)
    for y in range(-int(offset[0]), size, block):
        for x in range(-int(offset[1]), size, block):
            roof = jitter(rng, rng.choice([(150, 80, 70), (170, 165, 160), (90, 90, 100), (200, 190, 170)]), 20)
            cv2.rectangle(image, (x + 2, y + 2), (x + block - 4, y + block - 4), roof.tolist(), -1)
    return image


def ground_grass(rng: np.random.Generator, size: int) -> np.ndarray:
    """Mottled light-green grass."""
    image = shade(jitter(rng, (95, 140, 70)), smooth_noise(rng, size, 8), 0.35)
    return image + rng.normal(0, 5, image.shape).astype(np.float32)


def ground_forest(rng: np.random.Generator, size: int) -> np.ndarray:
    """Dark-green canopy of many small tree crowns."""
    image = shade(jitter(rng, (45, 80, 40), 10), smooth_noise(rng, size, 12), 0.5)
    for _ in range(size * size // 30):  # tree crowns
        centre = rng.integers(0, size, 2).tolist()
        crown = jitter(rng, (40, 90, 35), 15).tolist()
        cv2.circle(image, centre, int(rng.integers(2, 5)), crown, -1)
        cv2.circle(image, (centre[0] + 1, centre[1] + 1), 1, (20, 40, 20), -1)
    return image


def ground_farmland(rng: np.random.Generator, size: int) -> np.ndarray:
    """Parallel field strips of four crop colours, at a random angle and width."""
    period = rng.uniform(7, 16)
    angle = rng.uniform(0, np.pi)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    band = np.floor((xx * np.cos(angle) + yy * np.sin(angle)) / period).astype(np.int64)
    crops = np.stack([jitter(rng, rng.choice([(120, 160, 60), (190, 170, 90), (140, 110, 70), (80, 130, 60)]))
                      for _ in range(4)])
    image = crops[band % 4] * (1 + 0.2 * (smooth_noise(rng, size, 10)[..., None] - 0.5))
    return image + rng.normal(0, 4, image.shape).astype(np.float32)


def ground_water(rng: np.random.Generator, size: int) -> np.ndarray:
    """Dark-blue water with ripples."""
    ripples = 0.6 * smooth_noise(rng, size, 5) + 0.4 * smooth_noise(rng, size, 16)
    image = shade(jitter(rng, (35, 80, 115), 12), ripples, 0.35)
    return image + rng.normal(0, 3, image.shape).astype(np.float32)


def ground_bare(rng: np.random.Generator, size: int) -> np.ndarray:
    """Beige bare soil or sand."""
    image = shade(jitter(rng, (185, 160, 120)), smooth_noise(rng, size, 7), 0.3)
    return image + rng.normal(0, 6, image.shape).astype(np.float32)


GROUNDS: Dict[str, Callable[[np.random.Generator, int], np.ndarray]] = dict(
    tarmac=ground_tarmac, urban=ground_urban, grass=ground_grass, forest=ground_forest, farmland=ground_farmland,
    water=ground_water, bare=ground_bare)


def draw_road(rng: np.random.Generator, image: np.ndarray) -> None:
    """A straight road with a dashed centre line across the image."""
    size = image.shape[0]
    angle = rng.uniform(0, np.pi)
    centre = rng.uniform(0.2 * size, 0.8 * size, 2)
    direction = np.array([np.cos(angle), np.sin(angle)]) * size * 1.5
    start, end = (centre - direction).astype(int).tolist(), (centre + direction).astype(int).tolist()
    cv2.line(image, start, end, jitter(rng, (85, 85, 88), 8).tolist(), int(rng.integers(7, 11)))
    for t in np.arange(-1.5, 1.5, 0.08):
        a, b = centre + direction * t / 1.5, centre + direction * (t + 0.03) / 1.5
        cv2.line(image, a.astype(int).tolist(), b.astype(int).tolist(), (230, 230, 220), 1)


def draw_shore(rng: np.random.Generator, image: np.ndarray, ground: str) -> np.ndarray:
    """Replace one side of a water image with land of another cover, up to a wavy shoreline.

    Returns:
        np.ndarray: The boolean mask of the water left.
    """
    size = image.shape[0]
    land = GROUNDS[ground](rng, size)
    depth = rng.uniform(0.12, 0.3) * size + 4 * np.sin(np.arange(size) / rng.uniform(4, 9))
    mask = np.arange(size)[:, None] < depth[None, :]
    mask = np.rot90(mask, int(rng.integers(0, 4)))
    image[mask] = land[mask]
    return ~mask
