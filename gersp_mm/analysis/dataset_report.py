# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""What one split's dataset holds: the facts of the report of ``tools/analysis_tools/check_dataset.py``.

The dataset is built as the Runner builds it (:mod:`.config_datasets`), so the report shows what training or
testing would get: the samples left after ``filter_cfg``, the boxes the dataset fixed at load time, the classes
in label order. Then every sample's files are checked at once: missing files are counted and the first few
named, instead of one ``FileNotFoundError`` per run.
"""
import copy
import os.path as osp
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.config import Config
from mmengine.registry import TRANSFORMS
from PIL import Image

from .config_datasets import build_dataset, task_of

#: Label value of ignored pixels in segmentation maps (mmseg's ``ignore_index``).
SEG_IGNORE_INDEX = 255


@dataclass
class SplitReport:
    """The facts about one split's dataset.

    ``per_class`` counts objects (det), images (cls) or labelled pixels (seg) per class; ``ignored``
    counts objects flagged ignored/difficult (det) or ignored pixels (seg).
    """

    split: str
    task: str
    dataset_type: str = ''
    error: str = ''  # the dataset could not be built: the error's text
    same_as: str = ''  # the split's dataset config equals that of this earlier split
    num_samples: int = 0
    classes: Tuple[str, ...] = ()
    per_class: Dict[str, int] = field(default_factory=dict)
    ignored: int = 0
    without_objects: int = 0  # det: images without any object
    box_fixes: list = field(default_factory=list)  # det: the dataset's ``box_fixes``
    image_sizes: Counter = field(default_factory=Counter)  # (width, height) -> number of images
    size_mismatches: List[str] = field(default_factory=list)  # det: annotation size != file size
    missing: List[str] = field(default_factory=list)  # files that do not exist
    unreadable: List[str] = field(default_factory=list)  # files whose image header cannot be read

    @property
    def empty_classes(self) -> List[str]:
        """The classes without any object (det), image (cls) or labelled pixel (seg), in label order."""
        return [name for name in self.classes if not self.per_class.get(name)]

    @property
    def ok(self) -> bool:
        """No build error, no missing or unreadable file, no size mismatch, and (cls) no class without images.

        A classification class without any image means a class folder or list that was not completely
        downloaded, extracted or split: the model would be trained and evaluated without it. (A det or seg
        split may lack a rare class, e.g. a small validation split: listed, not a problem.)
        """
        return not (self.error or self.missing or self.unreadable or self.size_mismatches
                    or (self.task == 'cls' and self.empty_classes))


def check_split(cfg: Config, split: str, seen: Optional[Dict[str, str]] = None) -> Tuple[SplitReport, object]:
    """Build one split's dataset and collect its report.

    Args:
        cfg (Config): A config loaded by :func:`load_config`.
        split (str): ``'train'``, ``'val'`` or ``'test'``.
        seen (dict, optional): ``repr`` of the dataset configs already checked -> their split; a split
            with the same dataset config is reported as ``same_as`` and not built again.

    Returns:
        tuple[SplitReport, object]: The report and the dataset (None when not built).
    """
    task = task_of(cfg)
    report = SplitReport(split=split, task=task)
    dataset_cfg = cfg.get(f'{split}_dataloader', {}).get('dataset')
    if dataset_cfg is None:
        report.error = f'the config has no {split}_dataloader.dataset'
        return report, None
    report.dataset_type = str(dataset_cfg.get('type', ''))
    key = repr(dataset_cfg.to_dict() if hasattr(dataset_cfg, 'to_dict') else dataset_cfg)
    if seen is not None:
        if key in seen:
            report.same_as = seen[key]
            return report, None
        seen[key] = split
    try:
        dataset = build_dataset(cfg, split)
    except Exception as err:  # noqa: BLE001  (the report shows any build failure, named)
        report.error = f'{type(err).__name__}: {err}'
        return report, None
    report.dataset_type = type(dataset).__name__
    report.num_samples = len(dataset)
    report.classes = tuple(dataset.metainfo.get('classes', ()))
    report.per_class = {name: 0 for name in report.classes}
    infos = [dataset.get_data_info(index) for index in range(len(dataset))]
    if task == 'det':
        _collect_det(report, dataset, infos)
    elif task == 'seg':
        _collect_seg(report, cfg, split, infos)
    else:
        _collect_cls(report, infos)
    return report, dataset


def _class_name(report: SplitReport, label: int) -> str:
    return report.classes[label] if 0 <= label < len(report.classes) else f'<label {label}>'


def _image_size(path: str, report: SplitReport) -> Optional[Tuple[int, int]]:
    """The (width, height) of an image file from its header; None (and recorded) if missing/unreadable."""
    if not osp.exists(path):
        report.missing.append(path)
        return None
    try:
        with Image.open(path) as image:
            size = image.size
    except Exception as err:  # noqa: BLE001  (PIL raises several kinds; all mean unreadable)
        report.unreadable.append(f'{path} ({type(err).__name__}: {err})')
        return None
    report.image_sizes[size] += 1
    return size


def _collect_det(report: SplitReport, dataset, infos: Sequence[dict]) -> None:
    report.box_fixes = list(getattr(dataset, 'box_fixes', []))
    for info in infos:
        instances = info.get('instances', [])
        report.without_objects += not instances
        for instance in instances:
            name = _class_name(report, int(instance['bbox_label']))
            report.per_class[name] = report.per_class.get(name, 0) + 1
            report.ignored += int(instance.get('ignore_flag', 0))
        size = _image_size(info['img_path'], report)
        expected = (info.get('width'), info.get('height'))
        if size is not None and None not in expected and tuple(size) != expected:
            report.size_mismatches.append(f'{info["img_path"]}: the annotation says {expected[0]}x{expected[1]}, '
                                          f'the file is {size[0]}x{size[1]}')


def _collect_cls(report: SplitReport, infos: Sequence[dict]) -> None:
    for info in infos:
        name = _class_name(report, int(np.asarray(info['gt_label']).reshape(-1)[0]))
        report.per_class[name] = report.per_class.get(name, 0) + 1
        _image_size(info['img_path'], report)


def _collect_seg(report: SplitReport, cfg: Config, split: str, infos: Sequence[dict]) -> None:
    """Label pixels per class, read with the split pipeline's own ``LoadAnnotations`` (reduce_zero_label,
    label_map as in training)."""
    pipeline = cfg[f'{split}_dataloader'].dataset.get('pipeline', [])
    load_cfg = next((t for t in pipeline if str(t.get('type', '')).endswith('LoadAnnotations')),
                    dict(type='LoadAnnotations'))
    load_annotations = TRANSFORMS.build(copy.deepcopy(load_cfg))
    counts = np.zeros(SEG_IGNORE_INDEX + 1, dtype=np.int64)
    for info in infos:
        _image_size(info['img_path'], report)
        if not osp.exists(info['seg_map_path']):
            report.missing.append(info['seg_map_path'])
            continue
        results = load_annotations(dict(copy.deepcopy(info), seg_fields=[]))
        counts += np.bincount(results['gt_seg_map'].reshape(-1).astype(np.int64), minlength=counts.size)[:counts.size]
    for label, count in enumerate(counts[:SEG_IGNORE_INDEX]):
        if count:
            name = _class_name(report, label)
            report.per_class[name] = report.per_class.get(name, 0) + int(count)
    report.ignored = int(counts[SEG_IGNORE_INDEX])
