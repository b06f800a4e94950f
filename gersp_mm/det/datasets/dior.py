# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
import os.path as osp
from typing import Dict, List, Optional, Tuple

from mmdet.datasets import BaseDetDataset, XMLDataset
from mmdet.registry import DATASETS
from mmengine import fileio
from mmengine.logging import print_log

from .box_fixes import BoxFix, summarize_box_fixes
from .dior_xml import parse_dior_xml

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
    ignored). Width and height come from the XML ``<size>`` (33 images of the release are 800 wide and
    782-816 high); ``<depth>`` is not read (the pipeline decodes every image to 3 channels). Every object
    is kept, repeated ones too, with no minimum size (vehicles and ships are a few pixels wide).

    Boxes: DIOR's coordinates are VOC-style inclusive pixel indices. They are kept as written,
    ``(xmin, ymin, xmax, ymax)`` with width ``xmax - xmin`` (the width convention of mmdet's VOC-style
    datasets), except for two fixes applied at load time, counted and named in one log line, and kept
    in ``box_fixes``:

    - a side of zero length (``xmin == xmax`` or ``ymin == ymax``: in inclusive indices a 1-pixel-wide
      object; the release has 7, e.g. ``04137.xml`` object 26, a ship at ``[162, 329, 162, 330]``) is
      widened to 1 px ending where it was written (``[161, 329, 162, 330]``; from 0 to 1 for a coordinate
      below 1). Kept at zero width such a box gives ``log(0)`` in the box coders; dropped, the object is
      lost; widened, it covers the pixel it marks;
    - a box reaching beyond ``<size>`` is clipped to the image (then widened if a side became empty).

    Boxes ending exactly at the image border (``xmax == width``, 1,202 in the release) lie inside the
    image and are unchanged. A box with ``xmax < xmin`` or ``ymax < ymin``, or entirely outside its
    image, is an error naming the file and the object: no fix can tell where that object is.

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

    Attributes:
        box_fixes (list[BoxFix]): The boxes widened or clipped at load time, in load order.

    Raises:
        ValueError: For a wrong ``split``/``ann_file`` combination, an unknown class name, an inverted
            box or one entirely outside its image, a malformed XML, or a repeated image id; the message
            names the file (and the object).
        FileNotFoundError: For a missing split file or annotation folder, and for missing XMLs or
            images: all of them in one error (their number and the first few, with the paths tried).
    """

    METAINFO = dict(classes=DIOR_CLASSES)
    SPLITS: Dict[str, Tuple[str, ...]] = dict(
        train=('train', ), val=('val', ), test=('test', ), trainval=('train', 'val'))
    ANN_SUBDIRS = ('Annotations/Horizontal Bounding Boxes', 'Annotations')
    IMG_SUBDIRS = ('JPEGImages-trainval', 'JPEGImages-test')
    LAST_TRAINVAL_ID = 11725
    MAX_NAMED_MISSING = 5

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
        self.box_fixes: List[BoxFix] = []
        super().__init__(ann_file=ann_file, **kwargs)

    def _root_path(self, relative: str) -> str:
        """Join a path relative to ``data_root`` (absolute paths are returned unchanged)."""
        return relative if osp.isabs(relative) else fileio.join_path(self.data_root, relative)

    def _id_files(self) -> List[str]:
        """The files listing the image ids of this dataset, in order."""
        if self.ann_file:
            return [self.ann_file]
        return [self._root_path(osp.join(self.split_dir, f'{name}.txt')) for name in self.SPLITS[self.split]]

    def _describe(self) -> str:
        """``"DIORDataset (split 'test')"``, the prefix of messages."""
        source = f'split {self.split!r}' if self.split else f'ann_file {self.ann_file!r}'
        return f'{type(self).__name__} ({source})'

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

    def _img_candidates(self, img_id: str) -> List[str]:
        """The paths where ``<img_id>.jpg`` may be, the folder of its id range first."""
        subdirs = list(self.IMG_SUBDIRS)
        if img_id.isdigit() and int(img_id) > self.LAST_TRAINVAL_ID:
            subdirs.reverse()
        return [self._root_path(osp.join(subdir, f'{img_id}.jpg')) for subdir in subdirs]

    def _img_path(self, img_id: str) -> Optional[str]:
        """The first existing path of :meth:`_img_candidates`; None if there is none."""
        for candidate in self._img_candidates(img_id):
            if fileio.exists(candidate, backend_args=self.backend_args):
                return candidate
        return None

    def load_data_list(self) -> List[dict]:
        """Read the split's image ids and parse one XML per image.

        Missing XMLs and images of the whole split are reported in one error. The boxes fixed at load
        time (see the class docstring) are logged in one line and kept in ``box_fixes``.

        Returns:
            list[dict]: One dict per image with ``img_id``, ``img_path``, ``xml_path``, ``width``,
            ``height`` and ``instances`` (see :meth:`parse_xml`).
        """
        ann_dir = self._ann_dir()
        img_ids = self._read_ids()
        xml_paths = [fileio.join_path(ann_dir, f'{img_id}.xml') for img_id in img_ids]
        img_paths = [self._img_path(img_id) for img_id in img_ids]
        missing_xmls = [path for path in xml_paths if not fileio.exists(path, backend_args=self.backend_args)]
        missing_imgs = [img_id for img_id, path in zip(img_ids, img_paths) if path is None]
        if missing_xmls or missing_imgs:
            raise FileNotFoundError(self._missing_files_message(missing_xmls, missing_imgs, len(img_ids)))
        data_list, self.box_fixes = [], []
        for img_id, xml_path, img_path in zip(img_ids, xml_paths, img_paths):
            annotation, fixes = self.parse_xml(xml_path)
            data_list.append(dict(img_id=img_id, img_path=img_path, xml_path=xml_path, **annotation))
            self.box_fixes += fixes
        if self.box_fixes:
            print_log(f'{self._describe()}: {self.summarize_fixes(self.box_fixes)}', logger='current')
        return data_list

    def _missing_files_message(self, missing_xmls: List[str], missing_imgs: List[str], total: int) -> str:
        """One message for all missing XMLs and images: their number and the first few."""
        first = self.MAX_NAMED_MISSING
        parts = []
        if missing_xmls:
            parts.append(f'{len(missing_xmls)} of {total} annotation files not found: '
                         + ', '.join(repr(path) for path in missing_xmls[:first])
                         + (', ...' if len(missing_xmls) > first else ''))
        if missing_imgs:
            parts.append(f'{len(missing_imgs)} of {total} images not found: '
                         + ', '.join(repr(img_id) for img_id in missing_imgs[:first])
                         + (', ...' if len(missing_imgs) > first else '')
                         + f' (for {missing_imgs[0]!r} tried {self._img_candidates(missing_imgs[0])})')
        return f'{self._describe()}: ' + '; '.join(parts)

    def parse_xml(self, xml_path: str) -> Tuple[dict, List[BoxFix]]:
        """Parse one DIOR XML with this dataset's classes: see :func:`~.dior_xml.parse_dior_xml`."""
        return parse_dior_xml(xml_path, self.metainfo['classes'], self.backend_args)

    #: The text of the one log line naming the boxes fixed at load time.
    summarize_fixes = staticmethod(summarize_box_fixes)

    # Drop images without objects (``filter_cfg.filter_empty_gt``) or smaller than ``filter_cfg.min_size``,
    # never in test mode: the same rule as mmdet's VOC-style datasets.
    filter_data = XMLDataset.filter_data

