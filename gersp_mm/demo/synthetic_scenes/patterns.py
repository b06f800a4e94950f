# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The natural-image-like source: one large shape or texture pattern per class on a cluttered background."""
import cv2
import numpy as np

from .drawing import fill_polygon, rotate, smooth_noise, to_uint8

#: The natural source: ImageNet-style folder ids (synthetic, in the ``n########`` format) and class names.
NATURAL_CLASSES = (('n00000001', 'disc'), ('n00000002', 'ring'), ('n00000003', 'box'), ('n00000004', 'triangle'),
                   ('n00000005', 'cross'), ('n00000006', 'star'), ('n00000007', 'stripes'),
                   ('n00000008', 'checkerboard'))


def _shape_points(name: str, rng: np.random.Generator) -> np.ndarray:
    """Outline of a unit-size shape (radius about 1) for the polygon classes."""
    if name == 'box':
        aspect = rng.uniform(0.6, 1.0)
        return np.array([[-1, -aspect], [1, -aspect], [1, aspect], [-1, aspect]]) * 0.8
    if name == 'triangle':
        angles = np.pi / 2 + np.array([0, 2 * np.pi / 3, 4 * np.pi / 3])
        return np.stack([np.cos(angles), np.sin(angles)], 1)
    if name == 'cross':
        a, b = 1.0, rng.uniform(0.25, 0.4)
        return np.array([[-b, -a], [b, -a], [b, -b], [a, -b], [a, b], [b, b], [b, a], [-b, a], [-b, b], [-a, b],
                         [-a, -b], [-b, -b]])
    if name == 'star':
        angles = np.arange(10) * np.pi / 5
        radii = np.where(np.arange(10) % 2 == 0, 1.0, rng.uniform(0.35, 0.5))
        return np.stack([np.cos(angles) * radii, np.sin(angles) * radii], 1)
    raise ValueError(f'{name!r} is not a polygon class')


def _pattern(name: str, rng: np.random.Generator, size: int, colours: np.ndarray) -> np.ndarray:
    """A full-image texture of the pattern classes (stripes, checkerboard) in two colours."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    angle = rng.uniform(0, np.pi)
    u, v = xx * np.cos(angle) + yy * np.sin(angle), -xx * np.sin(angle) + yy * np.cos(angle)
    period = rng.uniform(6, 12)
    if name == 'stripes':
        index = np.floor(u / period).astype(np.int64) % 2
    else:
        index = (np.floor(u / period) + np.floor(v / period)).astype(np.int64) % 2
    return colours[index]


def render_natural(rng: np.random.Generator, size: int, name: str) -> np.ndarray:
    """Render one natural-image-like picture of a class of :data:`NATURAL_CLASSES` as uint8 RGB.

    A cluttered background (a colour gradient, smooth coloured noise and a few faint blobs) with one large
    object of the class in a random colour, position, size and orientation.
    """
    corners = rng.uniform(40, 220, (2, 2, 3)).astype(np.float32)
    image = cv2.resize(corners, (size, size), interpolation=cv2.INTER_LINEAR)
    image = image * (1 + 0.4 * (smooth_noise(rng, size, 6)[..., None] - 0.5))
    for _ in range(int(rng.integers(2, 6))):
        centre = rng.integers(0, size, 2).tolist()
        axes = rng.integers(3, size // 6, 2).tolist()
        cv2.ellipse(image, centre, axes, float(rng.uniform(0, 180)), 0, 360, rng.uniform(30, 230, 3).tolist(), -1)
    colour = rng.uniform(0, 255, 3).astype(np.float32)
    colour[rng.integers(3)] = rng.choice([20.0, 240.0])  # saturated, to stand out from the clutter
    radius = rng.uniform(0.25, 0.42) * size
    centre = rng.uniform(radius, size - radius, 2)
    if name in ('stripes', 'checkerboard'):
        texture = _pattern(name, rng, size, np.stack([colour, 255 - colour]))
        mask = np.zeros((size, size), np.uint8)
        cv2.circle(mask, np.round(centre).astype(int).tolist(), int(radius * 1.15), 1, -1)
        image[mask.astype(bool)] = texture[mask.astype(bool)]
    elif name == 'disc':
        cv2.circle(image, np.round(centre).astype(int).tolist(), int(radius), colour.tolist(), -1, cv2.LINE_AA)
    elif name == 'ring':
        width = int(radius * rng.uniform(0.3, 0.5))
        cv2.circle(image, np.round(centre).astype(int).tolist(), int(radius) - width // 2, colour.tolist(), width,
                   cv2.LINE_AA)
    else:
        points = rotate(_shape_points(name, rng) * radius, rng.uniform(0, 2 * np.pi), centre)
        fill_polygon(image, points, colour)
    return to_uint8(image + rng.normal(0, 5, image.shape).astype(np.float32))
