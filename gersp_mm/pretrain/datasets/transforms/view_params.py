# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""MoCo-v1 view augmentation as explicit parameters: draw them before decoding, apply them to any copy.

One augmented view is a :class:`ViewParams`, drawn by :func:`draw_view_params` from the image's size
alone, so a loader can choose how much of the image to decode (e.g. a reduced JPEG scale) before it
decodes, and a device-side implementation can apply the same parameters to the same image. The
distribution is that of the mmpretrain/mmcv transforms the pre-training configs used before
(``RandomResizedCrop(crop_ratio_range=(0.2, 1.0), backend='pillow')``, ``RandomGrayscale(prob=0.2,
keep_channels=True, channel_weights=(0.114, 0.587, 0.2989))`` on BGR, ``ColorJitter(0.4, 0.4, 0.4,
0.4)`` with the Pillow backend, ``RandomFlip(prob=0.5, direction='horizontal')``), drawn from a
``numpy.random.Generator`` instead of the global RNGs.

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
import math
from dataclasses import asdict, dataclass
from typing import Optional, Sequence, Tuple, Union

import numpy as np
from PIL import Image, ImageEnhance

#: Grayscale weights of (R, G, B), those of the MoCo-v1 configs (mmcv applies them to BGR reversed).
GRAYSCALE_WEIGHTS = (0.2989, 0.587, 0.114)
BRIGHTNESS, CONTRAST, SATURATION, HUE = range(4)


def _factor_range(strength: Union[float, Sequence[float]], name: str, center: float,
                  bound: Tuple[float, float]) -> Tuple[float, float]:
    if isinstance(strength, (int, float)):
        if strength < 0:
            raise ValueError(f'MoCoViewConfig.{name} must be non-negative, got {strength}')
        low, high = center - float(strength), center + float(strength)
        low = max(low, bound[0])
    else:
        low, high = (float(v) for v in strength)
    if not bound[0] <= low <= high <= bound[1]:
        raise ValueError(f'MoCoViewConfig.{name} range ({low}, {high}) must be ordered and inside {bound}')
    return low, high


@dataclass(frozen=True)
class MoCoViewConfig:
    """Distribution of one MoCo-v1 view; the defaults are the MoCo-v1 recipe at 224 px.

    Args:
        output_size (int): Side of the square output. Defaults to 224.
        crop_scale (tuple[float, float]): Range of the crop area as a fraction of the image area.
            Defaults to (0.2, 1.0).
        crop_ratio (tuple[float, float]): Range of the crop aspect ratio width / height, drawn
            log-uniformly. Defaults to (3/4, 4/3).
        max_attempts (int): Crop draws before falling back to the central crop (as mmpretrain's
            ``RandomResizedCrop``). Defaults to 10.
        grayscale_prob (float): Probability of the grayscale conversion. Defaults to 0.2.
        brightness, contrast, saturation (float | tuple[float, float]): Strength ``v``: the factor is
            uniform in ``[max(0, 1 - v), 1 + v]``; or the range itself. Defaults to 0.4.
        hue (float | tuple[float, float]): Strength ``v <= 0.5``: the shift is uniform in ``[-v, v]``; or
            the range itself, inside [-0.5, 0.5]. Defaults to 0.4.
        flip_prob (float): Probability of the horizontal flip. Defaults to 0.5.
    """
    output_size: int = 224
    crop_scale: Tuple[float, float] = (0.2, 1.0)
    crop_ratio: Tuple[float, float] = (3. / 4., 4. / 3.)
    max_attempts: int = 10
    grayscale_prob: float = 0.2
    brightness: Union[float, Tuple[float, float]] = 0.4
    contrast: Union[float, Tuple[float, float]] = 0.4
    saturation: Union[float, Tuple[float, float]] = 0.4
    hue: Union[float, Tuple[float, float]] = 0.4
    flip_prob: float = 0.5

    def __post_init__(self) -> None:
        if self.output_size <= 0:
            raise ValueError(f'MoCoViewConfig.output_size must be positive, got {self.output_size}')
        if not 0 < self.crop_scale[0] <= self.crop_scale[1] <= 1:
            raise ValueError(f'MoCoViewConfig.crop_scale must satisfy 0 < min <= max <= 1, got {self.crop_scale}')
        if not 0 < self.crop_ratio[0] <= self.crop_ratio[1]:
            raise ValueError(f'MoCoViewConfig.crop_ratio must satisfy 0 < min <= max, got {self.crop_ratio}')
        for name in ('grayscale_prob', 'flip_prob'):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f'MoCoViewConfig.{name} must be in [0, 1], got {getattr(self, name)}')
        for name in ('brightness', 'contrast', 'saturation'):
            _factor_range(getattr(self, name), name, 1.0, (0.0, math.inf))
        _factor_range(self.hue, 'hue', 0.0, (-0.5, 0.5))

    def jitter_ranges(self) -> Tuple[Tuple[float, float], ...]:
        """The (low, high) ranges of the brightness, contrast and saturation factors and the hue shift."""
        return (*(_factor_range(getattr(self, name), name, 1.0, (0.0, math.inf))
                  for name in ('brightness', 'contrast', 'saturation')),
                _factor_range(self.hue, 'hue', 0.0, (-0.5, 0.5)))


@dataclass(frozen=True)
class ViewParams:
    """Everything random about one augmented view, drawn before decoding.

    Attributes:
        crop (tuple[int, int, int, int]): ``(top, left, height, width)`` in full-resolution pixels of the
            EXIF-oriented image.
        output_size (int): Side of the square output.
        grayscale (bool): Convert to grayscale (3 equal channels).
        jitter_order (tuple[int, int, int, int]): Order of the jitter operations, a permutation of
            0 brightness, 1 contrast, 2 saturation, 3 hue.
        jitter_factors (tuple[float, float, float, float]): Brightness, contrast and saturation factors
            and the hue shift (fraction of the hue circle, in [-0.5, 0.5]).
        flip (bool): Mirror left-right.
    """
    crop: Tuple[int, int, int, int]
    output_size: int
    grayscale: bool
    jitter_order: Tuple[int, int, int, int]
    jitter_factors: Tuple[float, float, float, float]
    flip: bool

    def to_dict(self) -> dict:
        """Plain Python types only (lists for the tuples), for collation and serialisation."""
        return {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: dict) -> 'ViewParams':
        """Inverse of :meth:`to_dict` (also accepts tuples or numpy/torch scalars)."""
        return cls(crop=tuple(int(v) for v in d['crop']),
                   output_size=int(d['output_size']),
                   grayscale=bool(d['grayscale']),
                   jitter_order=tuple(int(v) for v in d['jitter_order']),
                   jitter_factors=tuple(float(v) for v in d['jitter_factors']),
                   flip=bool(d['flip']))


def generator_from_global_rng() -> np.random.Generator:
    """A generator seeded from numpy's global RNG (128 bits drawn from it).

    The pre-training datasets seed the global RNGs per sample (``DualSourceDataset``) or per worker
    (mmengine's ``worker_init_fn``), so views drawn from this generator follow the same seeding: the same
    sample gets the same views for any number of workers and after a resume.
    """
    return np.random.default_rng(np.random.randint(0, 2**32, size=4, dtype=np.uint64))


def draw_crop(rng: np.random.Generator, image_hw: Tuple[int, int],
              cfg: MoCoViewConfig) -> Tuple[int, int, int, int]:
    """Draw a random-resized-crop box, as mmpretrain's ``RandomResizedCrop.rand_crop_params``.

    Up to ``cfg.max_attempts`` times: area fraction uniform in ``crop_scale``, aspect ratio log-uniform in
    ``crop_ratio``, ``width = round(sqrt(area * ratio))``, ``height = round(sqrt(area / ratio))``; the
    first box that fits gets a uniform position. Otherwise the central crop of the largest box with a
    ratio in range (the whole image when its own ratio is in range).

    Args:
        rng (np.random.Generator): Source of randomness.
        image_hw (tuple[int, int]): Full-resolution (height, width) of the EXIF-oriented image.
        cfg (MoCoViewConfig): The distribution.

    Returns:
        tuple[int, int, int, int]: ``(top, left, height, width)``.
    """
    height, width = image_hw
    area = height * width
    log_ratio = (math.log(cfg.crop_ratio[0]), math.log(cfg.crop_ratio[1]))
    for _ in range(cfg.max_attempts):
        target_area = rng.uniform(*cfg.crop_scale) * area
        ratio = math.exp(rng.uniform(*log_ratio))
        crop_w = int(round(math.sqrt(target_area * ratio)))
        crop_h = int(round(math.sqrt(target_area / ratio)))
        if 0 < crop_w <= width and 0 < crop_h <= height:
            top = int(rng.integers(0, height - crop_h + 1))
            left = int(rng.integers(0, width - crop_w + 1))
            return top, left, crop_h, crop_w
    in_ratio = width / height
    if in_ratio < cfg.crop_ratio[0]:
        crop_w, crop_h = width, int(round(width / cfg.crop_ratio[0]))
    elif in_ratio > cfg.crop_ratio[1]:
        crop_w, crop_h = int(round(height * cfg.crop_ratio[1])), height
    else:
        crop_w, crop_h = width, height
    return (height - crop_h) // 2, (width - crop_w) // 2, crop_h, crop_w


def draw_view_params(rng: np.random.Generator, image_hw: Tuple[int, int],
                     cfg: Optional[MoCoViewConfig] = None) -> ViewParams:
    """Draw one view's parameters from the image's full-resolution size.

    Draw order (fixed, so equal generators give equal views): crop (:func:`draw_crop`), grayscale
    (``rng.random() < grayscale_prob``), jitter order (``rng.permutation(4)``), brightness, contrast,
    saturation factors and hue shift (each ``rng.uniform(low, high)``), flip (``rng.random() <
    flip_prob``).

    Args:
        rng (np.random.Generator): Source of randomness.
        image_hw (tuple[int, int]): Full-resolution (height, width) of the EXIF-oriented image.
        cfg (MoCoViewConfig, optional): The distribution. Defaults to the MoCo-v1 recipe.

    Returns:
        ViewParams: The view.
    """
    cfg = cfg or MoCoViewConfig()
    if image_hw[0] <= 0 or image_hw[1] <= 0:
        raise ValueError(f'image size must be positive, got (height, width) = {tuple(image_hw)}')
    crop = draw_crop(rng, image_hw, cfg)
    grayscale = bool(rng.random() < cfg.grayscale_prob)
    order = tuple(int(v) for v in rng.permutation(4))
    factors = tuple(float(rng.uniform(low, high)) for low, high in cfg.jitter_ranges())
    flip = bool(rng.random() < cfg.flip_prob)
    return ViewParams(crop=crop, output_size=cfg.output_size, grayscale=grayscale, jitter_order=order,
                      jitter_factors=factors, flip=flip)


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
