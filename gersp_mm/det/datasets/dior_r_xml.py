# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""One DIOR-R annotation file: a VOC-style XML with oriented boxes, read into the image size and its objects.

The rules (class names, ``<difficult>``, the zero-area polygons widened at load time, the corners outside the
image kept and the errors) are those of :class:`~.dior_r.DIORRDataset`.
"""
import os.path as osp
from typing import List, Optional, Sequence, Tuple

from .box_fixes import BoxFix, box_outside_image
from .polygon_fixes import polygon_bounds, widen_zero_area_polygon
from .xml_fields import class_label, float_field, int_field, is_difficult, read_xml_root

#: The fields of ``<robndbox>``, in the order of the polygon ``[x1, y1, ..., x4, y4]``.
CORNER_FIELDS = ('x_left_top', 'y_left_top', 'x_right_top', 'y_right_top',
                 'x_right_bottom', 'y_right_bottom', 'x_left_bottom', 'y_left_bottom')


def parse_dior_r_xml(xml_path: str, classes: Sequence[str],
                     backend_args: Optional[dict] = None) -> Tuple[dict, List[BoxFix]]:
    """Parse one DIOR-R XML (``Annotations/Oriented Bounding Boxes/<id>.xml``).

    Args:
        xml_path (str): Path of the XML file.
        classes (Sequence[str]): The dataset's classes; names are matched onto them case-insensitively.
        backend_args (dict, optional): Arguments of the mmengine file backend.

    Returns:
        tuple[dict, list[BoxFix]]: ``width`` and ``height`` (int, from ``<size>``) and ``instances``, a list
        of dicts with ``bbox`` (list[float] of 8, the corners ``[x1, y1, ..., x4, y4]`` of ``<robndbox>``
        in pixels, the layout of mmrotate's ``qbox``), ``bbox_label`` (int, index into ``classes``) and
        ``ignore_flag`` (int, 1 for ``<difficult>1</difficult>``); and the polygons widened in this file.

    Raises:
        ValueError: For a malformed XML, a missing or non-numeric field, an unknown class name, or a
            polygon entirely outside its image; the message names the file (and the object).
    """
    root = read_xml_root(xml_path, backend_args)
    width = int_field(root, 'size/width', xml_path)
    height = int_field(root, 'size/height', xml_path)
    instances, fixes = [], []
    for index, obj in enumerate(root.findall('object')):
        name, label = class_label(obj, classes, xml_path, index)
        polygon = [float_field(obj, f'robndbox/{key}', xml_path, index) for key in CORNER_FIELDS]
        if box_outside_image(polygon_bounds(polygon), width, height):
            raise ValueError(f'{xml_path}: object {index} ({name}) has the polygon {polygon}, entirely '
                             f'outside its {width}x{height} image (<size>)')
        widened = widen_zero_area_polygon(polygon)
        if widened is not None:
            fixes.append(BoxFix(osp.basename(xml_path), index, tuple(polygon), tuple(widened), False, True))
            polygon = widened
        instances.append(dict(bbox=polygon, bbox_label=label, ignore_flag=int(is_difficult(obj))))
    return dict(width=width, height=height, instances=instances), fixes
