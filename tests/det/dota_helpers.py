# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Builders of small DOTA-v1.0 splits in the released on-disk layout (``<split>/images``, ``<split>/labelTxt``)."""
from pathlib import Path
from typing import Dict, Iterable, Sequence, Tuple

import cv2
import numpy as np

REAL_LABELS = Path(__file__).parents[1] / 'data' / 'det' / 'dota' / 'labelTxt'
REAL_SIZES = {'P0168': (1792, 2304), 'P0770': (1358, 1610), 'P1088': (1903, 1599)}  # (height, width)


def write_split(root: Path, images: Dict[str, Tuple[int, int]], labels: Dict[str, Sequence[str]]) -> Path:
    """Write ``root/images/<name>.png`` (random, HxW from ``images``) and ``root/labelTxt/<name>.txt``."""
    (root / 'images').mkdir(parents=True)
    (root / 'labelTxt').mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name, (height, width) in images.items():
        cv2.imwrite(str(root / 'images' / f'{name}.png'), rng.integers(0, 256, (height, width, 3), dtype=np.uint8))
    for name, lines in labels.items():
        (root / 'labelTxt' / f'{name}.txt').write_text(''.join(f'{line}\n' for line in lines))
    return root


def real_val_split(root: Path, names: Iterable[str]) -> Path:
    """The real DOTA-v1.0 val label files (tests/data/det/dota) with flat grey images of the real sizes."""
    (root / 'val' / 'images').mkdir(parents=True)
    (root / 'val' / 'labelTxt').mkdir(parents=True)
    for name in names:
        cv2.imwrite(str(root / 'val' / 'images' / f'{name}.png'), np.full((*REAL_SIZES[name], 3), 90, np.uint8))
        (root / 'val' / 'labelTxt' / f'{name}.txt').write_bytes((REAL_LABELS / f'{name}.txt').read_bytes())
    return root
