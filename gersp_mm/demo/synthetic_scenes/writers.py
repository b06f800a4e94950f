# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Writers of the demo datasets in the on-disk formats of the real ones (Million-AID, DIOR, NWPU-RESISC45, ImageNet)."""
import os
import os.path as osp
from typing import Dict, List, NamedTuple, Optional, Sequence

import cv2
import numpy as np

from gersp_mm.cls.datasets import NWPU_RESISC45_CLASSES

from .objects import Annotation
from .patterns import NATURAL_CLASSES, render_natural
from .scenes import DET_SCENE_KINDS, SCENE_CLASSES, SCENE_KINDS, render_scene, render_scene_class

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
    natural_per_class: int = 124
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
