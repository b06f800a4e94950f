# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""An image read through a :class:`BandMapping` (:class:`RasterImage`), and which files need it.

The loaders of the package read 8-bit gray, palette and RGB files with their usual decoders (Pillow for
pre-training, OpenCV for the downstream tasks: unchanged output, bit for bit). :func:`open_raster_image`
takes the files those decoders get wrong and reads them as configured instead:

- TIFF files (``.tif``/``.tiff``) whose first image is not plain 8-bit RGB or gray (16-bit, float,
  other band counts, GDAL's ``PHOTOMETRIC=MINISBLACK`` multi-band layout, extra samples such as a 4th band
  tagged alpha), any TIFF when bands or a value mapping are configured, and a TIFF larger than the
  window a loader asks for: read with :class:`TiffScene`, by windows;
- 16-bit PNGs (Pillow keeps only their high byte): decoded whole with OpenCV; their alpha channel, by
  the PNG specification an alpha channel, is dropped as for 8-bit PNGs.
"""
import io
import math
import os.path as osp
from typing import Optional, Sequence, Tuple, Union

import cv2
import mmengine.fileio as fileio
import numpy as np
from PIL import Image

from ..fileio.image_decode_error import ImageDecodeError
from .band_mapping import BandMapping
from .scene_cache import SceneLease, open_cached_scene
from .tiff_scene import TiffScene

TIFF_EXTENSIONS = ('.tif', '.tiff')
_PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'


def read_image_bytes(path: str, backend_args: Optional[dict] = None) -> bytes:
    """Read an image file through mmengine's file backends, any failure as :class:`ImageDecodeError`."""
    try:
        return fileio.get(path, backend_args=backend_args)
    except Exception as err:  # noqa: BLE001 - any backend error means the file is unreadable
        raise ImageDecodeError(f'Cannot read image {path}: {type(err).__name__}: {err}') from err


def check_pixel_limit(height: int, width: int, path: str) -> None:
    """Refuse to decode more than twice Pillow's ``MAX_IMAGE_PIXELS`` (its decompression-bomb limit)."""
    limit = Image.MAX_IMAGE_PIXELS
    if limit and height * width > 2 * limit:
        raise ImageDecodeError(
            f'{path}: decoding {width}x{height} pixels exceeds twice Pillow\'s limit PIL.Image.MAX_IMAGE_PIXELS='
            f'{limit}: pre-resize or chip the collection (tools/dataset_converters/pre_resize.py, '
            'chip_scenes.py), read large tiled TIFFs by windows (window_size), or raise the limit')


def is_16bit_png(content: bytes) -> bool:
    """Whether the bytes are a PNG of 16-bit samples (its IHDR chunk's bit depth)."""
    return content[:8] == _PNG_SIGNATURE and len(content) > 24 and content[24] == 16


class ArrayScene:
    """A decoded image held whole, with :class:`TiffScene`'s reading interface (a 16-bit PNG).

    Args:
        pixels (np.ndarray): (H, W, C) samples in stored band order.
        layout (str): The layout in words, for messages.
    """

    nodata = None
    overviews: dict = {}

    def __init__(self, pixels: np.ndarray, layout: str) -> None:
        self._pixels = pixels
        self.size_hw: Tuple[int, int] = pixels.shape[:2]
        self.num_bands: int = pixels.shape[2]
        self.dtype = pixels.dtype
        self.layout = layout

    def read(self, box: Tuple[int, int, int, int], bands: Sequence[int]) -> np.ndarray:
        """The window ``(top, left, height, width)`` of the 0-based ``bands``, as (h, w, len(bands))."""
        top, left, height, width = box
        return self._pixels[top:top + height, left:left + width][..., list(bands)]

    def close(self) -> None:
        """Nothing to close (the pixels are in memory)."""


def decode_16bit_png(content: bytes, path: str) -> ArrayScene:
    """Decode a 16-bit PNG whole (header size checked first), alpha dropped, bands in R, G, B order."""
    try:
        with Image.open(io.BytesIO(content)) as header:
            width, height = header.size
    except Exception as err:  # noqa: BLE001 - Pillow raises many types for bad files
        raise ImageDecodeError(f'Cannot decode image {path}: {type(err).__name__}: {err}') from err
    check_pixel_limit(height, width, path)
    pixels = cv2.imdecode(np.frombuffer(content, np.uint8), cv2.IMREAD_UNCHANGED)
    if pixels is None:
        raise ImageDecodeError(f'Cannot decode image {path}: OpenCV could not decode the 16-bit PNG')
    if pixels.ndim == 2:
        pixels = pixels[..., None]
    elif pixels.shape[2] in (3, 4):
        pixels = pixels[..., 2::-1]  # BGR(A) -> RGB, alpha dropped
    else:
        pixels = pixels[..., :1]  # gray + alpha
    return ArrayScene(np.ascontiguousarray(pixels), f'PNG, {width}x{height} px, {pixels.shape[2]} x uint16')


class RasterImage:
    """A raster whose windows are read as 8-bit RGB through a :class:`BandMapping`.

    The bands and the need of a value mapping are checked from the header, before any pixel is read.
    Use it as a context manager (closing it closes a :class:`TiffScene`'s file, or hands a cached scene back).

    Args:
        scene (TiffScene | SceneLease | ArrayScene): The raster.
        mapping (BandMapping): Bands and value mapping.
        path (str): The file, for messages.

    Raises:
        ImageDecodeError: If the raster cannot be read as configured (band count, bit depth), naming what
            to set.
    """

    def __init__(self, scene, mapping: BandMapping, path: str) -> None:
        self.scene = scene
        self.mapping = mapping
        self.path = path
        #: (height, width) in pixels.
        self.size_hw: Tuple[int, int] = tuple(scene.size_hw)
        try:
            self._bands = mapping.band_indices(scene.num_bands, path, scene.layout)
            if mapping.scaling is None and scene.dtype != np.uint8:
                mapping.to_uint8(np.zeros((0, 0, 3), scene.dtype), None, path)  # raises the refusal
        except BaseException:
            scene.close()
            raise

    def read_rgb(self, box: Optional[Tuple[int, int, int, int]] = None) -> np.ndarray:
        """Read a window as (h, w, 3) uint8 RGB.

        Args:
            box (tuple[int, int, int, int], optional): ``(top, left, height, width)``. Defaults to the
                whole image.

        Raises:
            ImageDecodeError: If the window cannot be decoded, exceeds the pixel limit, or its values do
                not fit the configured bit depth.
        """
        box = box or (0, 0, *self.size_hw)
        check_pixel_limit(box[2], box[3], self.path)
        samples = self.scene.read(box, self._bands)
        return self.mapping.to_uint8(samples, self.scene.nodata, self.path)

    def read_rgb_reduced(self, box: Tuple[int, int, int, int], reduction: int
                         ) -> Tuple[np.ndarray, int, Tuple[int, int]]:
        """Read a window from the overview of the largest factor dividing ``reduction`` (full resolution
        when there is none).

        Args:
            box (tuple[int, int, int, int]): ``(top, left, height, width)`` in full-resolution pixels.
            reduction (int): The largest reduction factor acceptable.

        Returns:
            tuple[np.ndarray, int, tuple[int, int]]: (h, w, 3) uint8 RGB covering the window, the factor
            it was read at, and the full-resolution ``(top, left)`` of its first pixel.
        """
        factor = max((f for f in self.scene.overviews if reduction % f == 0), default=1)
        if factor == 1:
            return self.read_rgb(box), 1, box[:2]
        top, left, height, width = box
        level = self.scene.overviews[factor]
        level_hw = (int(level.imagelength), int(level.imagewidth))
        level_top, level_left = top // factor, left // factor
        bottom = min(math.ceil((top + height) / factor), level_hw[0])
        right = min(math.ceil((left + width) / factor), level_hw[1])
        level_box = (level_top, level_left, bottom - level_top, right - level_left)
        check_pixel_limit(level_box[2], level_box[3], self.path)
        samples = self.scene.read(level_box, self._bands, factor)
        return (self.mapping.to_uint8(samples, self.scene.nodata, self.path), factor,
                (level_top * factor, level_left * factor))

    def close(self) -> None:
        """Close the file (hand a cached scene back, open)."""
        self.scene.close()

    def __enter__(self) -> 'RasterImage':
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def is_tiff_path(path: str) -> bool:
    """Whether the file name has a TIFF extension (case-insensitive)."""
    return osp.splitext(path)[1].lower() in TIFF_EXTENSIONS


def _is_local(backend_args: Optional[dict]) -> bool:
    return not backend_args or backend_args.get('backend', 'local') == 'local'


def _open_tiff(path: str, backend_args: Optional[dict], content: Optional[bytes]) -> Union[TiffScene, SceneLease]:
    """A local TIFF by path, kept open for the next reads (windows read only their tiles; see
    :func:`~gersp_mm.raster.scene_cache.open_cached_scene`), another backend's read into memory."""
    if content is None and not _is_local(backend_args):
        content = read_image_bytes(path, backend_args)
    if content is not None:
        return TiffScene(io.BytesIO(content), path)
    if not osp.isfile(path):
        raise ImageDecodeError(f'Cannot read image {path}: no such file')
    return open_cached_scene(path)


def raster_layout(path: str, content: Optional[bytes] = None, backend_args: Optional[dict] = None) -> Optional[str]:
    """The layout in words of a file that needs a band mapping (see the module docstring), or None for a
    file the 8-bit readers read right."""
    if is_tiff_path(path):
        with _open_tiff(path, backend_args, content) as scene:
            return None if scene.is_plain_8bit else scene.layout
    if content is not None and is_16bit_png(content):
        return 'a 16-bit PNG'
    return None


def open_raster_image(path: str, mapping: BandMapping, backend_args: Optional[dict] = None,
                      content: Optional[bytes] = None, window_size: Optional[int] = None) -> Optional[RasterImage]:
    """Open the file as a :class:`RasterImage` when it needs one (see the module docstring), else None.

    A local TIFF is opened by path, so that windows read only their tiles or strips, and kept open by the
    process for the next reads (:mod:`gersp_mm.raster.scene_cache`: its header is parsed once); a TIFF from
    another file backend is read into memory first.

    Args:
        path (str): The file.
        mapping (BandMapping): Bands and value mapping.
        backend_args (dict, optional): mmengine file backend arguments.
        content (bytes, optional): The file's bytes when already read (not needed for a local TIFF).
        window_size (int, optional): The side of the windows the caller reads: a larger TIFF is read by
            windows even when it is plain 8-bit.

    Returns:
        RasterImage | None: The raster, or None for a file the 8-bit readers read right.

    Raises:
        ImageDecodeError: If the file cannot be read as configured, naming the reason and what to set.
    """
    if is_tiff_path(path):
        scene = _open_tiff(path, backend_args, content)
        large = window_size is not None and max(scene.size_hw) > window_size
        if scene.is_plain_8bit and mapping.is_default and not large:
            scene.close()
            return None
        return RasterImage(scene, mapping, path)
    if content is not None and is_16bit_png(content):
        return RasterImage(decode_16bit_png(content, path), mapping, path)
    return None
