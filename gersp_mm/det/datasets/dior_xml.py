# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""One DIOR annotation file: a VOC-style XML read into the image size and its objects.

The rules (case-insensitive class names, ``<difficult>``, the boxes fixed at load time and the errors) are
those of :class:`~.dior.DIORDataset`.
"""
import os.path as osp
from typing import List, Optional, Sequence, Tuple

from .box_fixes import BoxFix, box_outside_image, fit_box_to_image
from .xml_fields import class_label, float_field, int_field, is_difficult, read_xml_root


def parse_dior_xml(xml_path: str, classes: Sequence[str],
                   backend_args: Optional[dict] = None) -> Tuple[dict, List[BoxFix]]:
    """Parse one DIOR XML.

    Args:
        xml_path (str): Path of the XML file.
        classes (Sequence[str]): The dataset's classes; names are matched onto them case-insensitively.
        backend_args (dict, optional): Arguments of the mmengine file backend.

    Returns:
        tuple[dict, list[BoxFix]]: ``width`` and ``height`` (int, from ``<size>``) and ``instances``,
        a list of dicts with ``bbox`` (list[float], ``[xmin, ymin, xmax, ymax]`` in pixels, fixed as
        :class:`~.dior.DIORDataset` says), ``bbox_label`` (int, index into ``classes``) and
        ``ignore_flag`` (int, 1 for ``<difficult>1</difficult>``); and the boxes fixed in this file.

    Raises:
        ValueError: For a malformed XML, a missing or non-numeric field, an unknown class name, an inverted
            box or one entirely outside its image; the message names the file (and the object).
    """
    root = read_xml_root(xml_path, backend_args)
    width = int_field(root, 'size/width', xml_path)
    height = int_field(root, 'size/height', xml_path)
    instances, fixes = [], []
    for index, obj in enumerate(root.findall('object')):
        name, label = class_label(obj, classes, xml_path, index)
        bbox = [float_field(obj, f'bndbox/{key}', xml_path, index) for key in ('xmin', 'ymin', 'xmax', 'ymax')]
        if bbox[2] < bbox[0] or bbox[3] < bbox[1]:
            raise ValueError(f'{xml_path}: object {index} ({name}) has an inverted box {bbox}; expected '
                             'xmin <= xmax and ymin <= ymax')
        if box_outside_image(bbox, width, height):
            raise ValueError(f'{xml_path}: object {index} ({name}) has the box {bbox}, entirely outside '
                             f'its {width}x{height} image (<size>)')
        fixed, clipped, widened = fit_box_to_image(bbox, width, height)
        if clipped or widened:
            fixes.append(BoxFix(osp.basename(xml_path), index, tuple(bbox), tuple(fixed), clipped, widened))
        instances.append(dict(bbox=fixed, bbox_label=label, ignore_flag=int(is_difficult(obj))))
    return dict(width=width, height=height, instances=instances), fixes

