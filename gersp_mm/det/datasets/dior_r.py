# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
from typing import List, Tuple

from mmrotate.datasets import DIORDataset as MMRotateDIORDataset
from mmrotate.registry import DATASETS

from .box_fixes import BoxFix
from .dior import DIORDataset
from .dior_r_xml import parse_dior_r_xml
from .polygon_fixes import summarize_polygon_fixes


@DATASETS.register_module()
class DIORRDataset(DIORDataset):
    """DIOR-R oriented-box object detection (Cheng et al., 2022): the DIOR images with rotated boxes.

    Reads the release as it is downloaded::

        data_root/
        ├── Annotations/Oriented Bounding Boxes/<id>.xml
        ├── ImageSets/Main/{train,val,test}.txt
        ├── JPEGImages-trainval/<id>.jpg                    (ids 00001-11725)
        └── JPEGImages-test/<id>.jpg                        (ids 11726-23463)

    The splits, the image lookup, the class-name matching (case-insensitive; an unknown name is an error,
    never a skipped object), ``<difficult>`` (DIOR-R writes ``0`` everywhere; a 1 marks the box ignored),
    the image size from ``<size>`` (33 images are 800 wide and 782-816 high) and the errors naming the
    file and object are those of :class:`~.dior.DIORDataset`. Each object's box is the polygon of the four
    corners of ``<robndbox>`` (``x_left_top, y_left_top, ..., x_left_bottom, y_left_bottom``), mmrotate's
    ``qbox`` layout: the pipeline loads it with ``LoadAnnotations(box_type='qbox')`` and converts it to
    ``rbox``. ``<angle>`` repeats what the corners say and is not read. Every object is kept:

    - a polygon of zero area (all corners on one line or one point; the complete release has four, ships
      in 04137, 07007, 15504 and 16734) is widened to 1 px
      (:func:`~.polygon_fixes.widen_zero_area_polygon`), counted and named in one log line, and kept in
      ``box_fixes``;
    - corners outside the image are kept as written (2,574 objects of the release, up to 254 px out). A
      rotated box of a large airport, dam or harbour cut by the image border legitimately reaches past
      it; clipping would turn it into a polygon that is no longer a rectangle, and moving its corners in
      would change the box's centre, size and angle, i.e. the ground truth of the part that is visible.
      Only a polygon entirely outside its image is an error.

    What mmrotate's own ``DIORDataset`` (dev-1.x) gets wrong on the real release, fixed here: its
    ``filter_cfg.bbox_min_size`` compares the *image's* width and height with the minimum box size; it
    swaps width and height when it reads the size from the image instead of ``<size>``; it has no
    ``<difficult>`` handling; it passes zero-area polygons on unchanged; it needs one ``ann_file`` per
    split (no ``trainval``) and one image folder per dataset; an unknown class name raises a bare
    ``KeyError``. The classes and palette are mmrotate's (the DIOR-R order, ``dam`` after the two
    expressway classes), so that mmrotate's DIOR-R checkpoints keep their labels.

    Args:
        **kwargs: Arguments of :class:`~.dior.DIORDataset` (``split`` or ``ann_file``, ``split_dir``,
            ``data_root``, ``pipeline``, ``filter_cfg``, ``test_mode``, ``backend_args``, ...).

    Attributes:
        box_fixes (list[BoxFix]): The zero-area polygons widened at load time, in load order.
    """

    METAINFO = MMRotateDIORDataset.METAINFO
    ANN_SUBDIRS = ('Annotations/Oriented Bounding Boxes', )
    summarize_fixes = staticmethod(summarize_polygon_fixes)

    def parse_xml(self, xml_path: str) -> Tuple[dict, List[BoxFix]]:
        """Parse one DIOR-R XML with this dataset's classes: see :func:`~.dior_r_xml.parse_dior_r_xml`."""
        return parse_dior_r_xml(xml_path, self.metainfo['classes'], self.backend_args)
