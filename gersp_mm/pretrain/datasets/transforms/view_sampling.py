# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The distribution of MoCo-v1 views (:class:`MoCoViewConfig`) and the draws of :class:`.ViewParams` from it.

The distribution is that of the mmpretrain/mmcv transforms the pre-training configs used before
(``RandomResizedCrop(crop_ratio_range=(0.2, 1.0), backend='pillow')``, ``RandomGrayscale(prob=0.2,
keep_channels=True, channel_weights=(0.114, 0.587, 0.2989))`` on BGR, ``ColorJitter(0.4, 0.4, 0.4,
0.4)`` with the Pillow backend, ``RandomFlip(prob=0.5, direction='horizontal')``), drawn from a
``numpy.random.Generator`` instead of the global RNGs, from the image's full-resolution size alone
(before decoding).
"""
import math
from dataclasses import dataclass, replace
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np

from .view_params import ViewParams


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


def draw_window(rng: np.random.Generator, image_hw: Tuple[int, int],
                window_size: Optional[int]) -> Optional[Tuple[int, int, int, int]]:
    """Draw a window of a large scene, uniformly placed, inside which a sample's views are drawn.

    Args:
        rng (np.random.Generator): Source of randomness.
        image_hw (tuple[int, int]): Full-resolution (height, width).
        window_size (int, optional): Side of the window. None: no window.

    Returns:
        tuple[int, int, int, int] | None: ``(top, left, height, width)`` of the window (sides
        ``min(side, window_size)``), or None when ``window_size`` is None or the image fits in it (no draw
        is made then, so the views of such images are those drawn without windows).
    """
    height, width = image_hw
    if window_size is None or max(height, width) <= window_size:
        return None
    win_h, win_w = min(height, window_size), min(width, window_size)
    top = int(rng.integers(0, height - win_h + 1))
    left = int(rng.integers(0, width - win_w + 1))
    return top, left, win_h, win_w


def draw_views(rng: np.random.Generator, image_hw: Tuple[int, int], cfg: MoCoViewConfig, num_views: int,
               window_size: Optional[int] = None) -> List[ViewParams]:
    """Draw a sample's views: in a random window of ``window_size`` (:func:`draw_window`) when the image
    is larger, else in the whole image; the crops are in full-resolution pixels of the image.

    Args:
        rng (np.random.Generator): Source of randomness.
        image_hw (tuple[int, int]): Full-resolution (height, width).
        cfg (MoCoViewConfig): The distribution of each view (its crop relative to the window).
        num_views (int): Views to draw.
        window_size (int, optional): Side of the window. Defaults to None (no window).

    Returns:
        list[ViewParams]: The views.
    """
    window = draw_window(rng, image_hw, window_size)
    if window is None:
        return [draw_view_params(rng, image_hw, cfg) for _ in range(num_views)]
    top, left, win_h, win_w = window
    views = [draw_view_params(rng, (win_h, win_w), cfg) for _ in range(num_views)]
    return [replace(view, crop=(view.crop[0] + top, view.crop[1] + left, *view.crop[2:])) for view in views]
