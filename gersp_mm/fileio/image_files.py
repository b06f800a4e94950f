# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Which files are images: the one list of image file extensions of the package and a sorted folder scan."""
import os
import os.path as osp
from typing import Iterator, Sequence

#: Lower-case extensions of the image files the datasets and tools of the package pick up.
IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.tif', '.tiff', '.bmp', '.webp')


def iter_image_files(root: str, extensions: Sequence[str] = IMAGE_EXTENSIONS) -> Iterator[str]:
    """Yield the image files under ``root`` (recursively) as sorted relative POSIX paths.

    Directories are walked in sorted order and files sorted within each directory, so the order is the
    same on every machine and file system (``os.listdir`` order is not). Hidden files and folders (names
    starting with ``.``, e.g. the ``._*.jpg`` resource forks macOS writes next to every image in archives
    and on shared drives) are skipped: they are not images. mmengine's folder listing, and with it the
    class-folder scan of the classification datasets, skips the same names.

    Args:
        root (str): Folder to scan.
        extensions (Sequence[str]): Lower-case file extensions to keep (matched case-insensitively).

    Yields:
        str: Paths relative to ``root``, with ``/`` separators.
    """
    extensions = tuple(ext.lower() for ext in extensions)
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith('.'))
        relative = osp.relpath(folder, root)
        for name in sorted(files):
            if name.lower().endswith(extensions) and not name.startswith('.'):
                yield name if relative == '.' else f'{relative}/{name}'.replace(os.sep, '/')
