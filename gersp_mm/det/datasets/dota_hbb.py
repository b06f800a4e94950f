# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
import math
from typing import List, Optional, Tuple

from mmdet.datasets import BaseDetDataset, XMLDataset
from mmdet.registry import DATASETS
from mmengine import fileio
from mmengine.logging import print_log

from .box_fixes import BoxFix, box_outside_image, fit_box_to_image, summarize_box_fixes

DOTA_CLASSES = ('plane', 'baseball-diamond', 'bridge', 'ground-track-field', 'small-vehicle', 'large-vehicle',
                'ship', 'tennis-court', 'basketball-court', 'storage-tank', 'soccer-ball-field', 'roundabout',
                'harbor', 'swimming-pool', 'helicopter')


@DATASETS.register_module()
class DOTAHBBDataset(BaseDetDataset):
    """DOTA-v1.0 patches with horizontal boxes, as written by ``tools/dataset_converters/prepare_dota.py``.

    The converter cuts every image into patches (800x800, stride 640 by default) and writes, per split,
    the patch images and one ``annotations.json`` in the OpenMMLab 2.0 annotation format::

        {"metainfo": {"classes": [...15 DOTA-v1.0 classes...], "patch_size": 800, "stride": 640, ...},
         "data_list": [{"img_id": "P0000__0__0", "file_name": "P0000__0__0.png", "width": 800,
                        "height": 800, "source_image": "P0000", "patch_origin": [0, 0],
                        "instances": [{"bbox": [x1, y1, x2, y2], "bbox_label": 0, "difficult": 0}, ...]},
                       ...]}

    with boxes in patch pixel coordinates. The converter writes boxes clipped to their patch; a box of
    another file that reaches beyond its patch is clipped, and a side of zero length is widened to
    1 px (the rule of :class:`DIORDataset`), both counted and named in one log line (``box_fixes``
    keeps the list); an inverted box, or one entirely outside its patch, is an error.

    Args:
        difficult_as_ignore (bool): Mark the objects DOTA flags ``difficult`` as ignored
            (``ignore_flag=1``: neither matched nor counted by the VOC metric, as in the official DOTA
            evaluation, and not used as training targets). Defaults to True.
        **kwargs: Other arguments of :class:`mmdet.datasets.BaseDetDataset`: ``data_root``, ``ann_file``
            (e.g. ``'train/annotations.json'``), ``data_prefix=dict(img='train/images/')``, ``pipeline``,
            ``filter_cfg`` (``filter_empty_gt``, ``min_size``), ``test_mode``, ``backend_args``, ...

    Attributes:
        box_fixes (list[BoxFix]): The boxes widened or clipped at load time.

    Raises:
        FileNotFoundError: If ``ann_file`` does not exist.
        ValueError: If the file's classes differ from the dataset's, or an entry lacks a field, has a
            label out of range, an inverted box or one outside its patch; the message names the file and
            the entry.
    """

    METAINFO = dict(classes=DOTA_CLASSES)

    def __init__(self, difficult_as_ignore: bool = True, **kwargs) -> None:
        self.difficult_as_ignore = difficult_as_ignore
        self.box_fixes: List[BoxFix] = []
        super().__init__(**kwargs)

    def load_data_list(self) -> List[dict]:
        """Read the converter's ``annotations.json``.

        Returns:
            list[dict]: One dict per patch with ``img_id``, ``img_path``, ``width``, ``height``,
            ``source_image``, ``patch_origin`` and ``instances`` (dicts with ``bbox``, list[float] of
            ``[x1, y1, x2, y2]``; ``bbox_label``, int; ``ignore_flag``, int).
        """
        name = type(self).__name__
        if not self.ann_file or not fileio.exists(self.ann_file, backend_args=self.backend_args):
            raise FileNotFoundError(f'{name}: annotation file {self.ann_file!r} not found; write it with '
                                    'tools/dataset_converters/prepare_dota.py')
        annotations = fileio.load(self.ann_file, file_format='json', backend_args=self.backend_args)
        if not isinstance(annotations, dict) or not {'metainfo', 'data_list'} <= annotations.keys():
            raise ValueError(f'{name}: {self.ann_file} must hold a dict with "metainfo" and "data_list"')
        classes = tuple(self.metainfo['classes'])
        file_classes = tuple(annotations['metainfo'].get('classes', ()))
        if file_classes != classes:
            raise ValueError(f'{name}: {self.ann_file} was written for the classes {file_classes}, expected '
                             f'{classes}')
        img_prefix = self.data_prefix.get('img', '')
        data_list, self.box_fixes = [], []
        for index, entry in enumerate(annotations['data_list']):
            try:
                width, height = int(entry['width']), int(entry['height'])
                instances = []
                for number, instance in enumerate(entry['instances']):
                    parsed, fix = self._parse_instance(instance, len(classes), width, height)
                    instances.append(parsed)
                    if fix is not None:
                        self.box_fixes.append(fix._replace(source=f'{entry["img_id"]}', index=number))
                data_list.append(
                    dict(img_id=entry['img_id'],
                         img_path=fileio.join_path(img_prefix, entry['file_name']),
                         width=width,
                         height=height,
                         source_image=entry['source_image'],
                         patch_origin=tuple(entry['patch_origin']),
                         instances=instances))
            except (KeyError, TypeError, ValueError) as err:
                raise ValueError(f'{name}: {self.ann_file}: data_list[{index}] is malformed: {err}') from err
        if self.box_fixes:
            print_log(f'{name} ({self.ann_file}): {summarize_box_fixes(self.box_fixes)}', logger='current')
        return data_list

    def _parse_instance(self, instance: dict, num_classes: int, width: int,
                        height: int) -> Tuple[dict, Optional[BoxFix]]:
        """Check one object of the annotation file, fit its box to the patch and turn ``difficult`` into
        ``ignore_flag``; also return the fix of its box, if any (source and index are filled in by the
        caller)."""
        bbox = [float(value) for value in instance['bbox']]
        label = int(instance['bbox_label'])
        if len(bbox) != 4 or not all(math.isfinite(value) for value in bbox) or not 0 <= label < num_classes:
            raise ValueError(f'expected 4 finite bbox values and a label in [0, {num_classes}), got {instance}')
        if bbox[2] < bbox[0] or bbox[3] < bbox[1]:
            raise ValueError(f'inverted box {bbox}: expected x1 <= x2 and y1 <= y2')
        if box_outside_image(bbox, width, height):
            raise ValueError(f'the box {bbox} lies entirely outside the {width}x{height} patch')
        fixed, clipped, widened = fit_box_to_image(bbox, width, height)
        fix = BoxFix('', -1, tuple(bbox), tuple(fixed), clipped, widened) if clipped or widened else None
        ignore = self.difficult_as_ignore and int(instance['difficult']) > 0
        return dict(bbox=fixed, bbox_label=label, ignore_flag=int(ignore)), fix

    # Drop patches without objects (``filter_cfg.filter_empty_gt``) or smaller than ``filter_cfg.min_size``,
    # never in test mode: the same rule as mmdet's VOC-style datasets.
    filter_data = XMLDataset.filter_data
