# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""One DIOR annotation file: a VOC-style XML read into the image size and its objects.

The rules (case-insensitive class names, ``<difficult>``, the boxes fixed at load time and the errors) are
those of :class:`~.dior.DIORDataset`.
"""
import math
import os.path as osp
import xml.etree.ElementTree as ET
from typing import List, Optional, Sequence, Tuple

from mmengine import fileio

from .box_fixes import BoxFix, box_outside_image, fit_box_to_image


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
    class_index = {name.lower(): index for index, name in enumerate(classes)}
    with fileio.get_local_path(xml_path, backend_args=backend_args) as local_path:
        try:
            root = ET.parse(local_path).getroot()
        except ET.ParseError as err:
            raise ValueError(f'{xml_path}: not a valid XML file ({err})') from err
    width = _int_field(root, 'size/width', xml_path)
    height = _int_field(root, 'size/height', xml_path)
    instances, fixes = [], []
    for index, obj in enumerate(root.findall('object')):
        name = _text_field(obj, 'name', xml_path, index)
        if name.lower() not in class_index:
            raise ValueError(f'{xml_path}: object {index} has class {name!r}, which is not one of the '
                             f'{len(class_index)} classes {tuple(classes)} (matched case-insensitively)')
        bbox = [_float_field(obj, f'bndbox/{key}', xml_path, index) for key in ('xmin', 'ymin', 'xmax', 'ymax')]
        if bbox[2] < bbox[0] or bbox[3] < bbox[1]:
            raise ValueError(f'{xml_path}: object {index} ({name}) has an inverted box {bbox}; expected '
                             'xmin <= xmax and ymin <= ymax')
        if box_outside_image(bbox, width, height):
            raise ValueError(f'{xml_path}: object {index} ({name}) has the box {bbox}, entirely outside '
                             f'its {width}x{height} image (<size>)')
        fixed, clipped, widened = fit_box_to_image(bbox, width, height)
        if clipped or widened:
            fixes.append(BoxFix(osp.basename(xml_path), index, tuple(bbox), tuple(fixed), clipped, widened))
        difficult = obj.find('difficult')
        ignore = difficult is not None and (difficult.text or '').strip() not in ('', '0')
        instances.append(dict(bbox=fixed, bbox_label=class_index[name.lower()], ignore_flag=int(ignore)))
    return dict(width=width, height=height, instances=instances), fixes


def _text_field(element: ET.Element, path: str, xml_path: str, index: Optional[int] = None) -> str:
    """The stripped text of the sub-element ``path`` of ``element``; an error naming the file if absent."""
    found = element.find(path)
    if found is None or not (found.text or '').strip():
        where = f'object {index}: ' if index is not None else ''
        raise ValueError(f'{xml_path}: {where}missing or empty <{path}>')
    return found.text.strip()


def _float_field(element: ET.Element, path: str, xml_path: str, index: Optional[int] = None) -> float:
    """The sub-element ``path`` of ``element`` as a finite float."""
    text = _text_field(element, path, xml_path, index)
    try:
        value = float(text)
    except ValueError:
        value = float('nan')
    if not math.isfinite(value):
        where = f'object {index}: ' if index is not None else ''
        raise ValueError(f'{xml_path}: {where}<{path}> is {text!r}, expected a finite number')
    return value


def _int_field(element: ET.Element, path: str, xml_path: str) -> int:
    """The sub-element ``path`` of ``element`` as a positive int."""
    value = _float_field(element, path, xml_path)
    if value <= 0 or value != int(value):
        raise ValueError(f'{xml_path}: <{path}> is {value}, expected a positive integer')
    return int(value)
