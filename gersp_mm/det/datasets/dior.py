# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
import os.path as osp
import xml.etree.ElementTree as ET
from typing import Dict, List, Optional, Tuple

from mmdet.datasets import BaseDetDataset, XMLDataset
from mmdet.registry import DATASETS
from mmengine import fileio

DIOR_CLASSES = ('airplane', 'airport', 'baseballfield', 'basketballcourt', 'bridge', 'chimney', 'dam',
                'Expressway-Service-area', 'Expressway-toll-station', 'golffield', 'groundtrackfield',
                'harbor', 'overpass', 'ship', 'stadium', 'storagetank', 'tenniscourt', 'trainstation',
                'vehicle', 'windmill')


@DATASETS.register_module()
class DIORDataset(BaseDetDataset):
    """DIOR horizontal-box object detection (Li et al., 2020): 23,463 images of 800x800 pixels, 20 classes.

    Reads the dataset as it is distributed::

        data_root/
        ├── Annotations/<id>.xml                            (older copies)
        │   or Annotations/Horizontal Bounding Boxes/<id>.xml  (current download)
        ├── ImageSets/Main/{train,val,test}.txt
        ├── JPEGImages-trainval/<id>.jpg                    (ids 00001-11725)
        └── JPEGImages-test/<id>.jpg                        (ids 11726-23463)

    The XMLs are VOC-style (CRLF line endings and tabs are fine) with class names whose case varies
    (``Expressway-Service-area``, ``golffield``): names are matched case-insensitively onto the dataset's
    classes and an unknown name is an error, never a skipped object. DIOR has no ``<difficult>`` tag, so
    every object is a normal ground truth (a ``<difficult>1</difficult>`` tag, if present, marks the box
    ignored). Boxes keep the XML pixel coordinates ``(xmin, ymin, xmax, ymax)`` as they are (no ``- 1``
    shift, no minimum size: vehicles and ships are a few pixels wide). Width and height come from the
    XML ``<size>``.

    The annotation folder is detected once: ``Annotations/Horizontal Bounding Boxes/`` if it exists,
    otherwise ``Annotations/``. Each image is looked up in ``JPEGImages-trainval/`` and
    ``JPEGImages-test/`` (first the one its id range belongs to).

    Args:
        split (str, optional): An official split: ``'train'``, ``'val'``, ``'test'``, or ``'trainval'``
            (``train.txt`` followed by ``val.txt``), read from ``split_dir``. Give either ``split`` or
            ``ann_file``.
        ann_file (str): A file of image ids (one per line, blank lines ignored), relative to
            ``data_root`` or absolute, used instead of ``split``. Defaults to ''.
        split_dir (str): Folder of the official split files, relative to ``data_root``. Defaults to
            ``'ImageSets/Main'``.
        **kwargs: Other arguments of :class:`mmdet.datasets.BaseDetDataset` (``data_root``,
            ``pipeline``, ``filter_cfg`` with ``filter_empty_gt`` and ``min_size``, ``test_mode``,
            ``backend_args``, ...).

    Raises:
        ValueError: For a wrong ``split``/``ann_file`` combination, an unknown class name, a box with
            ``xmax <= xmin`` or ``ymax <= ymin``, a malformed XML, or a repeated image id.
        FileNotFoundError: For a missing split file, annotation folder, XML or image; the message names
            the paths that were tried.
    """

    METAINFO = dict(classes=DIOR_CLASSES)
    SPLITS: Dict[str, Tuple[str, ...]] = dict(
        train=('train', ), val=('val', ), test=('test', ), trainval=('train', 'val'))
    ANN_SUBDIRS = ('Annotations/Horizontal Bounding Boxes', 'Annotations')
    IMG_SUBDIRS = ('JPEGImages-trainval', 'JPEGImages-test')
    LAST_TRAINVAL_ID = 11725

    def __init__(self,
                 split: Optional[str] = None,
                 ann_file: str = '',
                 split_dir: str = 'ImageSets/Main',
                 **kwargs) -> None:
        if (split is None) == (not ann_file):
            raise ValueError(f'{type(self).__name__}: give exactly one of `split` (one of '
                             f'{sorted(self.SPLITS)}) and `ann_file`, got split={split!r}, '
                             f'ann_file={ann_file!r}')
        if split is not None and split not in self.SPLITS:
            raise ValueError(f'{type(self).__name__}: unknown split {split!r}, expected one of '
                             f'{sorted(self.SPLITS)}')
        self.split = split
        self.split_dir = split_dir
        super().__init__(ann_file=ann_file, **kwargs)

    def _root_path(self, relative: str) -> str:
        """Join a path relative to ``data_root`` (absolute paths are returned unchanged)."""
        return relative if osp.isabs(relative) else fileio.join_path(self.data_root, relative)

    def _id_files(self) -> List[str]:
        """The files listing the image ids of this dataset, in order."""
        if self.ann_file:
            return [self.ann_file]
        return [self._root_path(osp.join(self.split_dir, f'{name}.txt')) for name in self.SPLITS[self.split]]

    def _read_ids(self) -> List[str]:
        """Read the image ids of all id files, in order, without repeats.

        Returns:
            list[str]: Image ids such as ``'00001'``.
        """
        img_ids: List[str] = []
        seen: Dict[str, str] = {}
        for path in self._id_files():
            if not fileio.exists(path, backend_args=self.backend_args):
                raise FileNotFoundError(f'{type(self).__name__}: split file {path!r} not found')
            text = fileio.get_text(path, backend_args=self.backend_args)
            for line_no, line in enumerate(text.splitlines(), start=1):
                img_id = line.strip()
                if not img_id:
                    continue
                if img_id in seen:
                    raise ValueError(f'{type(self).__name__}: image id {img_id!r} is listed twice '
                                     f'({seen[img_id]} and {path}:{line_no})')
                seen[img_id] = f'{path}:{line_no}'
                img_ids.append(img_id)
        if not img_ids:
            raise ValueError(f'{type(self).__name__}: no image id in {self._id_files()}')
        return img_ids

    def _ann_dir(self) -> str:
        """The annotation folder: the nested ``Horizontal Bounding Boxes`` layout first, then the flat one."""
        candidates = [self._root_path(subdir) for subdir in self.ANN_SUBDIRS]
        for candidate in candidates:
            if fileio.isdir(candidate, backend_args=self.backend_args):
                return candidate
        raise FileNotFoundError(f'{type(self).__name__}: no annotation folder, tried {candidates}')

    def _img_path(self, img_id: str) -> str:
        """Find ``<img_id>.jpg`` in the image folders, the one of its id range first."""
        subdirs = list(self.IMG_SUBDIRS)
        if img_id.isdigit() and int(img_id) > self.LAST_TRAINVAL_ID:
            subdirs.reverse()
        candidates = [self._root_path(osp.join(subdir, f'{img_id}.jpg')) for subdir in subdirs]
        for candidate in candidates:
            if fileio.exists(candidate, backend_args=self.backend_args):
                return candidate
        raise FileNotFoundError(f'{type(self).__name__}: image {img_id!r} not found, tried {candidates}')

    def load_data_list(self) -> List[dict]:
        """Read the split's image ids and parse one XML per image.

        Returns:
            list[dict]: One dict per image with ``img_id``, ``img_path``, ``xml_path``, ``width``,
            ``height`` and ``instances`` (see :meth:`parse_xml`).
        """
        ann_dir = self._ann_dir()
        data_list = []
        for img_id in self._read_ids():
            xml_path = fileio.join_path(ann_dir, f'{img_id}.xml')
            if not fileio.exists(xml_path, backend_args=self.backend_args):
                raise FileNotFoundError(f'{type(self).__name__}: annotation {xml_path!r} of image {img_id!r} '
                                        'not found')
            data_info = dict(img_id=img_id, img_path=self._img_path(img_id), xml_path=xml_path)
            data_info.update(self.parse_xml(xml_path))
            data_list.append(data_info)
        return data_list

    def parse_xml(self, xml_path: str) -> dict:
        """Parse one DIOR XML.

        Args:
            xml_path (str): Path of the XML file.

        Returns:
            dict: ``width`` and ``height`` (int, from ``<size>``) and ``instances``: a list of dicts with
            ``bbox`` (list[float], ``[xmin, ymin, xmax, ymax]`` in pixels), ``bbox_label`` (int, index into
            ``metainfo['classes']``) and ``ignore_flag`` (int, 1 for ``<difficult>1</difficult>``).
        """
        class_index = {name.lower(): index for index, name in enumerate(self.metainfo['classes'])}
        with fileio.get_local_path(xml_path, backend_args=self.backend_args) as local_path:
            try:
                root = ET.parse(local_path).getroot()
            except ET.ParseError as err:
                raise ValueError(f'{xml_path}: not a valid XML file ({err})') from err
        width = _int_field(root, 'size/width', xml_path)
        height = _int_field(root, 'size/height', xml_path)
        instances = []
        for index, obj in enumerate(root.findall('object')):
            name = _text_field(obj, 'name', xml_path, index)
            if name.lower() not in class_index:
                raise ValueError(f'{xml_path}: object {index} has class {name!r}, which is not one of the '
                                 f'{len(class_index)} classes {tuple(self.metainfo["classes"])} '
                                 '(matched case-insensitively)')
            bbox = [_float_field(obj, f'bndbox/{key}', xml_path, index) for key in ('xmin', 'ymin', 'xmax', 'ymax')]
            if bbox[2] <= bbox[0] or bbox[3] <= bbox[1]:
                raise ValueError(f'{xml_path}: object {index} ({name}) has an empty box {bbox}; expected '
                                 'xmin < xmax and ymin < ymax')
            difficult = obj.find('difficult')
            ignore = difficult is not None and (difficult.text or '').strip() not in ('', '0')
            instances.append(dict(bbox=bbox, bbox_label=class_index[name.lower()], ignore_flag=int(ignore)))
        return dict(width=width, height=height, instances=instances)

    # Drop images without objects (``filter_cfg.filter_empty_gt``) or smaller than ``filter_cfg.min_size``,
    # never in test mode: the same rule as mmdet's VOC-style datasets.
    filter_data = XMLDataset.filter_data


def _text_field(element: ET.Element, path: str, xml_path: str, index: Optional[int] = None) -> str:
    """The stripped text of the sub-element ``path`` of ``element``; an error naming the file if absent."""
    found = element.find(path)
    if found is None or not (found.text or '').strip():
        where = f'object {index}: ' if index is not None else ''
        raise ValueError(f'{xml_path}: {where}missing or empty <{path}>')
    return found.text.strip()


def _float_field(element: ET.Element, path: str, xml_path: str, index: Optional[int] = None) -> float:
    """The sub-element ``path`` of ``element`` as a float."""
    text = _text_field(element, path, xml_path, index)
    try:
        return float(text)
    except ValueError as err:
        where = f'object {index}: ' if index is not None else ''
        raise ValueError(f'{xml_path}: {where}<{path}> is {text!r}, expected a number') from err


def _int_field(element: ET.Element, path: str, xml_path: str) -> int:
    """The sub-element ``path`` of ``element`` as a positive int."""
    value = _float_field(element, path, xml_path)
    if value <= 0 or value != int(value):
        raise ValueError(f'{xml_path}: <{path}> is {value}, expected a positive integer')
    return int(value)

