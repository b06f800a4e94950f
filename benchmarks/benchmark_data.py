# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The images and the dataset the speed benchmarks share (data_pipeline.py, gpu_throughput.py).

The remote-sensing source is the real 800x800 DIOR JPEG shipped in tests/data, used as it is or enlarged
(bicubic, JPEG q=90); both benchmarks time GeRSP's ``DualSourceDataset`` over an ``UnlabeledImageFolder``
of such images and an ImageNet-layout ``CustomDataset`` of natural JPEGs.
"""
import os.path as osp

from PIL import Image

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))  # the repository (tests/data, configs)
DIOR_IMAGE = osp.join(ROOT, 'tests', 'data', 'pretrain', 'aerial_800', '00001.jpg')


def save_dior_jpeg(path: str, side: int) -> None:
    """Save DIOR 00001.jpg at ``side x side`` px (bicubic, unless ``side`` is its own 800) as JPEG q=90."""
    with Image.open(DIOR_IMAGE) as image:
        image = image.convert('RGB')
        if side != image.width:
            image = image.resize((side, side), Image.Resampling.BICUBIC)
        image.save(path, quality=90)


def dual_source_dataset(rs_root: str, natural_root: str, rs_pipeline: list, natural_pipeline: list) -> dict:
    """Config of a ``DualSourceDataset``: the image folder ``rs_root`` and the ImageNet layout ``natural_root``."""
    return dict(
        type='DualSourceDataset',
        rs=dict(type='UnlabeledImageFolder', data_root=rs_root, pipeline=rs_pipeline),
        natural=dict(type='CustomDataset', data_root=natural_root, data_prefix='train', pipeline=natural_pipeline))
