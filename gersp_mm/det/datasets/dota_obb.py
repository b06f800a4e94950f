# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
import glob
import os.path as osp
from typing import List

from mmrotate.datasets import DOTADataset
from mmrotate.registry import DATASETS

from ..converters.dota_labels import read_label_file


@DATASETS.register_module()
class DOTAOBBDataset(DOTADataset):
    """DOTA-v1.0 with oriented boxes: mmrotate's ``DOTADataset``, reading the label files as released.

    It reads a folder of DOTA label files (``ann_file``), one ``<image id>.txt`` per image of
    ``data_prefix['img_path']``, e.g. the patches of ``tools/dataset_converters/prepare_dota.py
    --box-type obb`` (``<split>/annfiles/``) or the full images' ``labelTxt/``; with ``ann_file=''`` it
    lists the images alone (the unlabelled test split). Instances are as mmrotate's: ``bbox`` the eight
    polygon coordinates (loaded as ``qbox``), ``bbox_label``, and ``ignore_flag`` 1 for a difficulty above
    ``diff_thr`` (0 ignores DOTA's difficult objects, as the official evaluation does).

    What mmrotate's dataset gets wrong, fixed here:

    - the label files as released start with ``imagesource:`` and ``gsd:`` header lines, which it parses
      as objects (``ValueError: could not convert string to float``, naming no file); they are skipped;
    - a malformed line (not 10 fields, a non-numeric coordinate, a difficulty other than 0/1) or an
      unknown class name stops it with an error that names neither the file nor the line
      (``IndexError``, ``KeyError``); here the error names ``file:line`` and what was expected;
    - without labels (``ann_file=''``) it gives each image a placeholder object (an empty box, one ignore
      flag), which the validation pipeline's ``LoadAnnotations`` turns into zero boxes with one ignore
      flag (``IndexError`` in ``PackDetInputs``); here such an image has no object, so the unlabelled test
      split runs through the validation pipeline (``tools/test.py --cfg-options
      test_dataloader.dataset.ann_file=``, see configs/det/README.md);
    - it takes the files in the file system's listing order, so the order of the samples (and of the
      evaluation's results) changes from one machine to another; here they are sorted by image id.

    Args:
        diff_thr (int): Objects with a difficulty above it get ``ignore_flag=1``. Defaults to 100
            (mmrotate's: none ignored).
        img_suffix (str): The image file suffix. Defaults to ``'png'``.
        **kwargs: Other arguments of :class:`mmengine.dataset.BaseDataset` (``data_root``, ``ann_file``,
            ``data_prefix=dict(img_path=...)``, ``filter_cfg``, ``pipeline``, ``test_mode``, ...).

    Raises:
        FileNotFoundError: If ``ann_file`` is not a folder or holds no ``.txt`` file (or, without labels,
            the image folder holds no image).
        ValueError: For a malformed line or an unknown class name, naming the file and line.
    """

    def _list_images(self) -> List[dict]:
        img_dir = self.data_prefix['img_path']
        img_paths = sorted(glob.glob(osp.join(img_dir, f'*.{self.img_suffix}')))
        if not img_paths:
            raise FileNotFoundError(f'no .{self.img_suffix} image in {img_dir!r}')
        return [dict(img_id=osp.splitext(osp.basename(path))[0], file_name=osp.basename(path), img_path=path,
                     instances=[]) for path in img_paths]

    def load_data_list(self) -> List[dict]:
        """One entry per image, sorted by image id: ``img_id``, ``file_name``, ``img_path`` and ``instances``."""
        if self.ann_file == '':
            return self._list_images()
        if not osp.isdir(self.ann_file):
            raise FileNotFoundError(f'ann_file {self.ann_file!r} is not a folder of DOTA label files '
                                    '(e.g. <split>/annfiles/ written by tools/dataset_converters/prepare_dota.py '
                                    '--box-type obb)')
        label_files = sorted(glob.glob(osp.join(self.ann_file, '*.txt')))
        if not label_files:
            raise FileNotFoundError(f'no .txt label file in {self.ann_file!r}')
        classes = self.metainfo['classes']
        class_index = {name: index for index, name in enumerate(classes)}
        data_list = []
        for label_file in label_files:
            img_id = osp.splitext(osp.basename(label_file))[0]
            file_name = f'{img_id}.{self.img_suffix}'
            instances = []
            for obj in read_label_file(label_file):
                if obj.name not in class_index:
                    raise ValueError(f'{label_file}:{obj.line_no}: unknown class name {obj.name!r}; expected one '
                                     f'of {tuple(classes)}')
                instances.append(dict(bbox=list(obj.polygon), bbox_label=class_index[obj.name],
                                      ignore_flag=int(obj.difficult > self.diff_thr)))
            data_list.append(dict(img_id=img_id, file_name=file_name,
                                  img_path=osp.join(self.data_prefix['img_path'], file_name), instances=instances))
        return data_list
