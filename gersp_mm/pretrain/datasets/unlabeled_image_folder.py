# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
import os.path as osp
from typing import List, Optional, Sequence, Union

from mmengine.fileio import list_from_file
from mmpretrain.datasets import BaseDataset
from mmpretrain.registry import DATASETS

from ...fileio.image_files import IMAGE_EXTENSIONS, iter_image_files


@DATASETS.register_module()
class UnlabeledImageFolder(BaseDataset):
    """Unlabeled images under a folder, e.g. Million-AID (``train/<l1>/<l2>/<l3>/*.jpg`` or ``test/*.jpg``).

    Without ``ann_file`` the folder is scanned recursively at start-up with :func:`iter_image_files`.
    For large collections, write the list once with ``tools/dataset_converters/make_file_list.py`` (the
    same scan, in the same order) and pass it as ``ann_file``: one path relative to the image folder per
    line (blank lines and ``#`` comments are ignored). The list is held serialised in one numpy buffer
    (mmengine's ``serialize_data``), so data loader workers do not grow with millions of paths.

    The host class, :class:`mmpretrain.datasets.BaseDataset`, builds the pipeline with mmpretrain's
    ``TRANSFORMS`` (so the dataset works under any default scope, e.g. inside ``DualSourceDataset``),
    turns a string ``data_prefix`` into ``dict(img_path=...)`` and joins it to ``data_root``. This class
    only adds :meth:`load_data_list`. It does not use ``CustomDataset(with_label=False)``, whose loading
    differs from ours in ways users rely on:

    - its scan sorts whole relative paths (``a-b/x.jpg < a.jpg < a/y.jpg < b.jpg``); ours lists each
      folder's files before its sub-folders, the order of the lists already written by the file list tool
      and of every seeded run so far (switching would give images new indices); both skip hidden files and
      folders (names starting with ``.``);
    - it reads ``ann_file`` verbatim: spaces stay in the paths, a blank line becomes the image folder itself
      and a ``#`` comment becomes an image path;
    - an empty scan raises ``RuntimeError`` (ours: ``ValueError``), and a missing folder or list is the file
      backend's bare ``FileNotFoundError``, which does not say which of the two is missing; with a list, it
      never checks the image folder;
    - its default extensions lack ``.tiff`` and ``.webp`` (both match extensions case-insensitively).

    Args:
        data_root (str): Root of the dataset.
        ann_file (str): Optional file list, relative to ``data_root`` or absolute; its paths are relative to
            the image folder. Defaults to ''.
        data_prefix (str | dict, optional): The image folder, ``SUBFOLDER`` or ``dict(img_path=SUBFOLDER)``,
            when the images are in a sub-folder of ``data_root`` (e.g. ``'train'`` of an ImageNet root).
            Defaults to the root itself.
        extensions (Sequence[str]): Image extensions kept when scanning (case-insensitive). Defaults to
            :data:`IMAGE_EXTENSIONS`.
        pipeline (Sequence[dict | Callable], optional): Transforms, built with mmpretrain's ``TRANSFORMS``.
            Defaults to none.
        **kwargs: Other arguments of :class:`mmpretrain.datasets.BaseDataset` (``serialize_data``, ...).
    """

    METAINFO = dict(classes=None)

    def __init__(self,
                 data_root: str,
                 ann_file: str = '',
                 data_prefix: Union[str, dict, None] = None,
                 extensions: Sequence[str] = IMAGE_EXTENSIONS,
                 pipeline: Optional[Sequence] = None,
                 **kwargs) -> None:
        self.extensions = tuple(extensions)
        super().__init__(ann_file=ann_file, data_root=data_root, data_prefix=data_prefix or '',
                         pipeline=pipeline or (), **kwargs)

    def load_data_list(self) -> List[dict]:
        """Read the file list, or scan the image folder.

        Returns:
            list[dict]: One ``dict(img_path=...)`` per image.

        Raises:
            FileNotFoundError: If the image folder or ``ann_file`` does not exist.
            ValueError: If no image is found or listed.
        """
        folder = self.img_prefix
        if not osp.isdir(folder):
            raise FileNotFoundError(f'{type(self).__name__}: image folder {folder!r} is not a directory')
        if self.ann_file:
            if not osp.isfile(self.ann_file):
                raise FileNotFoundError(f'{type(self).__name__}: file list {self.ann_file!r} not found')
            stripped = (line.strip() for line in list_from_file(self.ann_file))
            relative_paths = [line for line in stripped if line and not line.startswith('#')]
            source = f'file list {self.ann_file!r}'
        else:
            relative_paths = list(iter_image_files(folder, self.extensions))
            source = f'{folder!r} (extensions {", ".join(self.extensions)})'
        if not relative_paths:
            raise ValueError(f'{type(self).__name__}: no image found in {source}')
        return [dict(img_path=osp.join(folder, path)) for path in relative_paths]
