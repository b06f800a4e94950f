# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The real Potsdam crop of tests/data and a tiny dataset in mmseg's Potsdam layout around it."""
import os
import os.path as osp
import shutil

import numpy as np
from helpers import ROOT
from PIL import Image

POTSDAM = osp.join(ROOT, 'tests', 'data', 'seg', 'potsdam')
CROP = '2_10_0_0_512_512.png'


def write_potsdam_layout(root, size=64, seed=0):
    """mmseg's Potsdam layout with the real crop and one generated crop (all 6 classes + boundary)."""
    rng = np.random.default_rng(seed)
    for split in ('train', 'val'):
        for kind in ('img_dir', 'ann_dir'):
            folder = osp.join(root, kind, split)
            os.makedirs(folder)
            shutil.copy(osp.join(POTSDAM, kind, CROP), folder)
        image = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
        label = rng.integers(0, 7, (size, size), dtype=np.uint8)
        name = f'3_11_0_0_{size}_{size}.png'
        Image.fromarray(image).save(osp.join(root, 'img_dir', split, name))
        Image.fromarray(label).save(osp.join(root, 'ann_dir', split, name))
