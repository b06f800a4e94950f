# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Pre-resize an image collection once, so that training decodes small files instead of huge ones.

Every image whose longer side exceeds ``max_side`` is resized (Lanczos, aspect ratio kept, EXIF
orientation applied) and written in its own format under the same relative path; smaller images are
copied byte for byte. The decoding rules are those of training (:class:`EncodedImage`: grayscale,
palette, alpha and CMYK files become 8-bit RGB), so a resized file holds what training would see. Rasters
that need a band mapping (16-bit PNGs, TIFFs other than 8-bit RGB or gray) are refused by name: their
8-bit values depend on settings this tool does not take; chip them with
``tools/dataset_converters/chip_scenes.py`` (which takes the band mapping) or train on them as they are.

When it changes nothing: a MoCo view keeps its full resolution when the crop it is cut from spans at
least ``output_size`` pixels on each side. The smallest crop of an ``H x W`` image has the side
``sqrt(crop_scale_min * min(ratio_min, 1 / ratio_max) * H * W)`` (:func:`min_crop_side`), so after
resizing to the longer side ``M`` every view still comes from at least ``output_size`` source pixels
(the views are the same up to one extra resampling) when ``M >= output_size * sqrt(aspect / 0.15)`` for
MoCo v1 (``crop_scale_min = 0.2``, ratios 3/4..4/3), ``aspect = long side / short side``
(:func:`smallest_lossless_max_side`): 579 px for square images, 668 px for 4:3, 818 px for 2:1 at 224 px.
"""
import contextlib
import logging
import math
import multiprocessing
import os
import os.path as osp
from dataclasses import dataclass, field
from typing import Iterable, List, Optional, Sequence, Tuple

from PIL import Image

from ...fileio import atomic_write
from ...fileio.resume_settings import check_resume_settings
from ...raster.raster_image import raster_layout
from ..datasets.loading import EncodedImage, ImageDecodeError, read_image_bytes
from ..datasets.transforms import MoCoViewConfig
from ..datasets.unlabeled_image_folder import IMAGE_EXTENSIONS, iter_image_files

#: Written in the output folder: the settings the folder was made with (a resume must use the same).
MANIFEST_NAME = '.pre_resize.json'
_LOGGER = logging.getLogger(__name__)


def min_crop_side(height: int, width: int, cfg: Optional[MoCoViewConfig] = None) -> float:
    """The shorter side of the smallest crop a view of an ``height x width`` image can take.

    Args:
        height (int): Image height.
        width (int): Image width.
        cfg (MoCoViewConfig, optional): The view distribution. Defaults to MoCo v1.

    Returns:
        float: ``sqrt(crop_scale[0] * min(crop_ratio[0], 1 / crop_ratio[1]) * height * width)``.
    """
    cfg = cfg or MoCoViewConfig()
    return math.sqrt(cfg.crop_scale[0] * min(cfg.crop_ratio[0], 1 / cfg.crop_ratio[1]) * height * width)


def smallest_lossless_max_side(aspect: float, cfg: Optional[MoCoViewConfig] = None) -> int:
    """The smallest longer side at which every view of an image of this aspect keeps full resolution.

    Args:
        aspect (float): Longer side / shorter side (>= 1).
        cfg (MoCoViewConfig, optional): The view distribution. Defaults to MoCo v1 at 224 px.

    Returns:
        int: The smallest ``M`` with ``min_crop_side(M / aspect, M) >= cfg.output_size``.
    """
    cfg = cfg or MoCoViewConfig()
    if aspect < 1:
        raise ValueError(f'aspect is the longer side over the shorter one (>= 1), got {aspect}')
    return math.ceil(cfg.output_size / min_crop_side(1 / aspect, 1, cfg) - 1e-9)


def resized_size(height: int, width: int, max_side: int) -> Tuple[int, int]:
    """(height, width) scaled so that the longer side is ``max_side`` (each side rounded, at least 1)."""
    scale = max_side / max(height, width)
    return max(1, round(height * scale)), max(1, round(width * scale))


def pre_resize_image(src: str, dst: str, max_side: int, quality: int = 90) -> str:
    """Write one image with its longer side at most ``max_side`` (atomically).

    Args:
        src (str): Source file.
        dst (str): Output file (its folder is created).
        max_side (int): Largest allowed side.
        quality (int): JPEG quality of resized JPEGs. Defaults to 90.

    Returns:
        str: ``'resized'`` or ``'copied'`` (already small enough: the bytes are copied unchanged).

    Raises:
        ImageDecodeError: If the source cannot be read or decoded.
        OSError: If the output cannot be written (e.g. a full disk).
    """
    content = read_image_bytes(src)
    layout = raster_layout(src, content)
    if layout is not None:
        raise ImageDecodeError(f'{src}: {layout}: its 8-bit values depend on a band mapping that pre_resize.py '
                               'does not take; use tools/dataset_converters/chip_scenes.py')
    encoded = EncodedImage(content, src)
    height, width = encoded.size_hw
    if max(height, width) <= max_side:
        with atomic_write(dst) as f:
            f.write(content)
        return 'copied'
    # Decode a JPEG at the smallest DCT scale still twice the target size (as Pillow's thumbnail does).
    reduction = next(r for r in (8, 4, 2, 1) if max(height, width) >= 2 * r * max_side or r == 1)
    rgb, _ = encoded.decode_rgb(reduction)
    new_height, new_width = resized_size(height, width, max_side)
    resized = rgb.resize((new_width, new_height), Image.Resampling.LANCZOS)
    image_format = 'JPEG' if encoded.format == 'MPO' else encoded.format  # MPO: multi-picture camera JPEG
    options = dict(quality=quality) if image_format == 'JPEG' else {}
    with atomic_write(dst) as f:
        resized.save(f, format=image_format, **options)
    return 'resized'


def _process(task: Tuple[str, str, int, int]) -> Tuple[str, str]:
    src, dst, max_side, quality = task
    try:
        return 'ok', pre_resize_image(src, dst, max_side, quality)
    except (ImageDecodeError, KeyError, ValueError) as err:  # unreadable source, or a format Pillow cannot write
        return 'failed', f'{src}: {type(err).__name__}: {err}'


@dataclass
class PreResizeSummary:
    """What :func:`pre_resize_folder` did."""
    resized: int = 0
    copied: int = 0
    existing: int = 0
    failed: List[str] = field(default_factory=list)
    file_list: str = ''


def pre_resize_folder(src_root: str,
                      dst_root: str,
                      max_side: int,
                      quality: int = 90,
                      workers: Optional[int] = None,
                      src_list: Optional[str] = None,
                      file_list: str = 'file_list.txt',
                      extensions: Sequence[str] = IMAGE_EXTENSIONS,
                      progress: bool = True) -> PreResizeSummary:
    """Pre-resize every image under ``src_root`` into ``dst_root``, keeping relative paths; resumable.

    Outputs are written atomically, so an interrupted run leaves only complete files, and a rerun with
    the same settings skips them (the settings are recorded in ``dst_root/.pre_resize.json``). Images that
    cannot be decoded are reported and left out of the file list.

    Args:
        src_root (str): Source folder (scanned recursively, sorted, as ``UnlabeledImageFolder`` does).
        dst_root (str): Output folder.
        max_side (int): Largest allowed side of an output image, in pixels.
        quality (int): JPEG quality of resized JPEGs. Defaults to 90.
        workers (int, optional): Worker processes (0: work in this process). Defaults to the number of CPUs.
        src_list (str, optional): A file list of ``src_root`` (paths relative to it, one per line) to use
            instead of scanning.
        file_list (str): Output file list, relative to ``dst_root`` (or absolute): the relative paths of
            the written images, in source order, for ``UnlabeledImageFolder(ann_file=...)``.
            Defaults to ``'file_list.txt'``.
        extensions (Sequence[str]): Image extensions kept when scanning.
        progress (bool): Show a progress bar. Defaults to True.

    Returns:
        PreResizeSummary: Counts, failures and the file list's path.
    """
    if max_side < 1:
        raise ValueError(f'max_side must be a positive number of pixels, got {max_side}')
    if not osp.isdir(src_root):
        raise FileNotFoundError(f'source folder {src_root!r} is not a directory')
    if osp.realpath(src_root) == osp.realpath(dst_root):
        raise ValueError('the output folder must differ from the source folder')
    relative_paths = _read_list(src_list) if src_list else list(iter_image_files(src_root, extensions))
    if not relative_paths:
        raise ValueError(f'no image found in {src_list or src_root!r}')
    os.makedirs(dst_root, exist_ok=True)
    check_resume_settings(dst_root, MANIFEST_NAME, dict(max_side=max_side, quality=quality))
    summary = PreResizeSummary()
    done = set()
    todo = []
    for path in relative_paths:
        if osp.exists(osp.join(dst_root, path)):
            summary.existing += 1
            done.add(path)
        else:
            todo.append(path)
    tasks = [(osp.join(src_root, path), osp.join(dst_root, path), max_side, quality) for path in todo]
    with contextlib.ExitStack() as stack:
        if workers == 0 or len(tasks) < 2:
            results = map(_process, tasks)
        else:
            pool = stack.enter_context(multiprocessing.Pool(workers or os.cpu_count()))
            results = pool.imap(_process, tasks, chunksize=16)
        for path, (status, detail) in zip(todo, _progress(results, len(tasks), progress)):
            if status == 'ok':
                setattr(summary, detail, getattr(summary, detail) + 1)
                done.add(path)
            else:
                summary.failed.append(detail)
                _LOGGER.warning('Not written: %s', detail)
    summary.file_list = file_list if osp.isabs(file_list) else osp.join(dst_root, file_list)
    with atomic_write(summary.file_list, 'w') as f:
        f.writelines(path + '\n' for path in relative_paths if path in done)
    return summary


def _read_list(path: str) -> List[str]:
    with open(path, encoding='utf-8') as f:
        stripped = (line.strip() for line in f)
        return [line for line in stripped if line and not line.startswith('#')]


def _progress(results: Iterable, total: int, show: bool) -> Iterable:
    if not show:
        return results
    from tqdm import tqdm
    return tqdm(results, total=total, desc='pre-resizing', unit=' images')
