# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Procedural aerial scenes and natural-image-like patterns, written in the on-disk formats of the real datasets.

The aerial scenes share one vocabulary of land covers (tarmac, urban blocks, grass, forest, farmland, water,
bare soil, with roads) and of objects with distinct shapes and colours (airplanes, storage tanks, vehicles,
ships, tennis courts). The same renderer fills the unlabeled pre-training source and both downstream tasks,
so what pre-training learns about these textures and objects is what the downstream labels depend on:

- :func:`write_million_aid`: unlabeled scenes of every kind, the flat Million-AID ``test/`` folder;
- :func:`write_dior`: scenes with objects, boxes in DIOR's VOC XMLs (CRLF), ``JPEGImages-trainval/``,
  ``JPEGImages-test/`` and ``ImageSets/Main/{train,val,test}.txt``;
- :func:`write_nwpu`: scenes dominated by one land cover or object type, NWPU-RESISC45 class folders with
  split lists in the format of ``tools/dataset_converters/split_scene_classification.py``. The object
  classes share their backgrounds, and ``harbor`` differs from ``lake`` only by its ships, so the labels
  need the objects, not only the ground colour;
- :func:`write_imagenet`: the labeled natural source, one shape or texture pattern per class on cluttered
  backgrounds, in ImageNet's ``train/<wnid>/`` layout with ``meta/train.txt``.

Every image is drawn from its own generator, seeded by ``(seed, source, index)``: a dataset is a function of
the seed alone (the same bytes on every run), and a dataset's first images do not depend on its size.
"""
import os
import os.path as osp
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

import cv2
import numpy as np

from gersp_mm.cls.datasets import NWPU_RESISC45_CLASSES

Box = Tuple[int, int, int, int]
Annotation = Tuple[str, Box]

#: DIOR classes that the scenes contain.
DET_CLASSES = ('airplane', 'storagetank', 'vehicle', 'ship', 'tenniscourt')
#: NWPU-RESISC45 classes of the scene-classification task.
SCENE_CLASSES = ('airplane', 'forest', 'harbor', 'lake', 'parking_lot', 'rectangular_farmland', 'storage_tank',
                 'tennis_court')
#: The natural source: ImageNet-style folder ids (synthetic, in the ``n########`` format) and class names.
NATURAL_CLASSES = (('n00000001', 'disc'), ('n00000002', 'ring'), ('n00000003', 'box'), ('n00000004', 'triangle'),
                   ('n00000005', 'cross'), ('n00000006', 'star'), ('n00000007', 'stripes'),
                   ('n00000008', 'checkerboard'))
#: DIOR numbers its trainval images 00001-11725 and its test images from 11726.
DIOR_FIRST_TEST_ID = 11726
JPEG_QUALITY = 90

# Sub-seeds of the sources, so that no two datasets share an image.
_SOURCES = dict(million_aid=1, dior_trainval=2, dior_test=3, nwpu=4, imagenet=5)


class DemoDataSizes(NamedTuple):
    """How many images of each dataset :func:`write_demo_datasets` writes, and their sizes.

    Attributes:
        rs_images (int): Unlabeled remote-sensing scenes (Million-AID).
        natural_per_class (int): Natural images per class (ImageNet).
        det_train (int): DIOR ``train`` images.
        det_val (int): DIOR ``val`` images (``trainval`` = train + val is the training set).
        det_test (int): DIOR ``test`` images.
        scene_train_per_class (int): NWPU training images per class.
        scene_test_per_class (int): NWPU test images per class.
        rs_size (int): Side of the remote-sensing and DIOR images, in pixels.
        natural_size (int): Side of the natural images.
        scene_render_size (int): Side at which the NWPU scenes are drawn (objects keep their pixel sizes, so a
            smaller canvas shows fewer, relatively larger objects).
        scene_size (int): Side of the NWPU images (resized from ``scene_render_size``).
    """
    rs_images: int = 2000
    natural_per_class: int = 100
    det_train: int = 36
    det_val: int = 12
    det_test: int = 160
    scene_train_per_class: int = 8
    scene_test_per_class: int = 30
    rs_size: int = 96
    natural_size: int = 80
    scene_render_size: int = 80
    scene_size: int = 64


class DemoDataRoots(NamedTuple):
    """Where :func:`write_demo_datasets` wrote each dataset.

    Attributes:
        million_aid (str): The folder of unlabeled images (``UnlabeledImageFolder.data_root``).
        imagenet (str): The ImageNet root (``train/`` and ``meta/train.txt``).
        dior (str): The DIOR root.
        nwpu (str): The NWPU-RESISC45 root (class folders and ``meta/``).
    """
    million_aid: str
    imagenet: str
    dior: str
    nwpu: str


def image_rng(seed: int, source: str, index: int) -> np.random.Generator:
    """The generator of one image: a function of the seed, the dataset and the image's index only."""
    return np.random.default_rng([seed, _SOURCES[source], index])


# --------------------------------------------------------------------------------------------------------------
# Land covers
# --------------------------------------------------------------------------------------------------------------


def smooth_noise(rng: np.random.Generator, size: int, cells: int) -> np.ndarray:
    """Smooth noise in about [0, 1]: a ``cells x cells`` random grid upsampled bicubically to ``size``."""
    grid = rng.random((cells, cells), dtype=np.float32)
    return cv2.resize(grid, (size, size), interpolation=cv2.INTER_CUBIC)


def _shade(base: Sequence[float], noise: np.ndarray, amplitude: float) -> np.ndarray:
    """An RGB float image: ``base`` colour modulated by ``noise`` (in [0, 1]) with ``amplitude``."""
    return np.asarray(base, np.float32)[None, None, :] * (1 + amplitude * (noise[..., None] - 0.5))


def _jitter(rng: np.random.Generator, colour: Sequence[float], spread: float = 18) -> np.ndarray:
    """``colour`` with each channel shifted uniformly by up to ``spread``."""
    return np.clip(np.asarray(colour, np.float32) + rng.uniform(-spread, spread, 3), 0, 255)


def ground_tarmac(rng: np.random.Generator, size: int) -> np.ndarray:
    """Grey concrete with smooth stains and grain (float RGB, like every ``ground_*``)."""
    grey = rng.uniform(105, 150)
    image = _shade(_jitter(rng, (grey, grey, grey + 4), 6), smooth_noise(rng, size, 6), 0.25)
    return image + rng.normal(0, 4, image.shape).astype(np.float32)


def ground_urban(rng: np.random.Generator, size: int) -> np.ndarray:
    """City blocks: a grid of roofs of assorted colours on tarmac."""
    image = ground_tarmac(rng, size)
    block = int(rng.integers(14, 24))
    offset = rng.integers(0, block, 2)
    for y in range(-int(offset[0]), size, block):
        for x in range(-int(offset[1]), size, block):
            roof = _jitter(rng, rng.choice([(150, 80, 70), (170, 165, 160), (90, 90, 100), (200, 190, 170)]), 20)
            cv2.rectangle(image, (x + 2, y + 2), (x + block - 4, y + block - 4), roof.tolist(), -1)
    return image


def ground_grass(rng: np.random.Generator, size: int) -> np.ndarray:
    """Mottled light-green grass."""
    image = _shade(_jitter(rng, (95, 140, 70)), smooth_noise(rng, size, 8), 0.35)
    return image + rng.normal(0, 5, image.shape).astype(np.float32)


def ground_forest(rng: np.random.Generator, size: int) -> np.ndarray:
    """Dark-green canopy of many small tree crowns."""
    image = _shade(_jitter(rng, (45, 80, 40), 10), smooth_noise(rng, size, 12), 0.5)
    for _ in range(size * size // 30):  # tree crowns
        centre = rng.integers(0, size, 2).tolist()
        crown = _jitter(rng, (40, 90, 35), 15).tolist()
        cv2.circle(image, centre, int(rng.integers(2, 5)), crown, -1)
        cv2.circle(image, (centre[0] + 1, centre[1] + 1), 1, (20, 40, 20), -1)
    return image


def ground_farmland(rng: np.random.Generator, size: int) -> np.ndarray:
    """Parallel field strips of four crop colours, at a random angle and width."""
    period = rng.uniform(7, 16)
    angle = rng.uniform(0, np.pi)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    band = np.floor((xx * np.cos(angle) + yy * np.sin(angle)) / period).astype(np.int64)
    crops = np.stack([_jitter(rng, rng.choice([(120, 160, 60), (190, 170, 90), (140, 110, 70), (80, 130, 60)]))
                      for _ in range(4)])
    image = crops[band % 4] * (1 + 0.2 * (smooth_noise(rng, size, 10)[..., None] - 0.5))
    return image + rng.normal(0, 4, image.shape).astype(np.float32)


def ground_water(rng: np.random.Generator, size: int) -> np.ndarray:
    """Dark-blue water with ripples."""
    ripples = 0.6 * smooth_noise(rng, size, 5) + 0.4 * smooth_noise(rng, size, 16)
    image = _shade(_jitter(rng, (35, 80, 115), 12), ripples, 0.35)
    return image + rng.normal(0, 3, image.shape).astype(np.float32)


def ground_bare(rng: np.random.Generator, size: int) -> np.ndarray:
    """Beige bare soil or sand."""
    image = _shade(_jitter(rng, (185, 160, 120)), smooth_noise(rng, size, 7), 0.3)
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
    cv2.line(image, start, end, _jitter(rng, (85, 85, 88), 8).tolist(), int(rng.integers(7, 11)))
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


# --------------------------------------------------------------------------------------------------------------
# Objects: each draws itself around a centre and returns its box (xmin, ymin, xmax, ymax)
# --------------------------------------------------------------------------------------------------------------


def _rotate(points: np.ndarray, angle: float, centre: Sequence[float]) -> np.ndarray:
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    return points @ rotation.T + np.asarray(centre)


def _poly(image: np.ndarray, points: np.ndarray, colour: Sequence[float]) -> None:
    cv2.fillPoly(image, [np.round(points).astype(np.int32)], [float(c) for c in colour], cv2.LINE_AA)


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
    points = _rotate(unit * length, rng.uniform(0, 2 * np.pi), centre)
    _poly(image, points + 0.08 * length, (45, 45, 50))
    _poly(image, points, _jitter(rng, (225, 225, 230), 15))
    return _box(points, image.shape[0])


def draw_storage_tank(rng: np.random.Generator, image: np.ndarray, centre: Sequence[float]) -> Box:
    """A round tank from above: light roof, darker rim ring and a crescent shadow."""
    radius = rng.uniform(5, 10)
    cx, cy = centre
    shadow = int(round(radius * 0.35))
    cv2.circle(image, (int(cx) + shadow, int(cy) + shadow), int(radius), (40, 40, 45), -1, cv2.LINE_AA)
    cv2.circle(image, (int(cx), int(cy)), int(radius), _jitter(rng, (215, 215, 210), 15).tolist(), -1, cv2.LINE_AA)
    cv2.circle(image, (int(cx), int(cy)), max(int(radius * 0.7), 1), (150, 150, 150), 1, cv2.LINE_AA)
    cv2.circle(image, (int(cx), int(cy)), max(int(radius * 0.15), 1), (120, 120, 120), -1)
    return _box(np.array([[cx - radius, cy - radius], [cx + radius, cy + radius]]), image.shape[0])


VEHICLE_COLOURS = ((200, 30, 30), (30, 60, 190), (235, 235, 235), (25, 25, 25), (230, 200, 40), (160, 165, 170))


def draw_vehicle(rng: np.random.Generator, image: np.ndarray, centre: Sequence[float]) -> Box:
    """A car from above: a small coloured rectangle with a dark windscreen."""
    length, width = rng.uniform(10, 14), rng.uniform(5, 7)
    angle = rng.uniform(0, 2 * np.pi)
    body = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]]) * [length, width]
    points = _rotate(body, angle, centre)
    _poly(image, points + 1.5, (30, 30, 30))
    _poly(image, points, _jitter(rng, VEHICLE_COLOURS[int(rng.integers(len(VEHICLE_COLOURS)))], 15))
    screen = np.array([[0.1, -0.4], [0.28, -0.4], [0.28, 0.4], [0.1, 0.4]]) * [length, width]
    _poly(image, _rotate(screen, angle, centre), (40, 50, 60))
    return _box(points, image.shape[0])


def draw_ship(rng: np.random.Generator, image: np.ndarray, centre: Sequence[float]) -> Box:
    """A ship from above: a hull with a pointed bow, a superstructure and a light wake behind the stern."""
    length, width = rng.uniform(18, 28), rng.uniform(5, 8)
    angle = rng.uniform(0, 2 * np.pi)
    wake = np.array([[-0.5, -0.4], [-0.5, 0.4], [-1.1, 0.8], [-1.1, -0.8]]) * [length, width]
    _poly(image, _rotate(wake, angle, centre), (170, 195, 205))
    hull = np.array([[-0.5, -0.5], [0.25, -0.5], [0.5, 0], [0.25, 0.5], [-0.5, 0.5]]) * [length, width]
    points = _rotate(hull, angle, centre)
    _poly(image, points, _jitter(rng, rng.choice([(220, 220, 215), (170, 60, 50), (90, 95, 110)]), 15))
    cabin = np.array([[-0.4, -0.3], [-0.15, -0.3], [-0.15, 0.3], [-0.4, 0.3]]) * [length, width]
    _poly(image, _rotate(cabin, angle, centre), (245, 245, 240))
    return _box(points, image.shape[0])


def draw_tennis_court(rng: np.random.Generator, image: np.ndarray, centre: Sequence[float]) -> Box:
    """A tennis court from above: a coloured surface with white lines and a net, in a darker surround."""
    length, width = rng.uniform(24, 30), rng.uniform(13, 16)
    angle = rng.choice([0, np.pi / 2]) + rng.uniform(-0.3, 0.3)
    surround = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]]) * [length, width]
    points = _rotate(surround, angle, centre)
    _poly(image, points, _jitter(rng, rng.choice([(60, 110, 70), (150, 70, 55), (50, 80, 140)]), 12))
    inner = _rotate(surround * 0.78, angle, centre)
    _poly(image, inner, _jitter(rng, rng.choice([(70, 150, 90), (190, 100, 70), (60, 110, 180)]), 12))
    cv2.polylines(image, [np.round(inner).astype(np.int32)], True, (245, 245, 245), 1, cv2.LINE_AA)
    for x in (-0.22, 0.0, 0.22):  # service lines and net
        line = _rotate(np.array([[x * length, -0.39 * width], [x * length, 0.39 * width]]), angle, centre)
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


# --------------------------------------------------------------------------------------------------------------
# Scenes
# --------------------------------------------------------------------------------------------------------------

#: Aerial scene kinds: a land cover and the objects on it.
SCENE_KINDS = ('airport', 'industrial', 'parking', 'harbor', 'sports', 'rural', 'residential')
#: Kinds with objects to detect (DIOR).
DET_SCENE_KINDS = ('airport', 'industrial', 'parking', 'harbor', 'sports')
_LAND = ('tarmac', 'urban', 'grass', 'bare')
# The object classes of the scene classification: (DIOR object, fewest, most) on a random land cover.
_SCENE_OBJECTS = dict(airplane=('airplane', 1, 2), parking_lot=('vehicle', 6, 12), storage_tank=('storagetank', 3, 6),
                      tennis_court=('tenniscourt', 1, 2))


def _few(rng: np.random.Generator, low: int, high: int) -> int:
    return int(rng.integers(low, high + 1))


def render_scene(rng: np.random.Generator, size: int, kind: str) -> Tuple[np.ndarray, List[Annotation]]:
    """Render one aerial scene of a kind (see :data:`SCENE_KINDS`).

    Returns:
        tuple: The uint8 RGB image (size, size, 3) and the objects' ``(DIOR class, box)``.
    """
    water = None
    if kind == 'airport':
        image = ground_tarmac(rng, size)
        draw_road(rng, image)
        counts = dict(airplane=_few(rng, 1, 3), vehicle=_few(rng, 0, 3))
    elif kind == 'industrial':
        image = GROUNDS[rng.choice(['bare', 'tarmac'])](rng, size)
        counts = dict(storagetank=_few(rng, 2, 6), vehicle=_few(rng, 0, 2))
    elif kind == 'parking':
        image = ground_tarmac(rng, size)
        counts = dict(vehicle=_few(rng, 4, 10))
    elif kind == 'harbor':
        image = ground_water(rng, size)
        water = draw_shore(rng, image, str(rng.choice(['tarmac', 'urban', 'bare'])))
        counts = dict(ship=_few(rng, 1, 4), vehicle=_few(rng, 0, 2))
    elif kind == 'sports':
        image = ground_grass(rng, size)
        counts = dict(tenniscourt=_few(rng, 1, 2), vehicle=_few(rng, 0, 3))
    elif kind == 'rural':
        image = GROUNDS[rng.choice(['farmland', 'forest', 'grass'])](rng, size)
        draw_road(rng, image)
        counts = dict(vehicle=_few(rng, 0, 2))
    elif kind == 'residential':
        image = ground_urban(rng, size)
        counts = dict(vehicle=_few(rng, 0, 4))
    else:
        raise ValueError(f'unknown scene kind {kind!r}, expected one of {SCENE_KINDS}')
    annotations = place_objects(rng, image, counts, water=water)
    return _to_uint8(image), annotations


def render_scene_class(rng: np.random.Generator, size: int, name: str) -> np.ndarray:
    """Render a scene dominated by one NWPU class (see :data:`SCENE_CLASSES`) as uint8 RGB.

    The object classes (airplane, parking lot, storage tank, tennis court) share the same random land
    covers, and harbor and lake the same water, so the class is in the objects.
    """
    if name not in SCENE_CLASSES:
        raise ValueError(f'unknown scene class {name!r}, expected one of {SCENE_CLASSES}')
    counts: Dict[str, int] = {}
    water = None
    if name in ('forest', 'rectangular_farmland'):
        image = GROUNDS['forest' if name == 'forest' else 'farmland'](rng, size)
    elif name in ('harbor', 'lake'):
        image = ground_water(rng, size)
        if rng.random() < 0.5:
            water = draw_shore(rng, image, str(rng.choice(['forest', 'grass', 'tarmac'])))
        if name == 'harbor':
            counts = dict(ship=_few(rng, 2, 4))
    else:
        image = GROUNDS[rng.choice(_LAND)](rng, size)
        obj, low, high = _SCENE_OBJECTS[name]
        counts = {obj: _few(rng, low, high)}
    place_objects(rng, image, counts, water=water)
    return _to_uint8(image)


# --------------------------------------------------------------------------------------------------------------
# Natural-image-like patterns
# --------------------------------------------------------------------------------------------------------------


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
        points = _rotate(_shape_points(name, rng) * radius, rng.uniform(0, 2 * np.pi), centre)
        _poly(image, points, colour)
    return _to_uint8(image + rng.normal(0, 5, image.shape).astype(np.float32))


def _to_uint8(image: np.ndarray) -> np.ndarray:
    return np.clip(np.round(image), 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------------------------------


def save_jpeg(path: str, rgb: np.ndarray) -> None:
    """Write an RGB uint8 image as a JPEG (quality :data:`JPEG_QUALITY`), creating its folder."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    if not cv2.imwrite(path, np.ascontiguousarray(rgb[..., ::-1]), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY]):
        raise OSError(f'cannot write {path}')


def write_million_aid(root: str, seed: int, num_images: int, size: int) -> str:
    """Write unlabeled scenes of every kind as a flat Million-AID ``test/`` folder (``P0000001.jpg``, ...).

    Returns:
        str: The image folder.
    """
    folder = osp.join(root, 'test')
    for index in range(num_images):
        rng = image_rng(seed, 'million_aid', index)
        image, _ = render_scene(rng, size, SCENE_KINDS[index % len(SCENE_KINDS)])
        save_jpeg(osp.join(folder, f'P{index + 1:07d}.jpg'), image)
    return folder


def dior_xml(img_id: str, objects: Sequence[Annotation], width: int = 800, height: int = 800) -> bytes:
    """A DIOR annotation in the byte format of the real files (CRLF line endings, tab indentation)."""
    lines = ['<annotation>', f'\t<filename>{img_id}.jpg</filename>', '\t<source>', '\t\t<database>DIOR</database>',
             '\t</source>', '\t<size>', f'\t\t<width>{width}</width>', f'\t\t<height>{height}</height>',
             '\t\t<depth>3</depth>', '\t</size>', '\t<segmented>0</segmented>']
    for name, (xmin, ymin, xmax, ymax) in objects:
        lines += ['\t<object>', f'\t\t<name>{name}</name>', '\t\t<pose>Unspecified</pose>', '\t\t<bndbox>',
                  f'\t\t\t<xmin>{xmin}</xmin>', f'\t\t\t<ymin>{ymin}</ymin>', f'\t\t\t<xmax>{xmax}</xmax>',
                  f'\t\t\t<ymax>{ymax}</ymax>', '\t\t</bndbox>', '\t</object>']
    lines.append('</annotation>')
    return ('\r\n'.join(lines) + '\r\n').encode()


def write_dior(root: str, seed: int, num_train: int, num_val: int, num_test: int, size: int) -> str:
    """Write a DIOR-format detection dataset of scenes with objects (see :data:`DET_CLASSES`).

    Train and val images are numbered from 00001 in ``JPEGImages-trainval/``, test images from 11726 in
    ``JPEGImages-test/``; one XML per image in ``Annotations/``; split files with CRLF line endings.

    Returns:
        str: The dataset root.
    """
    ann_dir, split_dir = osp.join(root, 'Annotations'), osp.join(root, 'ImageSets', 'Main')
    os.makedirs(ann_dir, exist_ok=True)
    os.makedirs(split_dir, exist_ok=True)
    splits = dict(train=(1, num_train, 'dior_trainval', 0), val=(1 + num_train, num_val, 'dior_trainval', num_train),
                  test=(DIOR_FIRST_TEST_ID, num_test, 'dior_test', 0))
    for split, (first_id, count, source, offset) in splits.items():
        folder = osp.join(root, 'JPEGImages-test' if split == 'test' else 'JPEGImages-trainval')
        ids = []
        for index in range(offset, offset + count):
            rng = image_rng(seed, source, index)
            image, objects = render_scene(rng, size, DET_SCENE_KINDS[index % len(DET_SCENE_KINDS)])
            img_id = f'{first_id + index - offset:05d}'
            save_jpeg(osp.join(folder, f'{img_id}.jpg'), image)
            with open(osp.join(ann_dir, f'{img_id}.xml'), 'wb') as f:
                f.write(dior_xml(img_id, objects, size, size))
            ids.append(img_id)
        with open(osp.join(split_dir, f'{split}.txt'), 'wb') as f:
            f.write(''.join(f'{img_id}\r\n' for img_id in ids).encode())
    return root


def write_nwpu(root: str, seed: int, train_per_class: int, test_per_class: int, render_size: int,
               size: int) -> str:
    """Write NWPU-RESISC45-format class folders of :data:`SCENE_CLASSES` and their split lists.

    Images are ``<class>/<class>_NNN.jpg``; ``meta/train.txt`` and ``meta/test.txt`` hold
    ``<class>/<image> <label>`` lines with the official NWPU-RESISC45 labels (the first
    ``train_per_class`` images of each class train, the others test).

    Returns:
        str: The dataset root.
    """
    lines: Dict[str, List[str]] = dict(train=[], test=[])
    for class_index, name in enumerate(SCENE_CLASSES):
        label = NWPU_RESISC45_CLASSES.index(name)
        for number in range(train_per_class + test_per_class):
            rng = image_rng(seed, 'nwpu', class_index * 100_000 + number)
            image = render_scene_class(rng, render_size, name)
            image = cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)
            relative = f'{name}/{name}_{number + 1:03d}.jpg'
            save_jpeg(osp.join(root, relative), image)
            lines['train' if number < train_per_class else 'test'].append(f'{relative} {label}')
    os.makedirs(osp.join(root, 'meta'), exist_ok=True)
    for split, entries in lines.items():
        with open(osp.join(root, 'meta', f'{split}.txt'), 'w', encoding='utf-8') as f:
            f.write(''.join(f'{line}\n' for line in entries))
    return root


def write_imagenet(root: str, seed: int, per_class: int, size: int) -> str:
    """Write the natural source in ImageNet's layout: ``train/<wnid>/<wnid>_<k>.JPEG`` and ``meta/train.txt``.

    Returns:
        str: The dataset root.
    """
    lines = []
    for label, (wnid, name) in enumerate(NATURAL_CLASSES):
        for number in range(per_class):
            rng = image_rng(seed, 'imagenet', label * 100_000 + number)
            relative = f'{wnid}/{wnid}_{number + 1}.JPEG'
            save_jpeg(osp.join(root, 'train', relative), render_natural(rng, size, name))
            lines.append(f'{relative} {label}')
    os.makedirs(osp.join(root, 'meta'), exist_ok=True)
    with open(osp.join(root, 'meta', 'train.txt'), 'w', encoding='utf-8') as f:
        f.write(''.join(f'{line}\n' for line in lines))
    return root


def write_demo_datasets(root: str, seed: int, sizes: Optional[DemoDataSizes] = None) -> DemoDataRoots:
    """Write the four demo datasets under ``root``: MillionAID/, imagenet/, DIOR/ and NWPU-RESISC45/.

    Args:
        root (str): Output folder (created).
        seed (int): The seed: the same seed writes the same files.
        sizes (DemoDataSizes, optional): Image counts and sizes. Defaults to ``DemoDataSizes()``.

    Returns:
        DemoDataRoots: The root of each dataset.
    """
    sizes = sizes or DemoDataSizes()
    return DemoDataRoots(
        million_aid=write_million_aid(osp.join(root, 'MillionAID'), seed, sizes.rs_images, sizes.rs_size),
        imagenet=write_imagenet(osp.join(root, 'imagenet'), seed, sizes.natural_per_class, sizes.natural_size),
        dior=write_dior(osp.join(root, 'DIOR'), seed, sizes.det_train, sizes.det_val, sizes.det_test,
                        sizes.rs_size),
        nwpu=write_nwpu(osp.join(root, 'NWPU-RESISC45'), seed, sizes.scene_train_per_class,
                        sizes.scene_test_per_class, sizes.scene_render_size, sizes.scene_size))
