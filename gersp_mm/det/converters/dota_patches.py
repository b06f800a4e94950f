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

- Each oriented polygon becomes its horizontal bounding box (min/max of its four corners). A box
  reaching beyond the image is clipped to it; each one is reported (file and line) and counted. A box
  of zero area, or with no area inside the image, is reported and skipped: it marks no pixel.
- Patch origins along each axis are 0, stride, 2 * stride, ... and a last patch aligned with the image
  border (origin = length - patch size), so every patch lies inside the image and the whole image is
  covered. A side shorter than the patch size gives one patch, padded at the bottom/right with
  ``pad_value`` up to the full patch size (object coordinates are unchanged by the padding).
- An object is kept in a patch when the part of its box inside the patch is at least ``iof_thr`` of
  the box's area (intersection over foreground), and is then stored clipped to the patch.
- An object that reaches ``iof_thr`` in no patch (with 800x800 patches at 0.7: anything wider or
  higher than about 1140 px, and large objects that straddle patch borders) is kept, clipped, in the
  one patch holding the largest part of it (the first such patch in row order on a tie), and
  reported (file, line and that fraction). Dropping it would make the visible object background for
  training in every patch, and a correct detection of it a false positive at evaluation.
- Every patch is written, with or without objects; DOTAHBBDataset drops empty ones for training with
  ``filter_cfg=dict(filter_empty_gt=True)``.

All label files are checked before any image is cut: a missing folder, a label file without image (or
an image without label file), a malformed line (named by file and line number) or a class name outside
the 15 DOTA-v1.0 classes stops the conversion with an error.
"""
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

from ..datasets import DOTA_CLASSES

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


def clip_boxes(boxes: np.ndarray, window: Sequence[float]) -> np.ndarray:
    """Clip boxes ``(N, 4)`` (``xmin, ymin, xmax, ymax``) to a window ``(x0, y0, x1, y1)``."""
    x0, y0, x1, y1 = window
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    return np.stack([boxes[:, 0].clip(x0, x1), boxes[:, 1].clip(y0, y1),
                     boxes[:, 2].clip(x0, x1), boxes[:, 3].clip(y0, y1)], axis=1)


def box_areas(boxes: np.ndarray) -> np.ndarray:
    """Areas of boxes ``(N, 4)``, shape (N,)."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def inside_fractions(boxes: np.ndarray, windows: Sequence[Sequence[float]]) -> np.ndarray:
    """The fraction of each box's area inside each window (intersection over foreground).

    Args:
        boxes (np.ndarray): Shape (N, 4), ``xmin, ymin, xmax, ymax``, each of positive area.
        windows (Sequence): P windows ``(x0, y0, x1, y1)``.

    Returns:
        np.ndarray: Shape (P, N), values in [0, 1].
    """
    areas = box_areas(boxes)
    fractions = [box_areas(clip_boxes(boxes, window)) / areas for window in windows]
    return np.array(fractions, dtype=np.float64).reshape(len(windows), len(areas))


def assign_to_patches(boxes: np.ndarray, windows: Sequence[Sequence[float]],
                      iof_thr: float) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decide which patches keep which boxes.

    A box is kept in every patch holding at least ``iof_thr`` of its area; a box that reaches that in
    no patch is kept in the patch holding the largest part of it (the first one on a tie).

    Args:
        boxes (np.ndarray): Shape (N, 4), ``xmin, ymin, xmax, ymax`` in image coordinates, each of
            positive area inside the image.
        windows (Sequence): P patch windows ``(x0, y0, x1, y1)`` covering the image.
        iof_thr (float): The threshold, in (0, 1].

    Returns:
        tuple[np.ndarray, np.ndarray, np.ndarray]: ``keep`` (P, N) bool; the indices of the boxes kept
        only in their best patch, shape (K,); and the fraction of each of those inside that patch, (K,).
    """
    fractions = inside_fractions(boxes, windows)
    keep = (fractions >= iof_thr) & (fractions > 0)
    rescued = np.flatnonzero(~keep.any(axis=0))
    best = fractions[:, rescued].argmax(axis=0)
    keep[best, rescued] = True
    return keep, rescued, fractions[best, rescued]


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


def fit_boxes_to_image(task: dict, width: int,
                       height: int) -> Tuple[np.ndarray, np.ndarray, Dict[str, list]]:
    """The boxes of an image's objects clipped to it, and the reports on the objects changed or skipped.

    Args:
        task (dict): An item of :func:`collect_split`.
        width (int): Image width.
        height (int): Image height.

    Returns:
        tuple[np.ndarray, np.ndarray, dict]: The indices of the usable objects (K,), their boxes
        clipped to the image (K, 4), and the messages ``clipped`` and ``skipped`` (lists of str naming
        ``file:line``).
    """
    boxes = polygon_to_hbb(task['polygons'])
    clipped = clip_boxes(boxes, (0, 0, width, height))
    usable = box_areas(clipped) > 0
    reports: Dict[str, list] = dict(clipped=[], skipped=[])
    for index in range(len(boxes)):
        where = f'{task["label_path"]}:{task["line_nos"][index]}'
        box, fixed = _box_text(boxes[index]), _box_text(clipped[index])
        if box_areas(boxes[index])[0] <= 0:
            reports['skipped'].append(f'{where}: the box {box} has zero area, skipped')
        elif not usable[index]:
            reports['skipped'].append(f'{where}: the box {box} has no area inside the {width}x{height} '
                                      'image, skipped')
        elif box != fixed:
            reports['clipped'].append(f'{where}: the box {box} reaches beyond the {width}x{height} image, '
                                      f'clipped to {fixed}')
    valid = np.flatnonzero(usable)
    return valid, clipped[valid], reports


def cut_image(task: dict) -> dict:
    """Cut one image into patches, write them and return their annotations.

    Args:
        task (dict): An item of :func:`collect_split` plus ``out_dir`` (where patches go),
            ``patch_size``, ``stride``, ``iof_thr`` and ``pad_value``.

    Returns:
        dict: ``data_list`` (one entry per patch, see the module docstring) and the messages
        ``clipped`` (boxes clipped to the image), ``skipped`` (boxes with no area inside the image) and
        ``best_patch`` (objects below ``iof_thr`` in every patch, kept in their best one).
    """
    img = mmcv.imread(task['img_path'], flag='color')
    if img is None:
        raise ValueError(f'cannot decode image {task["img_path"]!r}')
    height, width = img.shape[:2]
    patch_size = task['patch_size']
    valid, boxes, reports = fit_boxes_to_image(task, width, height)
    labels, difficult = task['labels'][valid], task['difficult'][valid]
    windows = patch_windows(width, height, patch_size, task['stride'])
    keep, rescued, fractions = assign_to_patches(boxes, windows, task['iof_thr'])
    reports['best_patch'] = [
        f'{task["label_path"]}:{task["line_nos"][valid[index]]}: the box {_box_text(boxes[index])} reaches '
        f'--iof-thr {task["iof_thr"]} in no patch; kept, clipped, in the patch holding {fraction:.0%} of it'
        for index, fraction in zip(rescued, fractions)]
    data_list = []
    for window, kept in zip(windows, keep):
        x0, y0, x1, y1 = window
        img_id = f'{task["name"]}__{x0}__{y0}'
        patch = img[y0:y1, x0:x1]
        if patch.shape[:2] != (patch_size, patch_size):
            patch = mmcv.impad(patch, shape=(patch_size, patch_size), pad_val=task['pad_value'])
        out_path = osp.join(task['out_dir'], f'{img_id}{IMAGE_EXTENSION}')
        if not mmcv.imwrite(patch, out_path):
            raise OSError(f'cannot write patch {out_path!r}')
        indices = np.flatnonzero(kept)
        patch_boxes = clip_boxes(boxes[indices], window) - np.array([x0, y0, x0, y0], dtype=np.float64)
        instances = [dict(bbox=[float(v) for v in box], bbox_label=int(labels[i]), difficult=int(difficult[i]))
                     for i, box in zip(indices, patch_boxes)]
        data_list.append(dict(img_id=img_id, file_name=f'{img_id}{IMAGE_EXTENSION}', width=patch_size,
                              height=patch_size, source_image=task['name'], patch_origin=[x0, y0],
                              instances=instances))
    return dict(data_list=data_list, **reports)


def prepare_split(tasks: List[dict], dst: str, split: str, patch_size: int = 800, stride: int = 640,
                  iof_thr: float = 0.7, pad_value: int = 0, nproc: int = 1) -> str:
    """Cut the images of one split (the tasks of :func:`collect_split`) and write its annotation file.

    Every clipped, skipped or best-patch object is printed to stderr (file and line), and counted in
    the summary line printed to stdout and in the annotation file's ``metainfo``.

    Returns:
        str: The path of the written ``annotations.json``.
    """
    out_dir = osp.join(dst, split, 'images')
    mkdir_or_exist(out_dir)
    for task in tasks:
        task.update(out_dir=out_dir, patch_size=patch_size, stride=stride, iof_thr=iof_thr, pad_value=pad_value)
    print(f'{split}: cutting {len(tasks)} images into {patch_size}x{patch_size} patches '
          f'(stride {stride}) -> {out_dir}')
    if nproc > 1:
        results = track_parallel_progress(cut_image, tasks, nproc=nproc)
    else:
        results = track_progress(cut_image, tasks)
    data_list = [entry for result in results for entry in result['data_list']]
    reports = {kind: [message for result in results for message in result[kind]]
               for kind in ('clipped', 'skipped', 'best_patch')}
    for messages in reports.values():
        for message in messages:
            print(message, file=sys.stderr)
    num_source_objects = sum(len(task['labels']) for task in tasks)
    metainfo = dict(classes=list(DOTA_CLASSES), dataset='DOTA-v1.0, horizontal boxes', split=split,
                    patch_size=patch_size, stride=stride, iof_thr=iof_thr, pad_value=pad_value,
                    source_objects=num_source_objects,
                    boxes_clipped_to_image=len(reports['clipped']),
                    boxes_skipped=len(reports['skipped']),
                    objects_kept_in_best_patch=len(reports['best_patch']))
    ann_file = osp.join(dst, split, 'annotations.json')
    dump(dict(metainfo=metainfo, data_list=data_list), ann_file)
    num_objects = sum(len(entry['instances']) for entry in data_list)
    print(f'{split}: {num_source_objects} objects in {len(tasks)} images -> {len(data_list)} patches, '
          f'{num_objects} patch objects; {len(reports["clipped"])} boxes clipped to the image, '
          f'{len(reports["skipped"])} boxes skipped (no area in the image), '
          f'{len(reports["best_patch"])} objects below --iof-thr {iof_thr} in every patch kept in their best '
          f'patch -> {ann_file}')
    return ann_file


def convert_dota(src: str, dst: str, splits: Sequence[str] = ('train', 'val'), **options) -> List[str]:
    """Check every split of ``src``, then cut each into patches under ``dst``.

    Args:
        src (str): DOTA root holding ``<split>/images`` and ``<split>/labelTxt``.
        dst (str): Output root.
        splits (Sequence[str]): The splits to convert.
        **options: ``patch_size``, ``stride``, ``iof_thr``, ``pad_value``, ``nproc`` of
            :func:`prepare_split`.

    Returns:
        list[str]: The written annotation files, one per split.

    Raises:
        ValueError: For a patch size, stride or ``iof_thr`` out of range (before anything is read).
        FileNotFoundError, ValueError: See :func:`collect_split`; every split is checked before any is cut.
    """
    patch_size, stride = options.get('patch_size', 800), options.get('stride', 640)
    if not 0 < stride <= patch_size:
        raise ValueError(f'expected 0 < stride <= patch_size, got stride={stride}, patch_size={patch_size}')
    iof_thr = options.get('iof_thr', 0.7)
    if not 0.0 < iof_thr <= 1.0:
        raise ValueError(f'iof_thr (--iof-thr) must be in (0, 1], got {iof_thr}')
    if not osp.isdir(src):
        raise FileNotFoundError(f'DOTA root {src!r} not found')
    tasks = {split: collect_split(osp.join(src, split), DOTA_CLASSES) for split in splits}
    return [prepare_split(tasks[split], dst, split, **options) for split in splits]


def _box_text(box: np.ndarray) -> str:
    return '[' + ', '.join(f'{value:g}' for value in np.asarray(box).reshape(-1)) + ']'
