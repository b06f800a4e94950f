# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Aerial scenes: a land cover and the objects on it, by scene kind (DIOR) or by scene class (NWPU-RESISC45)."""
from typing import Dict, List, Tuple

import numpy as np

from .drawing import to_uint8
from .grounds import GROUNDS, draw_road, draw_shore, ground_grass, ground_tarmac, ground_urban, ground_water
from .objects import Annotation, place_objects

#: NWPU-RESISC45 classes of the scene-classification task.
SCENE_CLASSES = ('airplane', 'forest', 'harbor', 'lake', 'parking_lot', 'rectangular_farmland', 'storage_tank',
                 'tennis_court')
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
    return to_uint8(image), annotations


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
    return to_uint8(image)
