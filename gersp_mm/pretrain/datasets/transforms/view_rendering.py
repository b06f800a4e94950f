# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Apply :class:`.ViewParams` to an image with Pillow: the CPU reference of MoCo-v1 view augmentation.

The semantics of :func:`apply_view_params`, exactly (an implementation on tensors reproduces them up to
the rounding of its resampling and colour conversions):

1. **Crop and resize.** The crop box ``(top, left, height, width)`` is given in full-resolution pixels
   of the EXIF-oriented image; an image at ``scale`` of full resolution is cropped at the box
   ``(left, top, left + width, top + height) * scale`` (floating-point coordinates, pixel edges at
   integers) and resampled to ``output_size x output_size`` with Pillow's ``BILINEAR`` filter
   (``Image.resize(size, BILINEAR, box=...)``): a triangle filter whose support is widened by the
   downscale factor when shrinking (antialiased, like ``torch.nn.functional.interpolate(mode='bilinear',
   antialias=True, align_corners=False)``), plain bilinear interpolation when enlarging; output pixel
   centres map to input positions ``(i + 0.5) * box_size / output_size + box_start``; near the box
   border the filter reads the image pixels just outside the box (clamped at the image border), with
   weights renormalised; results are rounded to uint8.
2. **Grayscale** (when ``grayscale``): every channel becomes
   ``floor((0.2989 * R + 0.587 * G + 0.114 * B) / 0.9999)``, computed in float64 (mmcv's
   ``RandomGrayscale`` with weights normalised to sum 1, truncated to uint8).
3. **Colour jitter**: the four operations in ``jitter_order`` (0 brightness, 1 contrast, 2 saturation,
   3 hue), each on the uint8 result of the previous one, as Pillow's ``ImageEnhance`` and HSV
   conversion compute them. Brightness, contrast and saturation blend the image ``x`` with a
   degenerate image ``d`` by the factor ``f``: ``y = clip(trunc(d + f * (x - d)), 0, 255)`` per channel
   (float32 arithmetic, truncation toward zero: ``Image.blend``), with

   - brightness: ``d = 0``;
   - contrast: ``d = int(mean(L) + 0.5)``, one value for the whole image, where
     ``L = (19595 * R + 38470 * G + 7471 * B + 32768) >> 16`` is Pillow's 8-bit luma of each pixel and
     the mean is over all pixels;
   - saturation: ``d = L`` of the same pixel, in all three channels.

   Hue converts to Pillow's 8-bit HSV (``Image.convert('HSV')``, per pixel: ``V = max(R, G, B)``;
   ``S = trunc(255 * (max - min) / max)``; ``H = trunc(255 * h)`` with ``h`` in [0, 1) the hue angle
   / 360 degrees as in Python's ``colorsys``; ``H = S = 0`` for grey pixels), adds
   ``int(hue * 255) mod 256`` to ``H`` (truncation toward zero; uint8 wrap-around the hue circle) and
   converts back with the standard sector formula (``i = floor(6 H / 255)``, ``f = 6 H / 255 - i``,
   ``p = round(V (1 - S/255))``, ``q = round(V (1 - f S/255))``, ``t = round(V (1 - (1 - f) S/255))``).
   Operations whose factor is the identity (1.0; hue shift 0.0) are skipped, as mmpretrain's
   ``ColorJitter`` skips a zero strength; in particular a hue shift of 0 skips the lossy HSV round trip.
4. **Flip** (when ``flip``): left-right mirror of the output.
"""
import numpy as np
from PIL import Image, ImageEnhance

from .view_params import GRAYSCALE_WEIGHTS, HUE, ViewParams


def _grayscale(image: Image.Image) -> Image.Image:
    rgb = np.asarray(image, dtype=np.float64)
    weights = np.array(GRAYSCALE_WEIGHTS) / sum(GRAYSCALE_WEIGHTS)
    gray = (rgb @ weights).astype(np.uint8)
    return Image.fromarray(gray).convert('RGB')


def _shift_hue(image: Image.Image, shift: float) -> Image.Image:
    h, s, v = image.convert('HSV').split()
    hue = np.asarray(h, dtype=np.uint8) + np.uint8(int(shift * 255) % 256)  # uint8 wraps around
    return Image.merge('HSV', (Image.fromarray(hue, 'L'), s, v)).convert('RGB')


def _jitter(image: Image.Image, operation: int, factor: float) -> Image.Image:
    if operation == HUE:
        return image if factor == 0.0 else _shift_hue(image, factor)
    if factor == 1.0:
        return image
    enhancer = (ImageEnhance.Brightness, ImageEnhance.Contrast, ImageEnhance.Color)[operation]
    return enhancer(image).enhance(factor)


def apply_view_params_pil(image: Image.Image, params: ViewParams, scale: float = 1.0) -> Image.Image:
    """:func:`apply_view_params` on a Pillow RGB image, returning a Pillow RGB image (no array copies).

    Args:
        image (PIL.Image.Image): RGB image at ``scale`` of the full resolution the crop refers to.
        params (ViewParams): The view.
        scale (float): Size of ``image`` relative to full resolution (e.g. 0.25 for a 1/4 JPEG draft).

    Returns:
        PIL.Image.Image: The ``output_size x output_size`` RGB view.
    """
    if image.mode != 'RGB':
        raise ValueError(f'apply_view_params expects an RGB image, got mode {image.mode!r}')
    top, left, height, width = params.crop
    box = (left * scale, top * scale, (left + width) * scale, (top + height) * scale)
    if box[2] > image.width + 1e-6 or box[3] > image.height + 1e-6:
        raise ValueError(f'crop {params.crop} at scale {scale} exceeds the {image.width}x{image.height} image')
    size = (params.output_size, params.output_size)
    view = image.resize(size, Image.Resampling.BILINEAR, box=box)
    if params.grayscale:
        view = _grayscale(view)
    for operation in params.jitter_order:
        view = _jitter(view, operation, params.jitter_factors[operation])
    if params.flip:
        view = view.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return view


def apply_view_params(img: np.ndarray, params: ViewParams, scale: float = 1.0) -> np.ndarray:
    """Apply one view's augmentation to an RGB image (semantics in the module docstring).

    Args:
        img (np.ndarray): (H, W, 3) uint8 RGB image at ``scale`` of the full resolution the crop refers to.
        params (ViewParams): The view.
        scale (float): Size of ``img`` relative to full resolution. Defaults to 1.0.

    Returns:
        np.ndarray: (S, S, 3) uint8 RGB view, ``S = params.output_size``.
    """
    if img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] != 3:
        raise ValueError(f'apply_view_params expects an (H, W, 3) uint8 RGB array, got {img.dtype} {img.shape}')
    return np.asarray(apply_view_params_pil(Image.fromarray(img, 'RGB'), params, scale))
