# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Objects of the aerial scenes, seen from above: each draws itself around a centre and returns its box."""
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from .drawing import fill_polygon, jitter, rotate

#: A box (xmin, ymin, xmax, ymax) in pixels.
Box = Tuple[int, int, int, int]
#: An object: its DIOR class and box.
Annotation = Tuple[str, Box]
#: DIOR classes that the scenes contain.
DET_CLASSES = ('airplane', 'storagetank', 'vehicle', 'ship', 'tenniscourt')


def _box(points: np.ndarray, size: int) -> Box:
    low = np.clip(np.floor(points.min(0)), 0, size - 1).astype(int)
    high = np.clip(np.ceil(points.max(0)), 1, size).astype(int)
    return int(low[0]), int(low[1]), int(high[0]), int(high[1])


def draw_airplane(rng: np.random.Generator, image: np.ndarray, centre: Sequence[float]) -> Box:
    """A plane seen from above: fuselage, swept wings and tailplane, light grey, with its shadow."""
    length = rng.uniform(20, 30)
    unit = np.array([  # fuselage, then the wings and the tail, in units of the length (x along the fuselage)
        [0.5, 0], [0.4, 0.05], [0.08, 0.06], [-0.12, 0.48], [-0.22, 0.48], [-0.12, 0.06], [-0.38, 0.05],
        [-0.46, 0.2], [-0.52, 0.2], [-0.5, 0], [-0.52, -0.2], [-0.46, -0.2], [-0.38, -0.05], [-0.12, -0.06],
        [-0.22, -0.48], [-0.12, -0.48], [0.08, -0.06], [0.4, -0.05]])
    points = rotate(unit * length, rng.uniform(0, 2 * np.pi), centre)
    fill_polygon(image, points + 0.08 * length, (45, 45, 50))
    fill_polygon(image, points, jitter(rng, (225, 225, 230), 15))
    return _box(points, image.shape[0])


def draw_storage_tank(rng: np.random.Generator, image: np.ndarray, centre: Sequence[float]) -> Box:
    """A round tank from above: light roof, darker rim ring and a crescent shadow."""
    radius = rng.uniform(5, 10)
    cx, cy = centre
    shadow = int(round(radius * 0.35))
    cv2.circle(image, (int(cx) + shadow, int(cy) + shadow), int(radius), (40, 40, 45), -1, cv2.LINE_AA)
    cv2.circle(image, (int(cx), int(cy)), int(radius), jitter(rng, (215, 215, 210), 15).tolist(), -1, cv2.LINE_AA)
    cv2.circle(image, (int(cx), int(cy)), max(int(radius * 0.7), 1), (150, 150, 150), 1, cv2.LINE_AA)
    cv2.circle(image, (int(cx), int(cy)), max(int(radius * 0.15), 1), (120, 120, 120), -1)
    return _box(np.array([[cx - radius, cy - radius], [cx + radius, cy + radius]]), image.shape[0])


VEHICLE_COLOURS = ((200, 30, 30), (30, 60, 190), (235, 235, 235), (25, 25, 25), (230, 200, 40), (160, 165, 170))


def draw_vehicle(rng: np.random.Generator, image: np.ndarray, centre: Sequence[float]) -> Box:
    """A car from above: a small coloured rectangle with a dark windscreen."""
    length, width = rng.uniform(10, 14), rng.uniform(5, 7)
    angle = rng.uniform(0, 2 * np.pi)
    body = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]]) * [length, width]
    points = rotate(body, angle, centre)
    fill_polygon(image, points + 1.5, (30, 30, 30))
    fill_polygon(image, points, jitter(rng, VEHICLE_COLOURS[int(rng.integers(len(VEHICLE_COLOURS)))], 15))
    screen = np.array([[0.1, -0.4], [0.28, -0.4], [0.28, 0.4], [0.1, 0.4]]) * [length, width]
    fill_polygon(image, rotate(screen, angle, centre), (40, 50, 60))
    return _box(points, image.shape[0])


def draw_ship(rng: np.random.Generator, image: np.ndarray, centre: Sequence[float]) -> Box:
    """A ship from above: a hull with a pointed bow, a superstructure and a light wake behind the stern."""
    length, width = rng.uniform(18, 28), rng.uniform(5, 8)
    angle = rng.uniform(0, 2 * np.pi)
    wake = np.array([[-0.5, -0.4], [-0.5, 0.4], [-1.1, 0.8], [-1.1, -0.8]]) * [length, width]
    fill_polygon(image, rotate(wake, angle, centre), (170, 195, 205))
    hull = np.array([[-0.5, -0.5], [0.25, -0.5], [0.5, 0], [0.25, 0.5], [-0.5, 0.5]]) * [length, width]
    points = rotate(hull, angle, centre)
    fill_polygon(image, points, jitter(rng, rng.choice([(220, 220, 215), (170, 60, 50), (90, 95, 110)]), 15))
    cabin = np.array([[-0.4, -0.3], [-0.15, -0.3], [-0.15, 0.3], [-0.4, 0.3]]) * [length, width]
    fill_polygon(image, rotate(cabin, angle, centre), (245, 245, 240))
    return _box(points, image.shape[0])


def draw_tennis_court(rng: np.random.Generator, image: np.ndarray, centre: Sequence[float]) -> Box:
    """A tennis court from above: a coloured surface with white lines and a net, in a darker surround."""
    length, width = rng.uniform(24, 30), rng.uniform(13, 16)
    angle = rng.choice([0, np.pi / 2]) + rng.uniform(-0.3, 0.3)
    surround = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]]) * [length, width]
    points = rotate(surround, angle, centre)
    fill_polygon(image, points, jitter(rng, rng.choice([(60, 110, 70), (150, 70, 55), (50, 80, 140)]), 12))
    inner = rotate(surround * 0.78, angle, centre)
    fill_polygon(image, inner, jitter(rng, rng.choice([(70, 150, 90), (190, 100, 70), (60, 110, 180)]), 12))
    cv2.polylines(image, [np.round(inner).astype(np.int32)], True, (245, 245, 245), 1, cv2.LINE_AA)
    for x in (-0.22, 0.0, 0.22):  # service lines and net
        line = rotate(np.array([[x * length, -0.39 * width], [x * length, 0.39 * width]]), angle, centre)
        cv2.line(image, *np.round(line).astype(int).tolist(), (245, 245, 245), 1, cv2.LINE_AA)
    return _box(points, image.shape[0])


OBJECTS: Dict[str, Callable[[np.random.Generator, np.ndarray, Sequence[float]], Box]] = dict(
    airplane=draw_airplane, storagetank=draw_storage_tank, vehicle=draw_vehicle, ship=draw_ship,
    tenniscourt=draw_tennis_court)
# Half-extent of each object, to keep objects apart and inside the image.
_RADII = dict(airplane=15, storagetank=11, vehicle=7, ship=14, tenniscourt=16)


def place_objects(rng: np.random.Generator, image: np.ndarray, counts: Dict[str, int],
                  water: Optional[np.ndarray] = None) -> List[Annotation]:
    """Draw objects at free positions (no overlap, inside the image) and return their boxes.

    Args:
        rng (np.random.Generator): The image's generator.
        image (np.ndarray): Float RGB image, drawn in place.
        counts (dict[str, int]): How many objects of each DIOR class to try to place.
        water (np.ndarray, optional): Boolean mask: ships go on water, other objects on land.

    Returns:
        list[tuple[str, tuple]]: ``(class, (xmin, ymin, xmax, ymax))`` of each object drawn.
    """
    size = image.shape[0]
    taken: List[Tuple[float, float, float]] = []
    annotations = []
    for name, count in counts.items():
        radius = _RADII[name]
        for _ in range(count):
            for _attempt in range(30):
                centre = rng.uniform(radius * 0.8, size - radius * 0.8, 2)
                if any(np.hypot(*(centre - (x, y))) < radius + r for x, y, r in taken):
                    continue
                if water is not None and bool(water[int(centre[1]), int(centre[0])]) != (name == 'ship'):
                    continue
                box = OBJECTS[name](rng, image, centre)
                if box[2] - box[0] >= 3 and box[3] - box[1] >= 3:
                    annotations.append((name, box))
                taken.append((centre[0], centre[1], radius))
                break
    return annotations
