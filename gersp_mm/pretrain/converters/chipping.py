# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Cut large scenes (GeoTIFF / TIFF) into chips, keeping their georeferencing: :func:`chip_scenes`.

Each scene under the source folder becomes a folder of ``chip_size`` square chips on a regular grid
(``stride`` apart; the last row and column are moved back to end at the scene's border, so every chip is
whole; a scene smaller than a chip gives one chip of its own size), read by windows (:class:`TiffScene`:
memory per worker independent of the scene size). Chips whose fraction of nodata pixels exceeds
``max_nodata_fraction`` are skipped.

Output formats:

- ``tif``: the chip's samples as stored (all bands, same data type, Deflate-compressed), with the
  scene's coordinate reference system and the chip's own transform in GeoTIFF tags
  (:mod:`gersp_mm.raster.georeference`), nodata tag kept: train on them with the same ``raster`` settings as the scenes;
- ``jpg`` / ``png``: 8-bit RGB through a :class:`BandMapping` (the ``raster`` settings, applied once
  here), the transform in a world file next to each chip (``.jgw`` / ``.pgw``; the reference system is the
  scene's, named in the scene's record): the fastest to train on, and what the GPU path decodes on the
  device.

Parallel (one task per chip row), resumable: chips are written atomically and an existing chip is not
read again; each finished scene gets a record ``<scene>.chips.json`` (chips written, chips skipped for
nodata, the scene's size and transform) and is skipped by a rerun; the settings are recorded in
``.chip_scenes.json`` (a rerun must use the same). ``file_list.txt`` lists every chip, for
``UnlabeledImageFolder(ann_file=...)``.
"""
import contextlib
import io
import json
import logging
import multiprocessing
import os
import os.path as osp
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional, Tuple

import numpy as np
from PIL import Image

from ...fileio import atomic_write
from ...fileio.image_decode_error import ImageDecodeError
from ...fileio.image_files import iter_image_files
from ...fileio.resume_settings import check_resume_settings
from ...raster.band_mapping import BandMapping, nodata_mask
from ...raster.georeference import chip_tags, geotransform, shifted, world_file_text
from ...raster.raster_image import TIFF_EXTENSIONS
from ...raster.tiff_scene import TiffScene

SETTINGS_NAME = '.chip_scenes.json'
FORMATS = ('tif', 'jpg', 'png')
_LOGGER = logging.getLogger(__name__)


def grid(length: int, chip: int, stride: int) -> List[int]:
    """Chip starts along one side: every ``stride`` pixels, the last moved back to end at the border."""
    if length <= chip:
        return [0]
    starts = list(range(0, length - chip + 1, stride))
    if starts[-1] != length - chip:
        starts.append(length - chip)
    return starts


@dataclass(frozen=True)
class ChipSettings:
    """How chips are cut and written (recorded in the output folder; a resume must use the same)."""
    chip_size: int = 1024
    stride: int = 1024
    format: str = 'tif'
    max_nodata_fraction: float = 0.5
    raster: Dict = field(default_factory=dict)
    jpeg_quality: int = 95


@dataclass
class ChipSummary:
    """What :func:`chip_scenes` did."""
    scenes: int = 0
    scenes_done_before: int = 0
    written: int = 0
    existing: int = 0
    skipped_nodata: int = 0
    failed: List[str] = field(default_factory=list)
    file_list: str = ''


def chip_name(scene_rel: str, top: int, left: int, fmt: str) -> str:
    """The chip's path relative to the output folder: ``<scene folder>/<scene stem>/<stem>_r<top>_c<left>``."""
    stem = osp.splitext(scene_rel)[0]
    return f'{stem}/{osp.basename(stem)}_r{top}_c{left}.{fmt}'


def _write_chip(path: str, scene: TiffScene, box: Tuple[int, int, int, int], samples: np.ndarray,
                settings: ChipSettings, mapping: BandMapping, transform) -> None:
    if settings.format == 'tif':
        import tifffile
        page = scene.tiff.pages.first
        buffer = io.BytesIO()
        separate = page.planarconfig.name == 'SEPARATE' and samples.shape[2] > 1
        photometric = 'rgb' if page.photometric.name == 'RGB' else 'minisblack'
        tifffile.imwrite(buffer, samples.transpose(2, 0, 1) if separate else samples, photometric=photometric,
                         planarconfig='separate' if separate else 'contig', compression='zlib',
                         extrasamples=tuple(int(e) for e in page.extrasamples) or None,
                         extratags=chip_tags(page.tags, box[0], box[1]))
        with atomic_write(path) as f:
            f.write(buffer.getvalue())
        return
    rgb = mapping.to_uint8(samples[..., list(mapping.band_indices(scene.num_bands, scene.path, scene.layout))],
                           scene.nodata, scene.path)
    options = dict(quality=settings.jpeg_quality) if settings.format == 'jpg' else {}
    with atomic_write(path) as f:
        Image.fromarray(rgb, 'RGB').save(f, format='JPEG' if settings.format == 'jpg' else 'PNG', **options)
    if transform is not None:
        with atomic_write(osp.splitext(path)[0] + ('.jgw' if settings.format == 'jpg' else '.pgw'), 'w') as f:
            f.write(world_file_text(shifted(transform, box[0], box[1])))


def _chip_row(task) -> dict:
    """Cut one row of chips of one scene; returns what happened (worker side)."""
    src, dst_root, scene_rel, top, lefts, settings = task
    mapping = BandMapping(**settings.raster)
    result = dict(scene=scene_rel, top=top, written=[], existing=[], nodata=[], error=None)
    try:
        with TiffScene(src, src) as scene:
            if settings.format != 'tif':  # refuse a scene the mapping cannot read before any chip
                mapping.band_indices(scene.num_bands, src, scene.layout)
            nodata = mapping.nodata if mapping.nodata is not None else scene.nodata
            transform = geotransform(scene.tiff.pages.first.tags)
            height, width = scene.size_hw
            for left in lefts:
                box = (top, left, min(settings.chip_size, height), min(settings.chip_size, width))
                name = chip_name(scene_rel, top, left, settings.format)
                path = osp.join(dst_root, name)
                if osp.exists(path):
                    result['existing'].append(name)
                    continue
                samples = scene.read(box, range(scene.num_bands))
                if nodata_mask(samples, nodata).mean() > settings.max_nodata_fraction:
                    result['nodata'].append(name)
                    continue
                _write_chip(path, scene, box, samples, settings, mapping, transform)
                result['written'].append(name)
    except ImageDecodeError as err:
        result['error'] = str(err)
    return result


def chip_scenes(src_root: str, dst_root: str, settings: ChipSettings = ChipSettings(),
                workers: Optional[int] = None, file_list: str = 'file_list.txt') -> ChipSummary:
    """Cut every TIFF scene under ``src_root`` into chips under ``dst_root`` (see the module docstring).

    Args:
        src_root (str): Folder of scenes (``.tif``/``.tiff``, scanned recursively).
        dst_root (str): Output folder (created).
        settings (ChipSettings): Chip size, stride, format, nodata threshold, band mapping (jpg/png).
        workers (int, optional): Worker processes (0: this process). Defaults to the number of CPUs.
        file_list (str): Output list of chips, relative to ``dst_root`` or absolute.

    Returns:
        ChipSummary: Counts, failures and the file list's path.

    Raises:
        FileNotFoundError: If ``src_root`` is not a folder.
        ValueError: If the settings are invalid, differ from an earlier run's, or no scene is found.
    """
    if settings.format not in FORMATS:
        raise ValueError(f'format must be one of {FORMATS}, got {settings.format!r}')
    if settings.chip_size < 1 or settings.stride < 1 or not 0 <= settings.max_nodata_fraction <= 1:
        raise ValueError(f'chip_size and stride must be positive and max_nodata_fraction in [0, 1]: {settings}')
    BandMapping(**settings.raster)  # checks the arguments
    if settings.format == 'tif' and set(settings.raster) - {'nodata'}:
        raise ValueError('format tif keeps the bands and values as stored: bands and value mappings apply to jpg/png')
    if not osp.isdir(src_root):
        raise FileNotFoundError(f'source folder {src_root!r} is not a directory')
    scenes = list(iter_image_files(src_root, TIFF_EXTENSIONS))
    if not scenes:
        raise ValueError(f'no TIFF scene found in {src_root!r}')
    os.makedirs(dst_root, exist_ok=True)
    check_resume_settings(dst_root, SETTINGS_NAME, asdict(settings))
    summary = ChipSummary(scenes=len(scenes))
    records: Dict[str, dict] = {}
    failed_scenes = set()
    tasks, pending = [], {}
    for rel in scenes:
        record_path = osp.join(dst_root, osp.splitext(rel)[0] + '.chips.json')
        if osp.exists(record_path):
            with open(record_path, encoding='utf-8') as f:
                records[rel] = json.load(f)
            summary.scenes_done_before += 1
            continue
        src = osp.join(src_root, rel)
        try:
            with TiffScene(src, src) as scene:
                height, width = scene.size_hw
                transform = geotransform(scene.tiff.pages.first.tags)
        except ImageDecodeError as err:
            summary.failed.append(str(err))
            failed_scenes.add(rel)
            continue
        rows = grid(height, settings.chip_size, settings.stride)
        lefts = grid(width, settings.chip_size, settings.stride)
        records[rel] = dict(scene=rel, size_hw=[height, width], geotransform=transform, written=[],
                            skipped_nodata=[])
        pending[rel] = len(rows)
        tasks += [(src, dst_root, rel, top, lefts, settings) for top in rows]
    with contextlib.ExitStack() as stack:
        if workers == 0 or len(tasks) < 2:
            results = map(_chip_row, tasks)
        else:
            pool = stack.enter_context(multiprocessing.Pool(workers or os.cpu_count()))
            results = pool.imap_unordered(_chip_row, tasks)
        for result in results:
            rel = result['scene']
            record = records[rel]
            if result['error'] and rel not in failed_scenes:
                failed_scenes.add(rel)
                summary.failed.append(result['error'])
                _LOGGER.warning('Not finished: %s', result['error'])
            record['written'] += result['written'] + result['existing']
            record['skipped_nodata'] += result['nodata']
            summary.written += len(result['written'])
            summary.existing += len(result['existing'])
            summary.skipped_nodata += len(result['nodata'])
            pending[rel] -= 1
            if pending[rel] == 0 and rel not in failed_scenes:
                record['written'].sort()
                record['skipped_nodata'].sort()
                with atomic_write(osp.join(dst_root, osp.splitext(rel)[0] + '.chips.json'), 'w') as f:
                    json.dump(record, f, indent=1)
    summary.file_list = file_list if osp.isabs(file_list) else osp.join(dst_root, file_list)
    with atomic_write(summary.file_list, 'w') as f:
        f.writelines(f'{name}\n' for rel in scenes if rel in records and rel not in failed_scenes
                     for name in sorted(records[rel]['written']))
    return summary
