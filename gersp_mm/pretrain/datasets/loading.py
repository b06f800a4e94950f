# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
import io
from typing import Optional, Tuple

import mmengine.fileio as fileio
import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS
from PIL import ExifTags, Image, ImageOps

# Pillow modes whose conversion to 8-bit RGB is exact or well defined (palette, alpha, CMYK, ...).
_PILLOW_TO_RGB = ('1', 'L', 'P', 'LA', 'PA', 'RGB', 'RGBA', 'RGBX', 'RGBa', 'CMYK', 'YCbCr', 'LAB', 'HSV')
# EXIF orientations that transpose the stored pixels (1 and unknown values leave them as stored).
_TRANSPOSING_ORIENTATIONS = range(2, 9)
_SWAPPING_ORIENTATIONS = range(5, 9)
JPEG_REDUCTIONS = (8, 4, 2, 1)


class ImageDecodeError(OSError):
    """An image file that cannot be decoded completely (missing, corrupt, truncated or unsupported)."""


def read_image_bytes(path: str, backend_args: Optional[dict] = None) -> bytes:
    """Read an image file through mmengine's file backends, any failure as :class:`ImageDecodeError`."""
    try:
        return fileio.get(path, backend_args=backend_args)
    except Exception as err:  # noqa: BLE001 - any backend error means the file is unreadable
        raise ImageDecodeError(f'Cannot read image {path}: {type(err).__name__}: {err}') from err


def _to_rgb(image: Image.Image, path: str) -> Image.Image:
    if image.mode == 'RGB':
        return image
    if image.mode in _PILLOW_TO_RGB:
        return image.convert('RGB')
    if image.mode.startswith('I;16') or image.mode == 'I':
        samples = np.asarray(image).astype(np.int64)
        if samples.min() < 0 or samples.max() > 65535:
            raise ImageDecodeError(f'{path}: 32-bit integer samples outside the 16-bit range')
        return Image.fromarray((samples >> 8).astype(np.uint8), 'L').convert('RGB')
    raise ImageDecodeError(f'{path}: unsupported image mode {image.mode!r} '
                           '(expected 8/16-bit grayscale, palette, RGB, RGBA or CMYK)')


def _open_without_pixel_limit(content: bytes) -> Image.Image:
    """``Image.open`` (header only) without Pillow's decompression-bomb check on the stored size: a huge
    JPEG may be decoded at 1/8 scale; :meth:`EncodedImage.decode_rgb` checks the size it will decode."""
    limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        return Image.open(io.BytesIO(content))
    finally:
        Image.MAX_IMAGE_PIXELS = limit


class EncodedImage:
    """An encoded image whose header is read and whose pixels are decoded once, on demand.

    The size is known before decoding, so a caller can decide how much resolution it needs (e.g. draw
    its crop boxes) and then decode a JPEG at a reduced scale (Pillow's ``Image.draft``: libjpeg's
    DCT-domain scaling by 1/2, 1/4 or 1/8, much cheaper than a full decode).

    Conversions, applied the same way to every file: grayscale is replicated to 3 channels; the alpha
    channel is dropped; palette images are expanded; 16-bit samples keep their high byte (``v >> 8``,
    as Pillow does for 16-bit RGB); the EXIF orientation is applied. Truncated files are an error,
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
            self._orientation = self._image.getexif().get(ExifTags.Base.Orientation, 1)
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
            limit = Image.MAX_IMAGE_PIXELS
            if limit and image.width * image.height > 2 * limit:
                raise ImageDecodeError(
                    f'{self.path}: decoding {image.width}x{image.height} pixels exceeds twice Pillow\'s limit '
                    f'PIL.Image.MAX_IMAGE_PIXELS={limit}: pre-resize the collection '
                    '(tools/dataset_converters/pre_resize.py) or raise the limit')
            image.load()
            if self._orientation in _TRANSPOSING_ORIENTATIONS:
                image = ImageOps.exif_transpose(image)
            rgb = _to_rgb(image, self.path)
        except ImageDecodeError:
            raise
        except Exception as err:  # noqa: BLE001 - Pillow raises many types for bad files
            raise ImageDecodeError(f'Cannot decode image {self.path}: {type(err).__name__}: {err}') from err
        return rgb, scale


def decode_uint8_bgr(content: bytes, path: str) -> np.ndarray:
    """Decode image bytes into a 3-channel uint8 BGR array, whatever the stored format.

    See :class:`EncodedImage` for the conversions.

    Args:
        content (bytes): The encoded image.
        path (str): Where the bytes came from, for error messages.

    Returns:
        np.ndarray: (H, W, 3) uint8 array in BGR order (the OpenMMLab convention).

    Raises:
        ImageDecodeError: If the image cannot be fully decoded or has an unsupported mode.
    """
    rgb, _ = EncodedImage(content, path).decode_rgb()
    return np.ascontiguousarray(np.asarray(rgb)[..., ::-1])


@TRANSFORMS.register_module()
class LoadImageUint8(BaseTransform):
    """Load an image as 3-channel uint8 BGR, failing loudly on unreadable or truncated files.

    A drop-in replacement of ``LoadImageFromFile`` for heterogeneous remote-sensing collections
    (grayscale, RGBA, palette or 16-bit files next to ordinary JPEGs); see :class:`EncodedImage`.

    Required keys: ``img_path``. Added keys: ``img``, ``img_shape``, ``ori_shape``.

    Args:
        backend_args (dict, optional): mmengine file backend arguments. Defaults to None.
    """

    def __init__(self, backend_args: Optional[dict] = None) -> None:
        self.backend_args = backend_args

    def transform(self, results: dict) -> dict:
        path = results['img_path']
        img = decode_uint8_bgr(read_image_bytes(path, self.backend_args), path)
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(backend_args={self.backend_args})'
