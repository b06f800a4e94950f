# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Cut DOTA-v1.0 into square patches, with horizontal boxes (``DOTAHBBDataset``) or polygons (mmrotate).

Horizontal boxes (``box_type='hbb'``, the default; 800x800 patches at stride 640 by default, the paper's
setting):

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

Oriented objects (``box_type='obb'``; 1024x1024 patches at stride 824 by default, mmrotate's convention of
a 200-px overlap) follow the same grid and rules with the polygons themselves (:mod:`.polygon_cutting`):
the fraction of an object inside a patch is measured on its polygon, and polygons are written as
annotated (shifted to the patch, never clipped; one reaching beyond the image is reported and kept), in
DOTA's own label format, which mmrotate's ``DOTADataset`` (and ``DOTAOBBDataset``) reads::

    DST/<split>/images/P0000__1024__<x0>___<y0>.png   patches, named as mmrotate's splitter names them
    DST/<split>/annfiles/P0000__1024__<x0>___<y0>.txt "x1 y1 x2 y2 x3 y3 x4 y4 class difficult" per object
    DST/<split>/report.json                           the settings and the counts of the summary line

A split given in ``unlabeled_splits`` (DOTA's ``test``, released without labels) is cut from its
``images/`` alone, without label files.

All label files are checked before any image is cut: a missing folder, a label file without image (or
an image without label file), a malformed line (named by file and line number) or a class name outside
the 15 DOTA-v1.0 classes stops the conversion with an error.
"""
import json
import os.path as osp
import sys
from typing import Callable, Dict, List, Sequence

from mmengine.fileio import dump
from mmengine.utils import mkdir_or_exist, track_parallel_progress, track_progress

from ...fileio import atomic_write
from ..datasets import DOTA_CLASSES
from .dota_labels import collect_split
from .image_cutting import cut_image
from .patch_grid import check_patch_grid
from .polygon_cutting import cut_image_polygons

#: Box type -> default (patch size, stride): the paper's HBB setting and mmrotate's OBB convention.
DEFAULT_GRIDS = dict(hbb=(800, 640), obb=(1024, 824))


def _cut_all(tasks: List[dict], cut: Callable[[dict], dict], nproc: int) -> List[dict]:
    if nproc > 1:
        return track_parallel_progress(cut, tasks, nproc=nproc)
    return track_progress(cut, tasks)


def _print_reports(results: List[dict], kinds: Sequence[str]) -> Dict[str, List[str]]:
    """Print every message of the given kinds to stderr; return them by kind."""
    reports = {kind: [message for result in results for message in result[kind]] for kind in kinds}
    for messages in reports.values():
        for message in messages:
            print(message, file=sys.stderr)
    return reports


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
    results = _cut_all(tasks, cut_image, nproc)
    data_list = [entry for result in results for entry in result['data_list']]
    reports = _print_reports(results, ('clipped', 'skipped', 'best_patch'))
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


def prepare_split_polygons(tasks: List[dict], dst: str, split: str, patch_size: int = 1024, stride: int = 824,
                           iof_thr: float = 0.7, pad_value: int = 0, nproc: int = 1, labeled: bool = True) -> str:
    """Cut the images of one split into patches with polygons, in DOTA's label format.

    Every polygon beyond its image, skipped or kept in its best patch is printed to stderr (file and
    line), and counted in the summary line printed to stdout and in ``<split>/report.json``.

    Returns:
        str: The folder of the patch label files (``<split>/annfiles``), or of the patch images for an
        unlabelled split.
    """
    out_dir = osp.join(dst, split, 'images')
    ann_dir = osp.join(dst, split, 'annfiles') if labeled else None
    for folder in (out_dir, ann_dir):
        if folder is not None:
            mkdir_or_exist(folder)
    for task in tasks:
        task.update(out_dir=out_dir, ann_dir=ann_dir, class_names=list(DOTA_CLASSES), patch_size=patch_size,
                    stride=stride, iof_thr=iof_thr, pad_value=pad_value)
    print(f'{split}: cutting {len(tasks)} images into {patch_size}x{patch_size} patches '
          f'(stride {stride}) with polygons -> {out_dir}')
    results = _cut_all(tasks, cut_image_polygons, nproc)
    reports = _print_reports(results, ('beyond_image', 'skipped', 'best_patch'))
    patches = [patch for result in results for patch in result['patches']]
    report = dict(classes=list(DOTA_CLASSES), dataset='DOTA-v1.0, oriented boxes (polygons)', split=split,
                  labeled=labeled, patch_size=patch_size, stride=stride, iof_thr=iof_thr, pad_value=pad_value,
                  source_images=len(tasks), source_objects=sum(len(task['labels']) for task in tasks),
                  polygons_beyond_image=len(reports['beyond_image']), polygons_skipped=len(reports['skipped']),
                  objects_kept_in_best_patch=len(reports['best_patch']), patches=len(patches),
                  patch_objects=sum(count for _, count in patches))
    with atomic_write(osp.join(dst, split, 'report.json'), 'w') as f:
        json.dump(report, f, indent=1)
    target = ann_dir or out_dir
    print(f'{split}: {report["source_objects"]} objects in {len(tasks)} images -> {len(patches)} patches, '
          f'{report["patch_objects"]} patch objects; {report["polygons_beyond_image"]} polygons beyond the image '
          f'kept as annotated, {report["polygons_skipped"]} polygons skipped (no area in the image), '
          f'{report["objects_kept_in_best_patch"]} objects below --iof-thr {iof_thr} in every patch kept in their '
          f'best patch -> {target}')
    return target


def convert_dota(src: str, dst: str, splits: Sequence[str] = ('train', 'val'), box_type: str = 'hbb',
                 unlabeled_splits: Sequence[str] = (), **options) -> List[str]:
    """Check every split of ``src``, then cut each into patches under ``dst``.

    Args:
        src (str): DOTA root holding ``<split>/images`` and ``<split>/labelTxt``.
        dst (str): Output root.
        splits (Sequence[str]): The splits to convert.
        box_type (str): ``'hbb'`` (horizontal boxes, one ``annotations.json`` per split for
            ``DOTAHBBDataset``) or ``'obb'`` (polygons in DOTA label files for mmrotate).
        unlabeled_splits (Sequence[str]): Splits released without labels (``test``), cut from their
            ``images/`` alone.
        **options: ``patch_size`` and ``stride`` (defaults: :data:`DEFAULT_GRIDS`), ``iof_thr``
            (0.7), ``pad_value`` (0) and ``nproc`` (1) of :func:`prepare_split`.

    Returns:
        list[str]: Per split, in order (``splits`` then ``unlabeled_splits``): the annotation file
        (``hbb``) or the folder of the patch label files (``obb``; of the patch images when unlabelled).

    Raises:
        ValueError: For an unknown box type, a patch size, stride or ``iof_thr`` out of range (before
            anything is read).
        FileNotFoundError, ValueError: See :func:`collect_split`; every split is checked before any is cut.
    """
    if box_type not in DEFAULT_GRIDS:
        raise ValueError(f'box_type (--box-type) must be one of {sorted(DEFAULT_GRIDS)}, got {box_type!r}')
    default_size, default_stride = DEFAULT_GRIDS[box_type]
    options['patch_size'] = options.get('patch_size') or default_size
    options['stride'] = options.get('stride') or default_stride
    check_patch_grid(options['patch_size'], options['stride'])
    iof_thr = options.setdefault('iof_thr', 0.7)
    if not 0.0 < iof_thr <= 1.0:
        raise ValueError(f'iof_thr (--iof-thr) must be in (0, 1], got {iof_thr}')
    if not osp.isdir(src):
        raise FileNotFoundError(f'DOTA root {src!r} not found')
    labeled = {split: True for split in splits}
    labeled.update({split: False for split in unlabeled_splits})
    tasks = {split: collect_split(osp.join(src, split), DOTA_CLASSES, is_labeled)
             for split, is_labeled in labeled.items()}
    if box_type == 'obb':
        return [prepare_split_polygons(tasks[split], dst, split, labeled=is_labeled, **options)
                for split, is_labeled in labeled.items()]
    return [prepare_split(tasks[split], dst, split, **options) for split in labeled]
