# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Builders of small DIOR datasets in the real on-disk layout."""
from pathlib import Path
from typing import Dict, Optional, Sequence, Tuple

import cv2
import numpy as np

from gersp_mm.demo.synthetic_scenes import dior_xml  # noqa: F401  (the tests' XML builder)

REAL_DIOR_ANNOTATIONS = Path(__file__).parents[1] / 'data' / 'det' / 'dior' / 'Annotations'
REAL_DIOR_IDS = ('00001', '00002', '00003', '00013', '11726', '11727', '23463')
LAYOUTS = {'flat': 'Annotations', 'nested': 'Annotations/Horizontal Bounding Boxes',
           'oriented': 'Annotations/Oriented Bounding Boxes'}


def real_dior_xmls(ids: Sequence[str] = REAL_DIOR_IDS) -> Dict[str, bytes]:
    """The bytes of the real DIOR XMLs in tests/data/det."""
    return {img_id: (REAL_DIOR_ANNOTATIONS / f'{img_id}.xml').read_bytes() for img_id in ids}


def write_dior(root: Path,
               xmls: Dict[str, bytes],
               splits: Dict[str, Sequence[str]],
               layout: str = 'nested',
               image_size: Optional[Tuple[int, int]] = None) -> Path:
    """Write a DIOR dataset: XMLs in ``layout``, CRLF split files, one JPEG per XML.

    Images of ids up to 11725 go to ``JPEGImages-trainval``, the others to ``JPEGImages-test``. With
    ``image_size=(w, h)`` they are random images of that size, otherwise 8x8 placeholders.
    """
    ann_dir = root / LAYOUTS[layout]
    ann_dir.mkdir(parents=True)
    (root / 'ImageSets' / 'Main').mkdir(parents=True)
    rng = np.random.default_rng(0)
    width, height = image_size or (8, 8)
    for img_id, data in xmls.items():
        (ann_dir / f'{img_id}.xml').write_bytes(data)
        img_dir = root / ('JPEGImages-trainval' if int(img_id) <= 11725 else 'JPEGImages-test')
        img_dir.mkdir(exist_ok=True)
        cv2.imwrite(str(img_dir / f'{img_id}.jpg'), rng.integers(0, 256, (height, width, 3), dtype=np.uint8))
    for name, ids in splits.items():
        (root / 'ImageSets' / 'Main' / f'{name}.txt').write_bytes(''.join(f'{i}\r\n' for i in ids).encode())
    return root


def dior_r_xml(img_id: str, objects: Sequence[Tuple[str, Sequence[float], float]], width: int, height: int) -> bytes:
    """A DIOR-R annotation in the byte format of the real files (LF endings, 4-space indentation, the four
    corners of ``<robndbox>`` then ``<angle>``); ``objects`` are ``(name, [x1, y1, ..., x4, y4], angle)``."""
    corners = ('x_left_top', 'y_left_top', 'x_right_top', 'y_right_top',
               'x_right_bottom', 'y_right_bottom', 'x_left_bottom', 'y_left_bottom')
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<annotation>', f'    <filename>{img_id}.jpg</filename>',
             '    <size>', f'        <width>{width}</width>', f'        <height>{height}</height>',
             '        <depth>3</depth>', '    </size>', '    <segmented>0</segmented>']
    for name, polygon, angle in objects:
        lines += ['    <object>', '        <type>robndbox</type>', f'        <name>{name}</name>',
                  '        <pose>Unspecified</pose>', '        <truncated>0</truncated>',
                  '        <difficult>0</difficult>', '        <robndbox>']
        lines += [f'            <{key}>{value:g}</{key}>' for key, value in zip(corners, polygon)]
        lines += ['        </robndbox>', f'        <angle>{angle:g}</angle>', '    </object>']
    lines.append('</annotation>')
    return ('\n'.join(lines) + '\n').encode()
