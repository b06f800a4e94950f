# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The demo's datasets: their sizes in the full demo and in ``--quick``, and what each holds, in words."""
from typing import Dict

from .synthetic_scenes import DET_CLASSES, NATURAL_CLASSES, SCENE_CLASSES, DemoDataSizes

#: Dataset sizes of the full demo and of ``--quick``.
FULL_SIZES = DemoDataSizes()
QUICK_SIZES = DemoDataSizes(rs_images=32, natural_per_class=4, det_train=6, det_val=2, det_test=8,
                            scene_train_per_class=2, scene_test_per_class=2)


def data_summary(sizes: DemoDataSizes) -> str:
    """One line: how many images of each kind the demo writes."""
    return (f'{sizes.rs_images} aerial scenes, {len(NATURAL_CLASSES)} x {sizes.natural_per_class} natural patterns, '
            f'{sizes.det_train + sizes.det_val + sizes.det_test} DIOR-format and '
            f'{len(SCENE_CLASSES) * (sizes.scene_train_per_class + sizes.scene_test_per_class)} NWPU-format scenes')


def dataset_contents(sizes: DemoDataSizes) -> Dict[str, str]:
    """What each dataset holds, by its field of :class:`DemoDataRoots` (``million_aid``, ``imagenet``, ...)."""
    return dict(
        million_aid='Million-AID layout: unlabeled aerial scenes (the remote-sensing source)',
        imagenet=f'ImageNet layout: {len(NATURAL_CLASSES)} classes of labeled patterns (the natural source)',
        dior=f'DIOR format: {sizes.det_train} train + {sizes.det_val} val + {sizes.det_test} test scenes, '
        f'boxes of {len(DET_CLASSES)} classes',
        nwpu=f'NWPU-RESISC45 format: {len(SCENE_CLASSES)} classes x ({sizes.scene_train_per_class} train + '
        f'{sizes.scene_test_per_class} test) scenes')
