# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
import os.path as osp
from typing import List, Optional, Sequence

from mmengine.dataset import BaseDataset
from mmpretrain.registry import DATASETS, TRANSFORMS

from ...fileio.image_files import IMAGE_EXTENSIONS, iter_image_files


@DATASETS.register_module()
class UnlabeledImageFolder(BaseDataset):
    """Unlabeled images under a folder, e.g. Million-AID (``train/<l1>/<l2>/<l3>/*.jpg`` or ``test/*.jpg``).

    Without ``ann_file`` the folder is scanned recursively at start-up (sorted, deterministic). For
    large collections, write the list once with ``tools/dataset_converters/make_file_list.py`` and pass
    it as ``ann_file``: one path relative to the image folder per line (blank lines and ``#`` comments are
    ignored). The list is held serialised in one numpy buffer (mmengine's ``serialize_data``), so data
    loader workers do not grow with millions of paths.

    Args:
        data_root (str): Root of the dataset.
        ann_file (str): Optional file list, relative to ``data_root`` or absolute; its paths are relative to
            the image folder. Defaults to ''.
        data_prefix (dict): ``dict(img_path=SUBFOLDER)`` when the images are in a sub-folder of
            ``data_root`` (e.g. ``'train'`` of an ImageNet root). Defaults to the root itself.
        extensions (Sequence[str]): Image extensions kept when scanning. Defaults to
            :data:`IMAGE_EXTENSIONS`.
        **kwargs: Other arguments of :class:`mmengine.dataset.BaseDataset` (``pipeline``, ...).
    """

    METAINFO = dict(classes=None)

    def __init__(self,
                 data_root: str,
                 ann_file: str = '',
                 data_prefix: Optional[dict] = None,
                 extensions: Sequence[str] = IMAGE_EXTENSIONS,
                 pipeline: Optional[list] = None,
                 **kwargs) -> None:
        self.extensions = tuple(extensions)
        # Built with mmpretrain's registry (as mmpretrain's datasets do), whatever the default scope.
        transforms = [TRANSFORMS.build(t) if isinstance(t, dict) else t for t in pipeline or []]
        super().__init__(ann_file=ann_file, data_root=data_root, data_prefix=data_prefix or dict(img_path=''),
                         pipeline=transforms, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Read the file list, or scan ``data_root``.

        Returns:
            list[dict]: One ``dict(img_path=...)`` per image.

        Raises:
            FileNotFoundError: If the image folder or ``ann_file`` does not exist.
            ValueError: If no image is found or listed.
        """
        folder = self.data_prefix['img_path'] or self.data_root
        if not osp.isdir(folder):
            raise FileNotFoundError(f'{type(self).__name__}: image folder {folder!r} is not a directory')
        if self.ann_file:
            if not osp.isfile(self.ann_file):
                raise FileNotFoundError(f'{type(self).__name__}: file list {self.ann_file!r} not found')
            with open(self.ann_file, encoding='utf-8') as f:
                stripped = (line.strip() for line in f)
                relative_paths = [line for line in stripped if line and not line.startswith('#')]
            source = f'file list {self.ann_file!r}'
        else:
            relative_paths = list(iter_image_files(folder, self.extensions))
            source = f'{folder!r} (extensions {", ".join(self.extensions)})'
        if not relative_paths:
            raise ValueError(f'{type(self).__name__}: no image found in {source}')
        return [dict(img_path=osp.join(folder, path)) for path in relative_paths]
