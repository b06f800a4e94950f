# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
import io
from typing import Optional

import mmengine.fileio as fileio
import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS
from PIL import Image, ImageOps

# Pillow modes whose conversion to 8-bit RGB is exact or well defined (palette, alpha, CMYK, ...).
_PILLOW_TO_RGB = ('1', 'L', 'P', 'LA', 'PA', 'RGB', 'RGBA', 'RGBX', 'RGBa', 'CMYK', 'YCbCr', 'LAB', 'HSV')


class ImageDecodeError(OSError):
    """An image file that cannot be decoded completely (missing, corrupt, truncated or unsupported)."""


def decode_uint8_bgr(content: bytes, path: str) -> np.ndarray:
    """Decode image bytes into a 3-channel uint8 BGR array, whatever the stored format.

    Conversions, applied the same way to every file: grayscale is replicated to 3 channels; the alpha
    channel is dropped; palette images are expanded; 16-bit samples keep their high byte (``v >> 8``,
    as Pillow does for 16-bit RGB); the EXIF orientation is applied. Truncated files are an error,
    never a partially grey image.

    Args:
        content (bytes): The encoded image.
        path (str): Where the bytes came from, for error messages.

    Returns:
        np.ndarray: (H, W, 3) uint8 array in BGR order (the OpenMMLab convention).

    Raises:
        ImageDecodeError: If the image cannot be fully decoded or has an unsupported mode.
    """
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            if image.mode in _PILLOW_TO_RGB:
                array = np.asarray(image.convert('RGB'))
            elif image.mode.startswith('I;16') or image.mode == 'I':
                samples = np.asarray(image).astype(np.int64)
                if samples.min() < 0 or samples.max() > 65535:
                    raise ImageDecodeError(f'{path}: 32-bit integer samples outside the 16-bit range')
                array = np.repeat((samples >> 8).astype(np.uint8)[..., None], 3, axis=2)
            else:
                raise ImageDecodeError(f'{path}: unsupported image mode {image.mode!r} '
                                       '(expected 8/16-bit grayscale, palette, RGB, RGBA or CMYK)')
    except ImageDecodeError:
        raise
    except Exception as err:  # noqa: BLE001 - Pillow raises many types for bad files
        raise ImageDecodeError(f'Cannot decode image {path}: {type(err).__name__}: {err}') from err
    return np.ascontiguousarray(array[..., ::-1])


@TRANSFORMS.register_module()
class LoadImageUint8(BaseTransform):
    """Load an image as 3-channel uint8 BGR, failing loudly on unreadable or truncated files.

    A drop-in replacement of ``LoadImageFromFile`` for heterogeneous remote-sensing collections
    (grayscale, RGBA, palette or 16-bit files next to ordinary JPEGs); see :func:`decode_uint8_bgr`.

    Required keys: ``img_path``. Added keys: ``img``, ``img_shape``, ``ori_shape``.

    Args:
        backend_args (dict, optional): mmengine file backend arguments. Defaults to None.
    """

    def __init__(self, backend_args: Optional[dict] = None) -> None:
        self.backend_args = backend_args

    def transform(self, results: dict) -> dict:
        path = results['img_path']
        try:
            content = fileio.get(path, backend_args=self.backend_args)
        except Exception as err:  # noqa: BLE001 - any backend error means the file is unreadable
            raise ImageDecodeError(f'Cannot read image {path}: {type(err).__name__}: {err}') from err
        img = decode_uint8_bgr(content, path)
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(backend_args={self.backend_args})'
