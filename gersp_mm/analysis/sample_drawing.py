# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Draw samples of a dataset with their annotations into PNGs, with the host library's visualizer.

The image and its annotations are loaded by the split pipeline's own loading transforms (its
``Load*`` steps, then its final ``Pack*`` step), without the augmentations: the picture shows the
original image with the boxes, masks or label the dataset gives it (mmdet's ``browse_dataset.py``
shows the augmented training input instead, where a test pipeline that loads boxes after resizing
draws them in the wrong place).
"""
import copy
import os
import os.path as osp
import time
from typing import List, Sequence

import numpy as np
from mmengine.config import Config
from mmengine.dataset import Compose

#: Short sides below this are enlarged for drawing, so label text stays legible (EuroSAT is 64x64).
MIN_DRAWN_SIDE = 256


def sample_indices(num_samples: int, num: int) -> List[int]:
    """``num`` indices spread evenly over ``range(num_samples)``, first and last included."""
    if num <= 0 or num_samples <= 0:
        return []
    return sorted({int(round(value)) for value in np.linspace(0, num_samples - 1, min(num, num_samples))})


def loading_pipeline(pipeline: Sequence[dict]) -> Compose:
    """The ``Load*`` transforms of a pipeline config and its last transform if that is a ``Pack*`` one."""
    kept = [copy.deepcopy(t) for t in pipeline if 'Load' in str(t.get('type', ''))]
    if pipeline and 'Pack' in str(pipeline[-1].get('type', '')):
        kept.append(copy.deepcopy(pipeline[-1]))
    return Compose(kept)


def draw_samples(cfg: Config, split: str, dataset, task: str, out_dir: str, num: int) -> List[str]:
    """Draw ``num`` samples of a built dataset (spread over it) into ``out_dir``.

    Args:
        cfg (Config): The config the dataset was built from (for its pipeline).
        split (str): ``'train'``, ``'val'`` or ``'test'`` (used in file names).
        dataset: The dataset built from ``cfg[f'{split}_dataloader'].dataset``.
        task (str): ``'det'``, ``'seg'`` or ``'cls'``.
        out_dir (str): Output folder, created if needed.
        num (int): How many samples to draw; samples whose files are missing are left out.

    Returns:
        list[str]: The written PNG files.
    """
    os.makedirs(out_dir, exist_ok=True)
    load = loading_pipeline(cfg[f'{split}_dataloader'].dataset.get('pipeline', []))
    visualizer = _visualizer(task, cfg.get('default_scope'), dataset.metainfo)
    written = []
    for index in sample_indices(len(dataset), num):
        info = dataset.get_data_info(index)
        if not all(osp.exists(info[key]) for key in ('img_path', 'seg_map_path') if key in info):
            continue
        item = load(info)
        image = np.ascontiguousarray(item['inputs'].permute(1, 2, 0).numpy()[..., ::-1])  # BGR -> RGB
        stem = osp.splitext(osp.basename(info['img_path']))[0]
        out_file = osp.join(out_dir, f'{split}_{index:06d}_{stem}.png')
        _draw(visualizer, task, image, item['data_samples'], dataset.metainfo, out_file)
        written.append(out_file)
    return written


def _visualizer(task: str, scope: str, metainfo: dict):
    """A fresh visualizer of the host library (a unique name: mmengine keeps instances by name)."""
    name = f'check_dataset_{os.getpid()}_{time.monotonic_ns()}'
    if scope == 'mmrotate':  # oriented boxes, drawn as polygons
        from mmrotate.visualization import RotLocalVisualizer
        visualizer = RotLocalVisualizer(name=name)
    elif task == 'det':
        from mmdet.visualization import DetLocalVisualizer
        visualizer = DetLocalVisualizer(name=name)
    elif task == 'seg':
        from mmseg.visualization import SegLocalVisualizer
        visualizer = SegLocalVisualizer(name=name)
    else:
        from mmpretrain.visualization import UniversalVisualizer
        visualizer = UniversalVisualizer(name=name)
    visualizer.dataset_meta = metainfo
    return visualizer


def _draw(visualizer, task: str, image: np.ndarray, data_sample, metainfo: dict, out_file: str) -> None:
    name = osp.basename(out_file)
    if task == 'det':
        from mmdet.structures.bbox import HorizontalBoxes
        data_sample = data_sample.numpy()
        gt_instances = data_sample.gt_instances
        # mmdet's visualizer draws (x1, y1, x2, y2) arrays; mmrotate's takes its rotated box types as they are
        if isinstance(gt_instances.get('bboxes', None), HorizontalBoxes):
            gt_instances.bboxes = gt_instances.bboxes.tensor
        data_sample.gt_instances = gt_instances
        visualizer.add_datasample(name, image, data_sample, draw_gt=True, draw_pred=False, out_file=out_file)
    elif task == 'seg':
        visualizer.add_datasample(name, image, data_sample, draw_gt=True, draw_pred=False, out_file=out_file)
    else:
        short_side = min(image.shape[:2])
        visualizer.visualize_cls(image, data_sample, classes=metainfo.get('classes'), draw_pred=False,
                                 resize=MIN_DRAWN_SIDE if short_side < MIN_DRAWN_SIDE else None,
                                 name=name, out_file=out_file)
