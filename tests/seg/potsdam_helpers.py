# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The real Potsdam crop of tests/data, a tiny dataset in mmseg's Potsdam layout around it, and a config shrunk
to train on it in seconds."""
import os
import os.path as osp
import shutil

import numpy as np
from PIL import Image

from tests.helpers import ROOT

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


def shrink_to(cfg, size, data_root, work_dir):
    """Tiny crops, the given data, no weights, 2 iterations, no checkpoints, no workers."""
    crop = (size, size)
    cfg.work_dir = work_dir
    cfg.model.backbone.init_cfg = None
    cfg.model.data_preprocessor.size = crop
    for transform in cfg.train_dataloader.dataset.pipeline:
        if transform.type == 'RandomResize':
            transform.scale = crop
        elif transform.type == 'RandomCrop':
            transform.crop_size = crop
    for transform in cfg.val_dataloader.dataset.pipeline:
        if transform.type == 'Resize':
            transform.scale = crop
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].update(num_workers=0, persistent_workers=False)
        cfg[loader].dataset.data_root = data_root
    cfg.train_dataloader.batch_size = 2
    cfg.train_cfg.update(max_iters=2, val_interval=2)
    cfg.default_hooks.checkpoint = None
    cfg.randomness = dict(seed=0)
    return cfg
