# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
import io
from typing import Optional, Tuple, Union

import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS
from PIL import ExifTags, Image, ImageOps

from ...fileio.image_decode_error import ImageDecodeError
from ...raster import BandMapping, RasterImage
from ...raster.raster_image import check_pixel_limit, is_tiff_path, open_raster_image, read_image_bytes

# Pillow modes whose conversion to 8-bit RGB is exact or well defined (palette, alpha, CMYK, ...).
_PILLOW_TO_RGB = ('1', 'L', 'P', 'LA', 'PA', 'RGB', 'RGBA', 'RGBX', 'RGBa', 'CMYK', 'YCbCr', 'LAB', 'HSV')
# EXIF orientations that transpose the stored pixels (1 and unknown values leave them as stored).
_TRANSPOSING_ORIENTATIONS = range(2, 9)
_SWAPPING_ORIENTATIONS = range(5, 9)
JPEG_REDUCTIONS = (8, 4, 2, 1)
__all__ = ['ImageDecodeError', 'read_image_bytes', 'EncodedImage', 'open_image', 'decode_uint8_bgr',
           'LoadImageUint8', 'JPEG_REDUCTIONS']


def _to_rgb(image: Image.Image, path: str) -> Image.Image:
    if image.mode == 'RGB':
        return image
    if image.mode in _PILLOW_TO_RGB:
        return image.convert('RGB')
    raise ImageDecodeError(f'{path}: unsupported image mode {image.mode!r} (expected 8-bit grayscale, palette, '
                           'RGB, RGBA or CMYK; 16-bit PNGs and TIFFs are read through the raster settings)')


def _open_without_pixel_limit(content: bytes) -> Image.Image:
    """``Image.open`` (header only) without Pillow's decompression-bomb check on the stored size: a huge
    JPEG may be decoded at 1/8 scale; :meth:`EncodedImage.decode_rgb` checks the size it will decode."""
    limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        return Image.open(io.BytesIO(content))
    finally:
        Image.MAX_IMAGE_PIXELS = limit


def _header_exif(image: Image.Image) -> Image.Exif:
    """The EXIF data found in the header, without decoding any pixel.

    Pillow's ``PngImageFile.getexif`` decodes the whole image to look for an ``eXIf`` chunk after the pixel
    data (a 30000x30000 PNG of 1 MB: 2 GB and seconds, before any size check). An ``eXIf`` chunk belongs
    before the pixel data (``IDAT``), where opening the file has already found it; one after is ignored.
    """
    if image.format != 'PNG':
        return image.getexif()
    exif = Image.Exif()
    if 'exif' in image.info:
        exif.load(image.info['exif'])
    return exif


class EncodedImage:
    """An encoded image whose header is read and whose pixels are decoded once, on demand.

    The size is known before decoding, so a caller can decide how much resolution it needs (e.g. draw
    its crop boxes) and then decode a JPEG at a reduced scale (Pillow's ``Image.draft``: libjpeg's
    DCT-domain scaling by 1/2, 1/4 or 1/8, much cheaper than a full decode).

    Conversions, applied the same way to every file: grayscale is replicated to 3 channels; the alpha
    channel is dropped; palette images are expanded (16-bit PNGs and TIFFs other than 8-bit RGB or gray
    are read as :class:`~gersp_mm.raster.RasterImage`, see :func:`open_image`);
    the EXIF orientation is applied. Truncated files are an error,
    never a partially grey image. Pillow's decompression-bomb limit (an error above twice
    ``PIL.Image.MAX_IMAGE_PIXELS``) applies to the pixels actually decoded, so a huge JPEG can be read at a
    reduced scale.

    Args:
        content (bytes): The encoded image.
        path (str): Where the bytes came from, for error messages.

    Raises:
        ImageDecodeError: If the header cannot be read.
    """

    def __init__(self, content: bytes, path: str) -> None:
        self.path = path
        try:
            self._image = _open_without_pixel_limit(content)
            self._orientation = _header_exif(self._image).get(ExifTags.Base.Orientation, 1)
        except Exception as err:  # noqa: BLE001 - Pillow raises many types for bad files
            raise ImageDecodeError(f'Cannot decode image {path}: {type(err).__name__}: {err}') from err
        #: The file format as Pillow names it ('JPEG', 'PNG', ...).
        self.format: str = self._image.format
        width, height = self._image.size
        swapped = self._orientation in _SWAPPING_ORIENTATIONS
        #: (height, width) of the full-resolution image after the EXIF orientation.
        self.size_hw: Tuple[int, int] = (width, height) if swapped else (height, width)

    def can_reduce(self) -> bool:
        """Whether :meth:`decode_rgb` can decode at a reduced scale (a baseline or progressive JPEG
        stored upright: with an EXIF transposition the reduced grid would shift by up to one pixel)."""
        return self.format == 'JPEG' and self._orientation not in _TRANSPOSING_ORIENTATIONS

    def decode_rgb(self, reduction: int = 1) -> Tuple[Image.Image, float]:
        """Decode the pixels as an 8-bit RGB Pillow image (call once: Pillow decodes in place).

        Args:
            reduction (int): 1, 2, 4 or 8: decode a JPEG at this fraction of its size (when
                :meth:`can_reduce`; other files are decoded at full size). The decoded size is
                ``ceil(size / reduction)``; pixel ``i`` covers full-resolution pixels
                ``[i * reduction, (i + 1) * reduction)``.

        Returns:
            tuple[PIL.Image.Image, float]: The RGB image and its scale relative to full resolution
            (``1 / reduction`` actually applied).

        Raises:
            ImageDecodeError: If the image cannot be fully decoded or has an unsupported mode.
        """
        if reduction not in JPEG_REDUCTIONS:
            raise ValueError(f'reduction must be one of {JPEG_REDUCTIONS}, got {reduction}')
        image = self._image
        scale = 1.0
        try:
            if reduction > 1 and self.can_reduce():
                width, height = image.size
                # Pillow picks the largest of 8, 4, 2, 1 not above min(size // requested): exactly reduction.
                drafted = image.draft(None, (width // reduction, height // reduction))
                if drafted is not None:
                    scale = drafted[1][2] / width
            check_pixel_limit(image.height, image.width, self.path)
            image.load()
            if self._orientation in _TRANSPOSING_ORIENTATIONS:
                image = ImageOps.exif_transpose(image)
            rgb = _to_rgb(image, self.path)
        except ImageDecodeError:
            raise
        except Exception as err:  # noqa: BLE001 - Pillow raises many types for bad files
            raise ImageDecodeError(f'Cannot decode image {self.path}: {type(err).__name__}: {err}') from err
        return rgb, scale

    def close(self) -> None:
        """Release Pillow's image (its decoded pixels, if any)."""
        self._image.close()

    def __enter__(self) -> 'EncodedImage':
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def open_image(path: str, backend_args: Optional[dict] = None, mapping: Optional[BandMapping] = None,
               window_size: Optional[int] = None, content: Optional[bytes] = None
               ) -> Union[EncodedImage, RasterImage]:
    """Open an image file for decoding: 8-bit files with Pillow, rasters through the band mapping.

    A :class:`RasterImage` (read by windows, see :func:`gersp_mm.raster.open_raster_image`) for TIFFs
    other than plain 8-bit RGB or gray, any TIFF when ``mapping`` sets something or the TIFF is larger
    than ``window_size``, and 16-bit PNGs; an :class:`EncodedImage` for every other file (today's
    conversions, unchanged). Both are context managers and have ``size_hw``.

    Args:
        path (str): The file.
        backend_args (dict, optional): mmengine file backend arguments.
        mapping (BandMapping, optional): Bands and value mapping. Defaults to ``BandMapping()``.
        window_size (int, optional): Side of the windows the caller will read.
        content (bytes, optional): The file's bytes, when already read.

    Raises:
        ImageDecodeError: If the file cannot be read, or not as configured.
    """
    if content is None and not is_tiff_path(path):
        content = read_image_bytes(path, backend_args)
    raster = open_raster_image(path, mapping or BandMapping(), backend_args, content, window_size)
    if raster is not None:
        return raster
    if content is None:
        content = read_image_bytes(path, backend_args)
    return EncodedImage(content, path)


def decode_uint8_bgr(content: bytes, path: str, mapping: Optional[BandMapping] = None) -> np.ndarray:
    """Decode image bytes into a 3-channel uint8 BGR array, whatever the stored format.

    See :class:`EncodedImage` for the conversions and :func:`open_image` for the files read through
    ``mapping``.

    Args:
        content (bytes): The encoded image.
        path (str): Where the bytes came from, for error messages.
        mapping (BandMapping, optional): Bands and value mapping of rasters. Defaults to ``BandMapping()``.

    Returns:
        np.ndarray: (H, W, 3) uint8 array in BGR order (the OpenMMLab convention).

    Raises:
        ImageDecodeError: If the image cannot be fully decoded or has an unsupported mode.
    """
    with open_image(path, mapping=mapping, content=content) as image:
        return _full_bgr(image)


def _full_bgr(image: Union[EncodedImage, RasterImage]) -> np.ndarray:
    rgb = image.read_rgb() if isinstance(image, RasterImage) else np.asarray(image.decode_rgb()[0])
    return np.ascontiguousarray(rgb[..., ::-1])


@TRANSFORMS.register_module()
class LoadImageUint8(BaseTransform):
    """Load an image as 3-channel uint8 BGR, failing loudly on unreadable or truncated files.

    A drop-in replacement of ``LoadImageFromFile`` for heterogeneous remote-sensing collections
    (grayscale, RGBA, palette files next to ordinary JPEGs, and GeoTIFF / 16-bit rasters read as
    ``raster`` says); see :func:`open_image`.

    Required keys: ``img_path``. Added keys: ``img``, ``img_shape``, ``ori_shape``.

    Args:
        raster (dict, optional): :class:`~gersp_mm.raster.BandMapping` arguments (``bands``,
            ``value_range``, ``bit_depth``, ``percentiles``, ``nodata``). Defaults to None (8-bit gray or
            RGB files only; anything else refused with what to set).
        backend_args (dict, optional): mmengine file backend arguments. Defaults to None.
    """

    def __init__(self, raster: Optional[dict] = None, backend_args: Optional[dict] = None) -> None:
        self.raster = raster
        self.mapping = BandMapping.from_config(raster)
        self.backend_args = backend_args

    def transform(self, results: dict) -> dict:
        path = results['img_path']
        with open_image(path, self.backend_args, self.mapping) as image:
            img = _full_bgr(image)
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(raster={self.raster}, backend_args={self.backend_args})'
