# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Remote-sensing rasters: GeoTIFF / 16-bit / multi-band files read by windows through a band mapping,
their georeferencing, and the loading transform of the downstream configs. (Large scenes are cut into chips
by :mod:`gersp_mm.pretrain.converters.chip_scenes`.)"""
from .band_mapping import BandMapping
from .load_raster_image import LoadRasterImage
from .raster_image import RasterImage, open_raster_image
from .tiff_scene import TiffScene

__all__ = ['BandMapping', 'LoadRasterImage', 'RasterImage', 'TiffScene', 'open_raster_image']
