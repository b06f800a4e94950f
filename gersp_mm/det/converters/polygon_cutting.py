# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Cut one DOTA image into patches with oriented objects (polygons), written in DOTA's label format.

The patch grid, ``iof_thr`` and best-patch rules are those of the horizontal boxes
(:mod:`.patch_grid`, :mod:`.patch_assignment`), with fractions measured on the polygons
(:mod:`.polygon_arrays`): the part of a polygon inside a patch over its part inside the image.

Polygons are written as annotated, shifted to patch coordinates, never clipped: a quadrilateral cut by a
patch or image border is no longer a quadrilateral, and mmrotate's own splitter keeps them whole too; the
detectors learn the whole rotated box of an object that a border cuts. A polygon reaching beyond its image
is therefore kept as it is and reported (file, line and the share of its area inside the image). A polygon
of zero area, or with no area inside the image, is reported and skipped: it marks no pixel.

Patches are named as mmrotate's splitter names them, ``<image>__<patch size>__<x0>___<y0>``, the name
mmrotate's ``DOTAMetric(merge_patches=True)`` parses to shift detections back to the full image.
"""
import os.path as osp
from typing import Dict, Tuple

import numpy as np

from ...fileio import atomic_write
from .dota_labels import IMAGE_EXTENSION
from .image_cutting import load_image, write_patch
from .patch_assignment import assign_by_fractions
from .patch_grid import patch_windows
from .polygon_arrays import areas_inside, polygon_areas, polygon_inside_fractions


def format_number(value: float) -> str:
    """``'716'`` for an integral value, else the shortest exact form (``repr``), for label files."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def format_polygon(polygon: np.ndarray) -> str:
    """``'[x1, y1, ..., x4, y4]'`` for messages."""
    return '[' + ', '.join(format_number(value) for value in polygon) + ']'


def patch_name(image_name: str, patch_size: int, x0: int, y0: int) -> str:
    """mmrotate's patch name, e.g. ``'P0001__1024__824___0'``."""
    return f'{image_name}__{patch_size}__{x0}___{y0}'


def fit_polygons_to_image(task: dict, width: int, height: int) -> Tuple[np.ndarray, Dict[str, list]]:
    """The objects usable in an image, and the reports on those beyond it or skipped.

    Args:
        task (dict): An item of :func:`~.dota_labels.collect_split`.
        width (int): Image width.
        height (int): Image height.

    Returns:
        tuple[np.ndarray, dict]: The indices of the objects with area inside the image (K,), and the
        messages ``beyond_image`` (kept as annotated) and ``skipped`` (lists of str naming ``file:line``).
    """
    polygons = task['polygons']
    areas = polygon_areas(polygons)
    in_image = areas_inside(polygons, (0, 0, width, height))
    reports: Dict[str, list] = dict(beyond_image=[], skipped=[])
    for index in range(len(polygons)):
        where = f'{task["label_path"]}:{task["line_nos"][index]}'
        polygon = format_polygon(polygons[index])
        if areas[index] <= 0:
            reports['skipped'].append(f'{where}: the polygon {polygon} has zero area, skipped')
        elif in_image[index] <= 0:
            reports['skipped'].append(f'{where}: the polygon {polygon} has no area inside the {width}x{height} '
                                      'image, skipped')
        elif in_image[index] < areas[index] * (1 - 1e-9):
            reports['beyond_image'].append(
                f'{where}: the polygon {polygon} reaches beyond the {width}x{height} image '
                f'({in_image[index] / areas[index]:.0%} of it inside), kept as annotated')
    return np.flatnonzero((areas > 0) & (in_image > 0)), reports


def cut_image_polygons(task: dict) -> dict:
    """Cut one image into patches, write them with their DOTA label files and return the report.

    Args:
        task (dict): An item of :func:`~.dota_labels.collect_split` plus ``out_dir`` (where patch
            images go), ``ann_dir`` (where their label files go; None for an unlabelled split),
            ``patch_size``, ``stride``, ``iof_thr`` and ``pad_value``.

    Returns:
        dict: ``patches`` (one ``(name, number of objects)`` per patch) and the messages
        ``beyond_image``, ``skipped`` and ``best_patch`` (objects below ``iof_thr`` in every patch, kept in
        their best one).
    """
    img = load_image(task['img_path'])
    height, width = img.shape[:2]
    patch_size = task['patch_size']
    valid, reports = fit_polygons_to_image(task, width, height)
    polygons = task['polygons'][valid]
    windows = patch_windows(width, height, patch_size, task['stride'])
    fractions = polygon_inside_fractions(polygons, windows, (0, 0, width, height))
    keep, rescued, best_fractions = assign_by_fractions(fractions, task['iof_thr'])
    reports['best_patch'] = [
        f'{task["label_path"]}:{task["line_nos"][valid[index]]}: the polygon {format_polygon(polygons[index])} '
        f'reaches --iof-thr {task["iof_thr"]} in no patch; kept in the patch holding {fraction:.0%} of it'
        for index, fraction in zip(rescued, best_fractions)]
    names = np.array(task['class_names'])[task['labels'][valid]] if len(valid) else np.array([], dtype=str)
    difficult = task['difficult'][valid]
    patches = []
    for window, kept in zip(windows, keep):
        x0, y0 = window[:2]
        name = patch_name(task['name'], patch_size, x0, y0)
        write_patch(img, window, patch_size, task['pad_value'], osp.join(task['out_dir'], name + IMAGE_EXTENSION))
        indices = np.flatnonzero(kept)
        if task['ann_dir'] is not None:
            shifted = polygons[indices] - np.tile([x0, y0], 4)
            lines = [' '.join(format_number(value) for value in polygon) + f' {names[i]} {difficult[i]}\n'
                     for i, polygon in zip(indices, shifted)]
            with atomic_write(osp.join(task['ann_dir'], f'{name}.txt'), 'w') as f:
                f.writelines(lines)
        patches.append((name, len(indices)))
    return dict(patches=patches, **reports)
