# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Cut one DOTA image into patches: its boxes fitted to the image, each patch written with its objects.

A box reaching beyond the image is clipped to it; each one is reported (file and line). A box of zero
area, or with no area inside the image, is reported and skipped: it marks no pixel. A side shorter than the
patch size gives one patch, padded at the bottom/right with ``pad_value`` up to the full patch size (object
coordinates are unchanged by the padding). Every patch is written, with or without objects.
"""
import os.path as osp
from typing import Dict, Tuple

import mmcv
import numpy as np

from ..datasets.box_fixes import format_box
from .box_arrays import box_areas, clip_boxes, polygon_to_hbb
from .dota_labels import IMAGE_EXTENSION
from .patch_assignment import assign_to_patches
from .patch_grid import patch_windows


def load_image(path: str) -> np.ndarray:
    """Read an image as BGR ``(H, W, 3)`` uint8; an undecodable file is an error naming it."""
    img = mmcv.imread(path, flag='color')
    if img is None:
        raise ValueError(f'cannot decode image {path!r}')
    return img


def write_patch(img: np.ndarray, window: Tuple[int, int, int, int], patch_size: int, pad_value: int,
                out_path: str) -> None:
    """Write the ``window`` ``(x0, y0, x1, y1)`` of ``img``, padded at the bottom/right to ``patch_size``."""
    x0, y0, x1, y1 = window
    patch = img[y0:y1, x0:x1]
    if patch.shape[:2] != (patch_size, patch_size):
        patch = mmcv.impad(patch, shape=(patch_size, patch_size), pad_val=pad_value)
    if not mmcv.imwrite(patch, out_path):
        raise OSError(f'cannot write patch {out_path!r}')


def fit_boxes_to_image(task: dict, width: int,
                       height: int) -> Tuple[np.ndarray, np.ndarray, Dict[str, list]]:
    """The boxes of an image's objects clipped to it, and the reports on the objects changed or skipped.

    Args:
        task (dict): An item of :func:`~.dota_labels.collect_split`.
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
        box, fixed = format_box(boxes[index]), format_box(clipped[index])
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
        task (dict): An item of :func:`~.dota_labels.collect_split` plus ``out_dir`` (where patches go),
            ``patch_size``, ``stride``, ``iof_thr`` and ``pad_value``.

    Returns:
        dict: ``data_list`` (one entry per patch, see :mod:`~.dota_patches`) and the messages
        ``clipped`` (boxes clipped to the image), ``skipped`` (boxes with no area inside the image) and
        ``best_patch`` (objects below ``iof_thr`` in every patch, kept in their best one).
    """
    img = load_image(task['img_path'])
    height, width = img.shape[:2]
    patch_size = task['patch_size']
    valid, boxes, reports = fit_boxes_to_image(task, width, height)
    labels, difficult = task['labels'][valid], task['difficult'][valid]
    windows = patch_windows(width, height, patch_size, task['stride'])
    keep, rescued, fractions = assign_to_patches(boxes, windows, task['iof_thr'])
    reports['best_patch'] = [
        f'{task["label_path"]}:{task["line_nos"][valid[index]]}: the box {format_box(boxes[index])} reaches '
        f'--iof-thr {task["iof_thr"]} in no patch; kept, clipped, in the patch holding {fraction:.0%} of it'
        for index, fraction in zip(rescued, fractions)]
    data_list = []
    for window, kept in zip(windows, keep):
        x0, y0, x1, y1 = window
        img_id = f'{task["name"]}__{x0}__{y0}'
        write_patch(img, window, patch_size, task['pad_value'],
                    osp.join(task['out_dir'], f'{img_id}{IMAGE_EXTENSION}'))
        indices = np.flatnonzero(kept)
        patch_boxes = clip_boxes(boxes[indices], window) - np.array([x0, y0, x0, y0], dtype=np.float64)
        instances = [dict(bbox=[float(v) for v in box], bbox_label=int(labels[i]), difficult=int(difficult[i]))
                     for i, box in zip(indices, patch_boxes)]
        data_list.append(dict(img_id=img_id, file_name=f'{img_id}{IMAGE_EXTENSION}', width=patch_size,
                              height=patch_size, source_image=task['name'], patch_origin=[x0, y0],
                              instances=instances))
    return dict(data_list=data_list, **reports)
