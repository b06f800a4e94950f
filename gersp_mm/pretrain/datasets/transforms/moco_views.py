# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
from dataclasses import replace
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS
from PIL import Image

from ....raster import BandMapping, RasterImage
from ..loading import JPEG_REDUCTIONS, EncodedImage, open_image
from .view_params import ViewParams
from .view_rendering import apply_view_params_pil
from .view_sampling import MoCoViewConfig, draw_views, generator_from_global_rng


def jpeg_reduction(views: Sequence[ViewParams]) -> int:
    """The largest JPEG reduction (8, 4, 2 or 1) that keeps every view's crop at output resolution or more.

    A crop of side ``c`` (its shorter side, in full-resolution pixels) decoded at ``1 / r`` spans
    ``c / r`` decoded pixels; ``r`` is allowed when ``c / r >= output_size`` for every view, so every
    view is still resampled down (or kept) to its output size, never enlarged from a reduced decode.

    Args:
        views (Sequence[ViewParams]): The views to be cut from one decoded image.

    Returns:
        int: The reduction factor.
    """
    ratio = min(min(view.crop[2], view.crop[3]) / view.output_size for view in views)
    return next(r for r in JPEG_REDUCTIONS if ratio >= r or r == 1)


def views_region(views: Sequence[ViewParams], image_hw: Tuple[int, int]) -> Tuple[int, int, int, int]:
    """The part of an image that rendering the views reads: their crops' bounding box, widened by the
    resampling filter's reach (the downscale factor, plus one pixel) and clipped to the image.

    Args:
        views (Sequence[ViewParams]): The views, crops in full-resolution pixels.
        image_hw (tuple[int, int]): Full-resolution (height, width).

    Returns:
        tuple[int, int, int, int]: ``(top, left, height, width)``.
    """
    margin = max(max(view.crop[2], view.crop[3]) // view.output_size for view in views) + 2
    top = max(min(view.crop[0] for view in views) - margin, 0)
    left = max(min(view.crop[1] for view in views) - margin, 0)
    bottom = min(max(view.crop[0] + view.crop[2] for view in views) + margin, image_hw[0])
    right = min(max(view.crop[1] + view.crop[3] for view in views) + margin, image_hw[1])
    return top, left, bottom - top, right - left


def decode_views(image: Union[EncodedImage, RasterImage], views: Sequence[ViewParams],
                 reduction: int = 1) -> Tuple[Image.Image, float, List[ViewParams]]:
    """Decode what the views need: a raster's :func:`views_region` only, at ``reduction`` (read from its
    overview of that factor when it has one, like a JPEG's DCT scaling; else from a smaller factor's or
    full resolution, then box-reduced with Pillow's ``Image.reduce``: the mean of each block), an encoded
    image whole (a JPEG at ``reduction``).

    Returns:
        tuple[PIL.Image.Image, float, list[ViewParams]]: The RGB image decoded, its scale relative to full
        resolution, and the views with their crops relative to it.
    """
    if isinstance(image, RasterImage):
        rgb, factor, (top, left) = image.read_rgb_reduced(views_region(views, image.size_hw), reduction)
        local = [replace(view, crop=(view.crop[0] - top, view.crop[1] - left, *view.crop[2:])) for view in views]
        region = Image.fromarray(rgb, 'RGB')
        if reduction > factor:
            region = region.reduce(reduction // factor)
        return region, 1.0 / reduction, local
    rgb, scale = image.decode_rgb(reduction)
    return rgb, scale, list(views)


@TRANSFORMS.register_module()
class LoadMoCoViews(BaseTransform):
    """Decode an image once and cut ``num_views`` MoCo-v1 views from it: the fast data path.

    Replaces ``LoadImageUint8`` followed by ``RandomResizedCrop``, ``RandomGrayscale``, ``ColorJitter``
    and ``RandomFlip`` (inside ``MultiView`` for two views), with the same distribution (see
    :mod:`.view_sampling`). What it saves over those: every view's parameters are drawn from the image
    header's size before decoding, so a JPEG is decoded once, at the smallest DCT scale (1/2, 1/4,
    1/8) that still gives every crop at least the output resolution (:func:`jpeg_reduction`; other
    formats, and JPEGs with an EXIF rotation, are decoded at full size); the image stays a Pillow image
    from decoding to the output (no BGR/RGB flips, numpy/Pillow round trips or per-view deep copies of
    the full image), and each crop is resampled straight from the decoded image. For the same parameters
    its views differ from the full-resolution computation by the reduced decode's resampling only: a mean
    absolute difference below 2.5 grey levels per view, typically about 1 (tested on a real aerial JPEG);
    at full resolution below 0.25 (the crop border, see :func:`.apply_view_params`).

    Randomness comes from a generator seeded from numpy's global RNG
    (:func:`.generator_from_global_rng`), which ``DualSourceDataset`` seeds per sample: a sample's views
    do not depend on the number of workers or on a resume. Unreadable files raise
    :class:`ImageDecodeError` naming the file, as ``LoadImageUint8`` (so ``bad_image_policy`` applies).

    Required keys: ``img_path``. Added keys: ``img`` (one (S, S, 3) uint8 BGR array, or a list of
    ``num_views`` of them when ``num_views > 1``, as ``MultiView`` gives), ``img_shape`` ((S, S)),
    ``ori_shape`` (the full-resolution (H, W)), ``view_params`` (list of :meth:`ViewParams.to_dict`).

    Args:
        num_views (int): Views per image (2 for the contrastive source, 1 for the natural one).
        output_size (int): Side of the square views. Defaults to 224.
        crop_scale, crop_ratio, max_attempts, grayscale_prob, brightness, contrast, saturation, hue,
            flip_prob: The view distribution, see :class:`MoCoViewConfig` (defaults: MoCo v1).
        jpeg_draft (bool): Decode JPEGs at a reduced scale when the crops allow it, and box-reduce the
            windows read from rasters by the same factor (:func:`decode_views`). Defaults to True.
        window_size (int, optional): For images larger than this (either side), draw a random
            ``window_size`` square window first and the views inside it, as if the image were a chip of that
            size; a tiled or striped TIFF is then read by windows (only the tiles the views need), so a
            sample of a 20,000 px scene costs about what a chip costs. Defaults to None (views of the whole
            image).
        raster (dict, optional): How GeoTIFF / 16-bit / multi-band files are read:
            :class:`~gersp_mm.raster.BandMapping` arguments (``bands``, ``value_range``, ``bit_depth``,
            ``percentiles``, ``nodata``). Defaults to None (8-bit gray or RGB only; other files refused with
            what to set).
        backend_args (dict, optional): mmengine file backend arguments. Defaults to None.
    """

    def __init__(self,
                 num_views: int = 1,
                 output_size: int = 224,
                 crop_scale: Tuple[float, float] = (0.2, 1.0),
                 crop_ratio: Tuple[float, float] = (3. / 4., 4. / 3.),
                 max_attempts: int = 10,
                 grayscale_prob: float = 0.2,
                 brightness: Union[float, Tuple[float, float]] = 0.4,
                 contrast: Union[float, Tuple[float, float]] = 0.4,
                 saturation: Union[float, Tuple[float, float]] = 0.4,
                 hue: Union[float, Tuple[float, float]] = 0.4,
                 flip_prob: float = 0.5,
                 jpeg_draft: bool = True,
                 window_size: Optional[int] = None,
                 raster: Optional[dict] = None,
                 backend_args: Optional[dict] = None) -> None:
        if num_views < 1:
            raise ValueError(f'LoadMoCoViews: num_views must be at least 1, got {num_views}')
        self.num_views = num_views
        self.cfg = MoCoViewConfig(output_size=output_size, crop_scale=tuple(crop_scale),
                                  crop_ratio=tuple(crop_ratio), max_attempts=max_attempts,
                                  grayscale_prob=grayscale_prob, brightness=brightness, contrast=contrast,
                                  saturation=saturation, hue=hue, flip_prob=flip_prob)
        self.jpeg_draft = jpeg_draft
        if window_size is not None and window_size < 1:
            raise ValueError(f'LoadMoCoViews: window_size must be positive, got {window_size}')
        self.window_size = window_size
        self.raster = raster
        self.mapping = BandMapping.from_config(raster)
        self.backend_args = backend_args

    def transform(self, results: dict) -> dict:
        path = results['img_path']
        with open_image(path, self.backend_args, self.mapping, self.window_size) as image:
            rng = generator_from_global_rng()
            views = draw_views(rng, image.size_hw, self.cfg, self.num_views, self.window_size)
            decoded, scale, local = decode_views(image, views, jpeg_reduction(views) if self.jpeg_draft else 1)
            # BGR views (the OpenMMLab convention) as reversed-channel views: PackInputs copies them once.
            imgs: List[np.ndarray] = [np.asarray(apply_view_params_pil(decoded, view, scale))[..., ::-1]
                                      for view in local]
        results['img'] = imgs if self.num_views > 1 else imgs[0]
        results['img_shape'] = (self.cfg.output_size, self.cfg.output_size)
        results['ori_shape'] = image.size_hw
        results['view_params'] = [view.to_dict() for view in views]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_views={self.num_views}, {self.cfg}, jpeg_draft={self.jpeg_draft}, '
                f'window_size={self.window_size}, raster={self.raster}, backend_args={self.backend_args})')
