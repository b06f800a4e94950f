# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Typed fields of a VOC-style annotation XML, each error naming the file (and the object)."""
import math
import xml.etree.ElementTree as ET
from typing import Optional, Sequence, Tuple

from mmengine import fileio


def text_field(element: ET.Element, path: str, xml_path: str, index: Optional[int] = None) -> str:
    """The stripped text of the sub-element ``path`` of ``element``.

    Args:
        element (ET.Element): The element (the annotation root or one ``<object>``).
        path (str): ElementTree path of the sub-element, e.g. ``'size/width'``.
        xml_path (str): The file, for the error message.
        index (int, optional): Index of the ``<object>`` that ``element`` is, for the error message.

    Raises:
        ValueError: If the sub-element is absent or empty.
    """
    found = element.find(path)
    if found is None or not (found.text or '').strip():
        where = f'object {index}: ' if index is not None else ''
        raise ValueError(f'{xml_path}: {where}missing or empty <{path}>')
    return found.text.strip()


def float_field(element: ET.Element, path: str, xml_path: str, index: Optional[int] = None) -> float:
    """The sub-element ``path`` of ``element`` as a finite float (see :func:`text_field`)."""
    text = text_field(element, path, xml_path, index)
    try:
        value = float(text)
    except ValueError:
        value = float('nan')
    if not math.isfinite(value):
        where = f'object {index}: ' if index is not None else ''
        raise ValueError(f'{xml_path}: {where}<{path}> is {text!r}, expected a finite number')
    return value


def int_field(element: ET.Element, path: str, xml_path: str) -> int:
    """The sub-element ``path`` of ``element`` as a positive int (see :func:`text_field`)."""
    value = float_field(element, path, xml_path)
    if value <= 0 or value != int(value):
        raise ValueError(f'{xml_path}: <{path}> is {value}, expected a positive integer')
    return int(value)


def read_xml_root(xml_path: str, backend_args: Optional[dict] = None) -> ET.Element:
    """The root element of an XML file read through the mmengine file backend.

    Raises:
        ValueError: If the file is not well-formed XML (the message names the file).
    """
    with fileio.get_local_path(xml_path, backend_args=backend_args) as local_path:
        try:
            return ET.parse(local_path).getroot()
        except ET.ParseError as err:
            raise ValueError(f'{xml_path}: not a valid XML file ({err})') from err


def class_label(obj: ET.Element, classes: Sequence[str], xml_path: str, index: int) -> Tuple[str, int]:
    """The ``<name>`` of an ``<object>`` and its index into ``classes``, matched case-insensitively.

    Raises:
        ValueError: If the name is missing or not one of ``classes`` (never a skipped object).
    """
    name = text_field(obj, 'name', xml_path, index)
    lowered = [known.lower() for known in classes]
    if name.lower() not in lowered:
        raise ValueError(f'{xml_path}: object {index} has class {name!r}, which is not one of the '
                         f'{len(classes)} classes {tuple(classes)} (matched case-insensitively)')
    return name, lowered.index(name.lower())


def is_difficult(obj: ET.Element) -> bool:
    """Whether an ``<object>`` has a ``<difficult>`` tag other than empty or 0."""
    difficult = obj.find('difficult')
    return difficult is not None and (difficult.text or '').strip() not in ('', '0')
