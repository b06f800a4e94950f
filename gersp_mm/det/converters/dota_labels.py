# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Read the label files of a DOTA-v1.0 split, checked before any image is cut.

A label file holds optional header lines (``imagesource:...``, ``gsd:...``), then one object per line:
``x1 y1 x2 y2 x3 y3 x4 y4 class difficult``. A missing folder, a label file without image (or an image
without label file), a malformed line (named by file and line number) or an unknown class name is an error.
"""
import math
import os
import os.path as osp
from collections import defaultdict
from typing import Dict, List, NamedTuple, Sequence, Tuple

import numpy as np

HEADER_PREFIXES = ('imagesource:', 'gsd:')
IMAGE_EXTENSION = '.png'


class LabelLine(NamedTuple):
    """One object line of a DOTA label file."""

    polygon: Tuple[float, ...]  # x1, y1, ..., x4, y4
    name: str
    difficult: int
    line_no: int


def read_label_file(path: str) -> List[LabelLine]:
    """Read a DOTA label file, skipping blank and header (``imagesource:``, ``gsd:``) lines.

    Args:
        path (str): The label file.

    Returns:
        list[LabelLine]: The objects, in file order.

    Raises:
        ValueError: For a line without exactly 10 fields, a non-numeric or non-finite coordinate, or a
            difficult flag other than 0 or 1; the message gives the file and line number.
    """
    objects = []
    with open(path, encoding='utf-8-sig') as f:
        for line_no, line in enumerate(f, start=1):
            text = line.strip()
            if not text or text.lower().startswith(HEADER_PREFIXES):
                continue
            fields = text.split()
            if len(fields) != 10:
                raise ValueError(f'{path}:{line_no}: expected 10 fields "x1 y1 x2 y2 x3 y3 x4 y4 class '
                                 f'difficult", got {len(fields)}: {text!r}')
            try:
                polygon = tuple(float(value) for value in fields[:8])
            except ValueError:
                polygon = ()
            if len(polygon) != 8 or not all(math.isfinite(value) for value in polygon):
                raise ValueError(f'{path}:{line_no}: the first 8 fields must be finite numbers: {text!r}')
            if fields[9] not in ('0', '1'):
                raise ValueError(f'{path}:{line_no}: the difficult flag must be 0 or 1, got {fields[9]!r}')
            objects.append(LabelLine(polygon, fields[8], int(fields[9]), line_no))
    return objects


def unlabeled_split(img_dir: str) -> List[dict]:
    """The tasks of a split without labels: every image of ``img_dir`` (sorted), with no object."""
    if not osp.isdir(img_dir):
        raise FileNotFoundError(f'folder {img_dir!r} not found (expected {img_dir}/*{IMAGE_EXTENSION})')
    names = sorted(osp.splitext(f)[0] for f in os.listdir(img_dir) if f.endswith(IMAGE_EXTENSION))
    if not names:
        raise FileNotFoundError(f'no {IMAGE_EXTENSION} image in {img_dir!r}')
    empty = dict(polygons=np.zeros((0, 8)), labels=np.zeros(0, np.int64), difficult=np.zeros(0, np.int64),
                 line_nos=np.zeros(0, np.int64))
    return [dict(name=name, img_path=osp.join(img_dir, f'{name}{IMAGE_EXTENSION}'), label_path=None, **empty)
            for name in names]


def collect_split(split_dir: str, classes: Sequence[str], labeled: bool = True) -> List[dict]:
    """Check one split folder and read all its label files.

    Args:
        split_dir (str): Folder with ``images/`` and ``labelTxt/``.
        classes (Sequence[str]): The class names; their order gives the labels.
        labeled (bool): False for a split released without labels (DOTA's ``test``): only ``images/``
            is read, and every image has no object. Defaults to True.

    Returns:
        list[dict]: One task per image (sorted by name) for :func:`~.image_cutting.cut_image`, with
        ``name``, ``img_path``, ``label_path``, ``polygons`` (N, 8), ``labels`` (N,), ``difficult`` (N,)
        and ``line_nos`` (N,).

    Raises:
        FileNotFoundError: If a folder is missing or an image and a label file do not pair up.
        ValueError: For a malformed label line or unknown class names (all of them listed).
    """
    img_dir, label_dir = osp.join(split_dir, 'images'), osp.join(split_dir, 'labelTxt')
    if not labeled:
        return unlabeled_split(img_dir)
    for folder in (img_dir, label_dir):
        if not osp.isdir(folder):
            raise FileNotFoundError(f'folder {folder!r} not found (expected {split_dir}/images/*.png and '
                                    f'{split_dir}/labelTxt/*.txt)')
    label_names = {osp.splitext(f)[0] for f in os.listdir(label_dir) if f.endswith('.txt')}
    img_names = {osp.splitext(f)[0] for f in os.listdir(img_dir) if f.endswith(IMAGE_EXTENSION)}
    for missing, present, kind in ((img_names - label_names, img_dir, 'label file'),
                                   (label_names - img_names, label_dir, f'{IMAGE_EXTENSION} image')):
        if missing:
            raise FileNotFoundError(f'{len(missing)} files in {present!r} have no {kind}: '
                                    f'{sorted(missing)[:10]}')
    if not label_names:
        raise FileNotFoundError(f'no label file in {label_dir!r}')
    class_index = {name: index for index, name in enumerate(classes)}
    unknown: Dict[str, List[str]] = defaultdict(list)
    tasks = []
    for name in sorted(label_names):
        label_path = osp.join(label_dir, f'{name}.txt')
        objects = read_label_file(label_path)
        for obj in objects:
            if obj.name not in class_index:
                unknown[obj.name].append(f'{label_path}:{obj.line_no}')
        tasks.append(
            dict(name=name,
                 img_path=osp.join(img_dir, f'{name}{IMAGE_EXTENSION}'),
                 label_path=label_path,
                 polygons=np.array([obj.polygon for obj in objects], dtype=np.float64).reshape(-1, 8),
                 labels=np.array([class_index.get(obj.name, -1) for obj in objects], dtype=np.int64),
                 difficult=np.array([obj.difficult for obj in objects], dtype=np.int64),
                 line_nos=np.array([obj.line_no for obj in objects], dtype=np.int64)))
    if unknown:
        listing = '; '.join(f'{name!r} ({len(places)}x, first at {places[0]})' for name, places in unknown.items())
        raise ValueError(f'unknown class names in {label_dir}: {listing}. Expected one of {tuple(classes)}')
    return tasks
