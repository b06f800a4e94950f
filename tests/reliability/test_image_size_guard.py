# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The image-size guard refuses a PNG declaring 30000x30000 px from its header, before any decoding, in
every pre-training loader and under ``bad_image_policy='skip'`` (each retry would decode it again).

The file is tiny (its header declares the size; its pixel data is a few bytes): the tests patch Pillow's
and OpenCV's decoders to fail if called, so they catch a decode before the check whatever its memory.
"""
import struct
import zlib

import cv2
import numpy as np
import pytest
from mmengine.registry import init_default_scope
from mmpretrain.registry import DATASETS, TRANSFORMS
from PIL import ImageFile

import gersp_mm.pretrain  # noqa: F401
from gersp_mm.pretrain.datasets import DualSourceIndex, ImageDecodeError
from tests.helpers import ROOT

DATA = ROOT / 'tests' / 'data' / 'pretrain'


@pytest.fixture(autouse=True)
def mmpretrain_scope():
    """mmpretrain's registries, whatever scope a Runner of an earlier test left current (the toy runs: mmengine)."""
    init_default_scope('mmpretrain')


def png_declaring(width: int, height: int) -> bytes:
    """A valid PNG header declaring ``width x height`` 8-bit RGB, with one row of pixel data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
    header = struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0)
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) + chunk(b'IDAT', zlib.compress(b'\0' * (3 * width + 1)))
            + chunk(b'IEND', b''))


@pytest.fixture
def no_decoding(monkeypatch):
    def decode(*args, **kwargs):
        raise AssertionError('pixels decoded')
    monkeypatch.setattr(ImageFile.ImageFile, 'load', decode)
    monkeypatch.setattr(cv2, 'imdecode', decode)


@pytest.fixture
def bomb(tmp_path):
    folder = tmp_path / 'rs'
    folder.mkdir()
    (folder / 'bomb.png').write_bytes(png_declaring(30000, 30000))
    assert (folder / 'bomb.png').stat().st_size < 2000
    return folder


@pytest.mark.parametrize('loader', [dict(type='LoadMoCoViews', num_views=2), dict(type='LoadImageUint8'),
                                    dict(type='LoadEncodedMoCoViews', num_views=2)])
def test_refused_from_the_header(bomb, no_decoding, loader):
    with pytest.raises(ImageDecodeError, match=r'bomb.png: decoding 30000x30000 pixels exceeds twice Pillow'):
        TRANSFORMS.build(loader)(dict(img_path=str(bomb / 'bomb.png')))


def test_skip_policy_skips_it_without_decoding(bomb, tmp_path, monkeypatch):
    (bomb / 'real.jpg').write_bytes((DATA / 'aerial_800' / '00001.jpg').read_bytes())
    pipeline = [dict(type='LoadMoCoViews', num_views=2, output_size=32), dict(type='PackInputs')]
    dataset = DATASETS.build(dict(
        type='DualSourceDataset', bad_image_policy='skip',
        rs=dict(type='UnlabeledImageFolder', data_root=str(bomb), pipeline=pipeline),
        natural=dict(type='CustomDataset', data_root=str(DATA / 'natural'), data_prefix='train',
                     pipeline=[dict(type='LoadMoCoViews', num_views=1, output_size=32), dict(type='PackInputs')])))
    decodes = []
    load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, 'load',
                        lambda image: decodes.append(image.size) or load(image))
    item = dataset[DualSourceIndex(0, 0, 0)]  # index 0 is bomb.png: skipped, real.jpg used instead
    assert item['data_samples'].rs_img_path.endswith('real.jpg') and dataset.num_skipped == 1
    assert (30000, 30000) not in decodes and np.prod(max(decodes)) < 1e6
