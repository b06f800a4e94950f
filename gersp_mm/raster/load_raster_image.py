# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""``LoadRasterImage``: mmcv's ``LoadImageFromFile`` that reads GeoTIFF / 16-bit / multi-band files as
configured, for detection, segmentation and classification pipelines."""
import os.path as osp
from typing import Optional

import mmengine.fileio as fileio
import numpy as np
from mmcv.transforms import LoadImageFromFile
from mmengine.registry import TRANSFORMS

from .band_mapping import BandMapping
from .raster_image import is_16bit_png, is_tiff_path, open_raster_image


def _png_header(path: str, backend_args: Optional[dict]) -> bytes:
    """The first bytes of a PNG (a local file's header only; another backend's whole file)."""
    if not backend_args or backend_args.get('backend', 'local') == 'local':
        with open(path, 'rb') as f:
            return f.read(32)
    return fileio.get(path, backend_args=backend_args)


@TRANSFORMS.register_module()
class LoadRasterImage(LoadImageFromFile):
    """Load an image like mmcv's ``LoadImageFromFile``, and remote-sensing rasters through a band mapping.

    Files that 8-bit readers read right (JPEG, 8-bit PNG, plain 8-bit RGB or gray TIFF, ...) are loaded by
    ``LoadImageFromFile`` itself: the same decoder, options and output, bit for bit. TIFFs other than plain
    8-bit RGB or gray (16-bit, float, 4 or 13 bands, GDAL's ``PHOTOMETRIC=MINISBLACK`` layout, a 4th band
    tagged alpha), every TIFF when ``raster`` sets something, and 16-bit PNGs are read with
    :func:`~gersp_mm.raster.open_raster_image` as ``raster`` says, or refused naming the file, the
    reason and what to set (where OpenCV would read the high byte, or the first 3 bands, in silence).

    Registered in mmengine's root ``TRANSFORMS``, so mmpretrain, mmdet and mmseg pipelines all find it::

        dict(type='LoadRasterImage', raster=dict(bands=(1, 2, 3), bit_depth=12))

    Required keys: ``img_path``. Added keys: ``img`` (uint8 BGR, or float32 with ``to_float32``),
    ``img_shape``, ``ori_shape``.

    Args:
        raster (dict, optional): :class:`~gersp_mm.raster.BandMapping` arguments (``bands``,
            ``value_range``, ``bit_depth``, ``percentiles``, ``nodata``). Defaults to None (8-bit gray or
            RGB rasters only).
        **kwargs: ``LoadImageFromFile``'s arguments (``to_float32``, ``color_type``, ``imdecode_backend``,
            ``ignore_empty``, ``backend_args``); rasters are read in colour (a ``raster`` setting needs
            ``color_type='color'``).
    """

    def __init__(self, raster: Optional[dict] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.raster = raster
        self.mapping = BandMapping.from_config(raster)
        if self.color_type != 'color' and not self.mapping.is_default:
            raise ValueError(f"LoadRasterImage reads rasters in colour: color_type='color', got {self.color_type!r}")

    def transform(self, results: dict) -> Optional[dict]:
        path = results['img_path']
        if self.ignore_empty and not osp.exists(path) and self.backend_args is None:
            return None
        content = None
        if osp.splitext(path)[1].lower() == '.png':
            if not is_16bit_png(_png_header(path, self.backend_args)):
                return super().transform(results)
            content = fileio.get(path, backend_args=self.backend_args)
        elif not is_tiff_path(path):
            return super().transform(results)
        raster = open_raster_image(path, self.mapping, self.backend_args, content)
        if raster is None:  # a plain 8-bit TIFF, nothing configured
            return super().transform(results)
        with raster:
            img = np.ascontiguousarray(raster.read_rgb()[..., ::-1])
        if self.to_float32:
            img = img.astype(np.float32)
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results

    def __repr__(self) -> str:
        return f'{super().__repr__()[:-1]}, raster={self.raster})'
