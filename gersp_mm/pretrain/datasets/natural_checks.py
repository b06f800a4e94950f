# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Checks of the labeled natural-image source (mmpretrain's ``ImageNet`` / ``CustomDataset``) at start-up.

What the host gets wrong: with class folders missing, mmpretrain stops with ``AssertionError: The number of
subfolders (2) doesn't match the number of specified classes (1000)`` (which folders?); a line of
``meta/train.txt`` without a label gives ``not enough values to unpack`` (which file, which line?); a label
outside the classes is only found when its image is first drawn, possibly hours into the run.
"""
import os
import os.path as osp
from typing import List, Optional, Sequence

from mmpretrain.datasets import CustomDataset, ImageNet
from mmpretrain.registry import DATASETS

from .imagenet_wnids import IMAGENET1K_WNIDS

#: How many problems an error message lists.
MAX_LISTED = 10


class NaturalDatasetError(ValueError):
    """The natural-image dataset's folders or annotation list do not match what the config expects."""


def _listing(items: Sequence[str]) -> str:
    shown = ', '.join(items[:MAX_LISTED])
    return shown + (f', ... ({len(items)} in all)' if len(items) > MAX_LISTED else '')


def _dataset_class(cfg: dict) -> Optional[type]:
    dataset_type = cfg.get('type')
    if isinstance(dataset_type, type):
        return dataset_type
    if not isinstance(dataset_type, str):
        return None
    try:
        return DATASETS.get(dataset_type.split('.')[-1])
    except KeyError:
        return None


def _join(root: str, path: str) -> str:
    return path if not root or osp.isabs(path) else osp.join(root, path)


def check_annotation_list(ann_file: str, num_classes: Optional[int]) -> None:
    """Check every line of an mmpretrain annotation list: ``<relative image path> <integer label>``.

    Args:
        ann_file (str): The list file.
        num_classes (int, optional): Labels must be in ``[0, num_classes)`` when given.

    Raises:
        NaturalDatasetError: Naming the file and the line numbers of up to :data:`MAX_LISTED` bad lines.
    """
    problems: List[str] = []
    num_bad = 0
    with open(ann_file, encoding='utf-8', errors='replace') as file:
        for number, line in enumerate(file, start=1):
            text = line.rstrip('\n\r')
            parts = text.strip().rsplit(' ', 1)
            problem = None
            if not text.strip():
                problem = 'empty line'
            elif len(parts) != 2 or not parts[0].strip():
                problem = f'{text.strip()!r} has no label'
            else:
                try:
                    label = int(parts[1])
                except ValueError:
                    problem = f'label {parts[1]!r} is not an integer'
                else:
                    if label < 0 or (num_classes is not None and label >= num_classes):
                        problem = f'label {label} is outside the {num_classes} classes (0-{num_classes - 1})' \
                            if num_classes is not None else f'label {label} is negative'
            if problem is not None:
                num_bad += 1
                if len(problems) < MAX_LISTED:
                    problems.append(f'line {number}: {problem}')
    if problems:
        more = f' ({num_bad} bad lines in all)' if num_bad > len(problems) else ''
        raise NaturalDatasetError(f'Malformed annotation list {ann_file}{more}; each line must be '
                                  f'"<relative image path> <integer label>":\n  ' + '\n  '.join(problems))


def check_class_folders(folder: str, classes: Optional[Sequence[str]], imagenet: bool) -> None:
    """Check that an image folder has one sub-folder per class.

    Args:
        folder (str): The folder holding one sub-folder per class (e.g. ``data/imagenet/train``).
        classes (Sequence[str], optional): The classes the config expects (none: any folders are fine).
        imagenet (bool): The dataset is ImageNet-1k, whose folders are the 1000 WordNet ids.

    Raises:
        NaturalDatasetError: Naming the missing (and unexpected) class folders.
    """
    if not osp.isdir(folder):
        raise NaturalDatasetError(f'The natural image folder {folder} does not exist')
    found = sorted(name for name in os.listdir(folder) if osp.isdir(osp.join(folder, name)))
    if not found:
        raise NaturalDatasetError(f'{folder} has no class sub-folders (expected <class>/<image> files)')
    if classes is None or len(classes) == len(found):
        return
    if imagenet and len(classes) == len(IMAGENET1K_WNIDS):
        expected = IMAGENET1K_WNIDS
    elif set(found) <= set(classes):
        expected = tuple(classes)
    else:
        raise NaturalDatasetError(
            f'{folder} has {len(found)} class folders ({_listing(found)}), but the dataset has {len(classes)} '
            'classes: labels are given by the sorted folders, so they must match one to one')
    missing = [name for name in expected if name not in set(found)]
    unexpected = [name for name in found if name not in set(expected)]
    message = f'{folder} has {len(found)} of the {len(classes)} class folders'
    if missing:
        message += f'; missing: {_listing(missing)}'
    if unexpected:
        message += f'; not a class: {_listing(unexpected)}'
    message += ' (labels are given by the sorted folders: every class needs its folder)'
    if imagenet and not unexpected:  # maybe a subset of ImageNet-1k on purpose: it needs the list of its labels
        split = osp.basename(osp.normpath(folder))
        meta = osp.join(osp.dirname(osp.normpath(folder)), 'meta', f'{split}.txt')
        message += (f'. For a subset of the classes, list its images with their ImageNet-1k labels in {meta}: '
                    f'python tools/dataset_converters/make_file_list.py {folder} {meta} --imagenet-labels')
    raise NaturalDatasetError(message)


def check_natural_dataset(cfg: dict) -> None:
    """Check the folder layout or annotation list of an ``ImageNet`` / ``CustomDataset`` config.

    Other dataset types are not checked. Resolves ``data_root``, ``split``, ``data_prefix`` and ``ann_file``
    as mmpretrain does (``ImageNet(split='train')`` reads ``meta/train.txt`` when it exists).

    Raises:
        NaturalDatasetError: A missing folder or class folder, or malformed list lines (file and line named).
    """
    dataset_class = _dataset_class(cfg)
    if dataset_class is None or not issubclass(dataset_class, CustomDataset) or not cfg.get('with_label', True):
        return
    data_root = cfg.get('data_root', '') or ''
    split = cfg.get('split', '') if issubclass(dataset_class, ImageNet) else ''
    if split == 'test':
        return
    prefix = cfg.get('data_prefix', '') or split
    if isinstance(prefix, dict):
        prefix = prefix.get('img_path', '') or ''
    ann_file = cfg.get('ann_file', '') or ''
    if not ann_file and split and osp.isfile(osp.join(data_root, 'meta', f'{split}.txt')):
        ann_file = osp.join('meta', f'{split}.txt')
    metainfo = cfg.get('metainfo') or {}
    classes = metainfo.get('classes') or (dataset_class.METAINFO or {}).get('classes')
    if isinstance(classes, str):  # a file of class names: mmengine reads it; not checked here
        classes = None
    if ann_file:
        check_annotation_list(_join(data_root, ann_file), len(classes) if classes else None)
    else:
        check_class_folders(_join(data_root, prefix), classes, issubclass(dataset_class, ImageNet))
