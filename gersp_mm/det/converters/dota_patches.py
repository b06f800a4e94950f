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
import os.path as osp
import sys
from typing import List, Sequence

from mmengine.fileio import dump
from mmengine.utils import mkdir_or_exist, track_parallel_progress, track_progress

from ..datasets import DOTA_CLASSES
from .dota_labels import collect_split
from .image_cutting import cut_image
from .patch_grid import check_patch_grid


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
    check_patch_grid(patch_size, stride)
    iof_thr = options.get('iof_thr', 0.7)
    if not 0.0 < iof_thr <= 1.0:
        raise ValueError(f'iof_thr (--iof-thr) must be in (0, 1], got {iof_thr}')
    if not osp.isdir(src):
        raise FileNotFoundError(f'DOTA root {src!r} not found')
    tasks = {split: collect_split(osp.join(src, split), DOTA_CLASSES) for split in splits}
    return [prepare_split(tasks[split], dst, split, **options) for split in splits]

