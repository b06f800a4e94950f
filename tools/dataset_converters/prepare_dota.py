# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Cut DOTA-v1.0 into square patches with horizontal boxes, for ``DOTAHBBDataset``.

Input, for each split (``train``, ``val``) of the extracted DOTA-v1.0 download::

    SRC/<split>/images/P0000.png
    SRC/<split>/labelTxt/P0000.txt     optional header lines "imagesource:..." and "gsd:...", then one
                                       object per line: "x1 y1 x2 y2 x3 y3 x4 y4 class difficult"

Output::

    DST/<split>/images/P0000__<x0>__<y0>.png   patches; (x0, y0) = patch origin in the image
    DST/<split>/annotations.json               OpenMMLab 2.0 annotation file read by DOTAHBBDataset:
        {"metainfo": {"classes": [...], "patch_size": 800, "stride": 640, "iof_thr": 0.7, ...},
         "data_list": [{"img_id", "file_name", "width", "height", "source_image", "patch_origin",
                        "instances": [{"bbox": [x1, y1, x2, y2], "bbox_label", "difficult"}]}]}

How patches are made:

- Each oriented polygon becomes its horizontal bounding box (min/max of its four corners), clipped to
  the image. A box with no area left inside the image is reported (file and line) and skipped.
- Patch origins along each axis are 0, stride, 2 * stride, ... and a last patch aligned with the image
  border (origin = length - patch size), so every patch lies inside the image and the whole image is
  covered. A side shorter than the patch size gives one patch, padded at the bottom/right with
  --pad-value up to the full patch size (object coordinates are unchanged by the padding).
- An object is kept in a patch when the part of its box inside the patch is at least --iof-thr of the
  box's area (intersection over foreground), and then stored clipped to the patch. Objects below the
  threshold, and those entirely outside, are left out of that patch (they appear in a neighbouring one).
- Every patch is written, with or without objects; DOTAHBBDataset drops empty ones for training with
  filter_cfg=dict(filter_empty_gt=True).

All label files are checked before any image is cut: a missing folder, a label file without image (or
an image without label file), a malformed line (named by file and line number) or a class name outside
the 15 DOTA-v1.0 classes stops the conversion with an error.

Examples::

    # the paper's setting: 800x800 patches, stride 640, train and val, 8 processes
    python tools/dataset_converters/prepare_dota.py data/DOTA data/DOTA/split_800_640 --nproc 8
    # one split, other patch settings
    python tools/dataset_converters/prepare_dota.py data/DOTA data/DOTA/split_1024_824 --splits val \\
        --patch-size 1024 --stride 824
"""
import argparse
import math
import os
import os.path as osp
import sys
from collections import defaultdict
from typing import Dict, List, NamedTuple, Sequence, Tuple

import mmcv
import numpy as np
from mmengine.fileio import dump
from mmengine.utils import mkdir_or_exist, track_parallel_progress, track_progress

from gersp_mm.det.datasets import DOTA_CLASSES

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


def polygon_to_hbb(polygons: np.ndarray) -> np.ndarray:
    """Horizontal bounding boxes of quadrilaterals.

    Args:
        polygons (np.ndarray): Shape (N, 8), ``x1, y1, ..., x4, y4`` per row.

    Returns:
        np.ndarray: Shape (N, 4), ``xmin, ymin, xmax, ymax`` per row (float64).
    """
    points = np.asarray(polygons, dtype=np.float64).reshape(-1, 4, 2)
    return np.concatenate([points.min(axis=1), points.max(axis=1)], axis=1)


def patch_origins(length: int, patch_size: int, stride: int) -> List[int]:
    """Patch start positions along one image side.

    Args:
        length (int): Image width or height in pixels.
        patch_size (int): Patch side in pixels.
        stride (int): Step between patch starts, at most ``patch_size``.

    Returns:
        list[int]: ``0, stride, 2 * stride, ...`` below ``length - patch_size``, then
        ``length - patch_size`` (the last patch ends at the image border); ``[0]`` if
        ``length <= patch_size``.
    """
    if not 0 < stride <= patch_size:
        raise ValueError(f'expected 0 < stride <= patch_size, got stride={stride}, patch_size={patch_size}')
    if length <= patch_size:
        return [0]
    return list(range(0, length - patch_size, stride)) + [length - patch_size]


def patch_windows(width: int, height: int, patch_size: int, stride: int) -> List[Tuple[int, int, int, int]]:
    """The image region of every patch, row by row.

    Returns:
        list[tuple]: ``(x0, y0, x1, y1)`` per patch; ``x1 - x0 = min(patch_size, width)`` (same for y).
    """
    return [(x0, y0, min(x0 + patch_size, width), min(y0 + patch_size, height))
            for y0 in patch_origins(height, patch_size, stride)
            for x0 in patch_origins(width, patch_size, stride)]


def crop_boxes(boxes: np.ndarray, window: Sequence[float], iof_thr: float) -> Tuple[np.ndarray, np.ndarray]:
    """Select and clip the boxes that lie enough inside a window.

    Args:
        boxes (np.ndarray): Shape (N, 4), ``xmin, ymin, xmax, ymax``, in image coordinates.
        window (Sequence[float]): ``(x0, y0, x1, y1)``, the window in image coordinates.
        iof_thr (float): Keep a box when (its area inside the window) >= iof_thr * (its area), and the
            area inside is positive.

    Returns:
        tuple[np.ndarray, np.ndarray]: The indices of the kept boxes, shape (K,), and the kept boxes
        clipped to the window, in window coordinates (origin at ``(x0, y0)``), shape (K, 4).
    """
    x0, y0, x1, y1 = window
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    clipped = np.stack([boxes[:, 0].clip(x0, x1), boxes[:, 1].clip(y0, y1),
                        boxes[:, 2].clip(x0, x1), boxes[:, 3].clip(y0, y1)], axis=1)
    inside = (clipped[:, 2] - clipped[:, 0]) * (clipped[:, 3] - clipped[:, 1])
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    keep = np.flatnonzero((inside > 0) & (inside >= iof_thr * area))
    return keep, clipped[keep] - np.array([x0, y0, x0, y0], dtype=np.float64)


def collect_split(split_dir: str, classes: Sequence[str]) -> List[dict]:
    """Check one split folder and read all its label files.

    Args:
        split_dir (str): Folder with ``images/`` and ``labelTxt/``.
        classes (Sequence[str]): The class names; their order gives the labels.

    Returns:
        list[dict]: One task per image (sorted by name) for :func:`cut_image`, with ``name``,
        ``img_path``, ``label_path``, ``polygons`` (N, 8), ``labels`` (N,), ``difficult`` (N,) and
        ``line_nos`` (N,).

    Raises:
        FileNotFoundError: If a folder is missing or an image and a label file do not pair up.
        ValueError: For a malformed label line or unknown class names (all of them listed).
    """
    img_dir, label_dir = osp.join(split_dir, 'images'), osp.join(split_dir, 'labelTxt')
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


def cut_image(task: dict) -> dict:
    """Cut one image into patches, write them and return their annotations.

    Args:
        task (dict): An item of :func:`collect_split` plus ``out_dir`` (where patches go),
            ``patch_size``, ``stride``, ``iof_thr`` and ``pad_value``.

    Returns:
        dict: ``data_list`` (one entry per patch, see the module docstring) and ``skipped`` (messages
        for boxes with no area inside the image).
    """
    img = mmcv.imread(task['img_path'], flag='color')
    if img is None:
        raise ValueError(f'cannot decode image {task["img_path"]!r}')
    height, width = img.shape[:2]
    patch_size = task['patch_size']
    boxes = polygon_to_hbb(task['polygons'])
    valid, boxes = crop_boxes(boxes, (0, 0, width, height), iof_thr=0.0)
    skipped = [f'{task["label_path"]}:{line_no}: box has no area inside the {width}x{height} image, skipped'
               for line_no in np.delete(task['line_nos'], valid)]
    labels, difficult = task['labels'][valid], task['difficult'][valid]
    data_list = []
    for x0, y0, x1, y1 in patch_windows(width, height, patch_size, task['stride']):
        img_id = f'{task["name"]}__{x0}__{y0}'
        patch = img[y0:y1, x0:x1]
        if patch.shape[:2] != (patch_size, patch_size):
            patch = mmcv.impad(patch, shape=(patch_size, patch_size), pad_val=task['pad_value'])
        out_path = osp.join(task['out_dir'], f'{img_id}{IMAGE_EXTENSION}')
        if not mmcv.imwrite(patch, out_path, auto_mkdir=False):
            raise OSError(f'cannot write patch {out_path!r}')
        keep, patch_boxes = crop_boxes(boxes, (x0, y0, x1, y1), task['iof_thr'])
        instances = [dict(bbox=[float(v) for v in box], bbox_label=int(labels[i]), difficult=int(difficult[i]))
                     for i, box in zip(keep, patch_boxes)]
        data_list.append(dict(img_id=img_id, file_name=f'{img_id}{IMAGE_EXTENSION}', width=patch_size,
                              height=patch_size, source_image=task['name'], patch_origin=[x0, y0],
                              instances=instances))
    return dict(data_list=data_list, skipped=skipped)


def prepare_split(tasks: List[dict], dst: str, split: str, args: argparse.Namespace) -> str:
    """Cut the images of one split (the tasks of :func:`collect_split`) and write its annotation file.

    Returns:
        str: The path of the written ``annotations.json``.
    """
    out_dir = osp.join(dst, split, 'images')
    mkdir_or_exist(out_dir)
    for task in tasks:
        task.update(out_dir=out_dir, patch_size=args.patch_size, stride=args.stride, iof_thr=args.iof_thr,
                    pad_value=args.pad_value)
    print(f'{split}: cutting {len(tasks)} images into {args.patch_size}x{args.patch_size} patches '
          f'(stride {args.stride}) -> {out_dir}')
    if args.nproc > 1:
        results = track_parallel_progress(cut_image, tasks, nproc=args.nproc)
    else:
        results = track_progress(cut_image, tasks)
    data_list = [entry for result in results for entry in result['data_list']]
    skipped = [message for result in results for message in result['skipped']]
    for message in skipped:
        print(message, file=sys.stderr)
    metainfo = dict(classes=list(DOTA_CLASSES), dataset='DOTA-v1.0, horizontal boxes', split=split,
                    patch_size=args.patch_size, stride=args.stride, iof_thr=args.iof_thr,
                    pad_value=args.pad_value)
    ann_file = osp.join(dst, split, 'annotations.json')
    dump(dict(metainfo=metainfo, data_list=data_list), ann_file)
    num_objects = sum(len(entry['instances']) for entry in data_list)
    print(f'{split}: {len(data_list)} patches, {num_objects} objects, {len(skipped)} boxes skipped -> {ann_file}')
    return ann_file


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Cut DOTA-v1.0 images into patches with horizontal boxes for DOTAHBBDataset.',
        epilog=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('src', help='DOTA root holding <split>/images and <split>/labelTxt')
    parser.add_argument('dst', help='output root, e.g. data/DOTA/split_800_640')
    parser.add_argument('--splits', nargs='+', default=['train', 'val'], help='splits to convert')
    parser.add_argument('--patch-size', type=int, default=800, help='patch side in pixels')
    parser.add_argument('--stride', type=int, default=640, help='step between patches in pixels')
    parser.add_argument('--iof-thr', type=float, default=0.7,
                        help='keep an object in a patch when at least this fraction of its box is inside')
    parser.add_argument('--pad-value', type=int, default=0,
                        help='fill value of the padding of images smaller than a patch')
    parser.add_argument('--nproc', type=int, default=1, help='worker processes')
    args = parser.parse_args(argv)
    if not 0 < args.stride <= args.patch_size:
        parser.error(f'expected 0 < --stride <= --patch-size, got {args.stride} and {args.patch_size}')
    if not 0.0 < args.iof_thr <= 1.0:
        parser.error(f'--iof-thr must be in (0, 1], got {args.iof_thr}')
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    if not osp.isdir(args.src):
        raise FileNotFoundError(f'DOTA root {args.src!r} not found')
    # check every split before cutting anything
    tasks = {split: collect_split(osp.join(args.src, split), DOTA_CLASSES) for split in args.splits}
    for split in args.splits:
        prepare_split(tasks[split], args.dst, split, args)


if __name__ == '__main__':
    main()
