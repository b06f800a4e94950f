# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""MoCo-v1 view augmentation on tensors, batched, on any device: the device side of the GPU data path.

Applies :class:`~gersp_mm.pretrain.datasets.transforms.ViewParams` to decoded images with the semantics
of :func:`~gersp_mm.pretrain.datasets.transforms.apply_view_params` (the CPU reference, Pillow): every
stage works on float32 tensors holding the reference's uint8 values and rounds or truncates where Pillow
does, so an identical input gives an identical output except for

- resampling: ``torch.nn.functional.interpolate(mode='bilinear', antialias=True)`` computes Pillow's
  filter, but in one floating-point pass (Pillow rounds to uint8 between its horizontal and vertical
  passes), and it does not read the pixels just outside the crop box (Pillow does, where the filter
  reaches over the box border): the outermost row and column of output pixels can differ by a few grey
  levels, the rest by at most one;
- float rounding ties in the colour conversions (rare single grey levels).

On real photos the mean absolute difference is a fraction of a grey level (tested on CPU); decoding with
nvjpeg instead of libjpeg adds its own small differences.

Layout: images are (3, H, W) RGB and views (N, 3, S, S) RGB, values in [0, 255].
"""
from typing import Callable, Dict, List, Sequence

import torch
import torch.nn.functional as F

from ..datasets.transforms.view_params import BRIGHTNESS, CONTRAST, GRAYSCALE_WEIGHTS, HUE, SATURATION, ViewParams

#: Pillow's 8-bit luma: ``L = (19595 R + 38470 G + 7471 B + 32768) >> 16`` (exact in float32).
_LUMA_WEIGHTS = (19595.0, 38470.0, 7471.0)


def resized_crop(image: torch.Tensor, crop: Sequence[int], output_size: int) -> torch.Tensor:
    """Cut a crop box from an image and resample it to a square with Pillow's bilinear filter.

    Args:
        image (Tensor): (3, H, W) image, any real dtype.
        crop (Sequence[int]): ``(top, left, height, width)`` inside the image.
        output_size (int): Side S of the output.

    Returns:
        Tensor: (3, S, S) float32, not rounded yet (:func:`round_to_uint8_values` rounds a whole batch).
    """
    top, left, height, width = crop
    patch = image[:, top:top + height, left:left + width].float()
    return F.interpolate(patch[None], size=(output_size, output_size), mode='bilinear', align_corners=False,
                         antialias=True)[0]


def round_to_uint8_values(views: torch.Tensor) -> torch.Tensor:
    """Round resampled values as Pillow stores them: half up, clipped to [0, 255] (in place)."""
    return views.add_(0.5).floor_().clamp_(0, 255)


def grayscale(views: torch.Tensor) -> torch.Tensor:
    """``floor((0.2989 R + 0.587 G + 0.114 B) / 0.9999)`` in float64, in all three channels.

    Args:
        views (Tensor): (N, 3, S, S) RGB values.

    Returns:
        Tensor: (N, 3, S, S) float32.
    """
    weights = torch.tensor(GRAYSCALE_WEIGHTS, dtype=torch.float64, device=views.device)
    weights = (weights / weights.sum()).view(1, 3, 1, 1)
    gray = (views.double() * weights).sum(dim=1, keepdim=True).floor_()
    return gray.float().expand_as(views).contiguous()


def luma(views: torch.Tensor) -> torch.Tensor:
    """Pillow's 8-bit luma (``Image.convert('L')``) of each pixel: (N, 3, S, S) -> (N, 1, S, S)."""
    weights = torch.tensor(_LUMA_WEIGHTS, dtype=torch.float32, device=views.device).view(1, 3, 1, 1)
    return ((views * weights).sum(dim=1, keepdim=True) + 32768.0).div_(65536.0).floor_()


def blend(degenerate: torch.Tensor, views: torch.Tensor, factors: torch.Tensor) -> torch.Tensor:
    """Pillow's ``Image.blend(degenerate, view, factor)``: ``clip(trunc(d + f (x - d)), 0, 255)`` in float32.

    Args:
        degenerate (Tensor): Broadcastable to ``views``.
        views (Tensor): (N, 3, S, S).
        factors (Tensor): (N,) float32 factors.

    Returns:
        Tensor: (N, 3, S, S) float32.
    """
    factors = factors.view(-1, 1, 1, 1)
    return (degenerate + factors * (views - degenerate)).trunc_().clamp_(0, 255)


def adjust_brightness(views: torch.Tensor, factors: torch.Tensor) -> torch.Tensor:
    """``ImageEnhance.Brightness``: blend with black."""
    return blend(torch.zeros((), device=views.device), views, factors)


def adjust_contrast(views: torch.Tensor, factors: torch.Tensor) -> torch.Tensor:
    """``ImageEnhance.Contrast``: blend with the image's mean luma, rounded (``int(mean + 0.5)``)."""
    mean = luma(views).double().mean(dim=(1, 2, 3), keepdim=True)
    return blend(mean.add_(0.5).floor_().float(), views, factors)


def adjust_saturation(views: torch.Tensor, factors: torch.Tensor) -> torch.Tensor:
    """``ImageEnhance.Color``: blend with each pixel's luma."""
    return blend(luma(views), views, factors)


def hue_steps(shift: float) -> int:
    """The 8-bit hue increment of a hue shift (fraction of the hue circle): ``int(shift * 255) mod 256``."""
    return int(shift * 255) % 256


def adjust_hue(views: torch.Tensor, steps: torch.Tensor) -> torch.Tensor:
    """Pillow's 8-bit HSV round trip with the hue channel increased by ``steps`` (mod 256).

    The conversions follow Pillow's ``rgb2hsv_row``/``hsv2rgb`` (libImaging/Convert.c) operation by
    operation, in the same float32/float64 precision.

    Args:
        views (Tensor): (N, 3, S, S) RGB values.
        steps (Tensor): (N,) hue increments in [0, 255] (:func:`hue_steps`).

    Returns:
        Tensor: (N, 3, S, S) float32.
    """
    r, g, b = views.unbind(dim=1)
    maxc = torch.maximum(torch.maximum(r, g), b)
    minc = torch.minimum(torch.minimum(r, g), b)
    grey = maxc == minc
    span = torch.where(grey, torch.ones_like(maxc), maxc - minc)
    saturation = span / torch.where(maxc == 0, torch.ones_like(maxc), maxc)
    rc, gc, bc = (maxc - r) / span, (maxc - g) / span, (maxc - b) / span
    hue = torch.where(r == maxc, bc - gc,
                      torch.where(g == maxc, (2.0 + rc.double() - bc.double()).float(),
                                  (4.0 + gc.double() - rc.double()).float()))
    hue = torch.fmod(hue.double() / 6.0 + 1.0, 1.0).float()
    h = torch.where(grey, 0.0, (hue.double() * 255.0).trunc().clamp(0, 255))
    s = torch.where(grey, 0.0, (saturation.double() * 255.0).trunc().clamp(0, 255))
    v = maxc.double()

    h = torch.remainder(h + steps.double().view(-1, 1, 1), 256.0)

    sector = torch.floor(h * 6.0 / 255.0)
    frac = (h * 6.0 / 255.0 - sector).float()
    fs = (s / 255.0).float()
    p = (v * (1.0 - fs.double())).add_(0.5).floor_().clamp_(0, 255)
    q = (v * (1.0 - (fs * frac).double())).add_(0.5).floor_().clamp_(0, 255)
    t = (v * (1.0 - fs.double() * (1.0 - frac.double()))).add_(0.5).floor_().clamp_(0, 255)
    sector = torch.remainder(sector, 6).long()
    # RGB of each sector (Pillow's switch): 0 (v, t, p), 1 (q, v, p), 2 (p, v, t), 3 (p, q, v), 4 (t, p, v),
    # 5 (v, p, q).
    candidates = torch.stack([v, p, q, t])  # index 0 v, 1 p, 2 q, 3 t
    table = torch.tensor([[0, 3, 1], [2, 0, 1], [1, 0, 3], [1, 2, 0], [3, 1, 0], [0, 1, 2]],
                         device=views.device)
    picks = table[sector]  # (N, S, S, 3)
    rgb = torch.gather(candidates, 0, picks.permute(3, 0, 1, 2)).float()
    grey_rgb = v.float().unsqueeze(0).expand(3, *v.shape)
    s_zero = (s == 0).unsqueeze(0)
    return torch.where(s_zero, grey_rgb, rgb).permute(1, 0, 2, 3).contiguous()


#: The jitter operations by index (0 brightness, 1 contrast, 2 saturation, 3 hue) with their identity factor.
JITTER_OPERATIONS: Dict[int, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    BRIGHTNESS: adjust_brightness, CONTRAST: adjust_contrast, SATURATION: adjust_saturation, HUE: adjust_hue}
_IDENTITY = {BRIGHTNESS: 1.0, CONTRAST: 1.0, SATURATION: 1.0, HUE: 0.0}


def _indices(selected: List[int], device: torch.device) -> torch.Tensor:
    return torch.tensor(selected, dtype=torch.long).to(device, non_blocking=True)


def apply_views(images: Sequence[torch.Tensor], params: Sequence[ViewParams]) -> torch.Tensor:
    """Augment one view per (image, parameters) pair, batched after the per-view crop and resize.

    The parameters are host-side Python values, so the grouping of views by operation needs no
    device synchronisation: crop + resize per view (the only per-view kernels), rounding of the batch;
    grayscale on the selected views; then each of the four jitter steps applies each operation to the
    views whose order puts it at that step, with their factors (identity factors skipped, as the
    reference does); flip on the selected views.

    Args:
        images (Sequence[Tensor]): N decoded (3, H, W) RGB images (uint8 or float), on one device;
            an image may appear several times (views of one image).
        params (Sequence[ViewParams]): N views, all with the same ``output_size``; crops refer to the
            full-resolution (H, W) of their image.

    Returns:
        Tensor: (N, 3, S, S) float32 RGB views with integer values in [0, 255].
    """
    if len(images) != len(params) or not params:
        raise ValueError(f'apply_views needs one ViewParams per image, got {len(images)} images and '
                         f'{len(params)} parameters')
    sizes = {view.output_size for view in params}
    if len(sizes) != 1:
        raise ValueError(f'All views of a batch must have the same output_size, got {sorted(sizes)}')
    size = sizes.pop()
    device = images[0].device
    views = torch.empty(len(params), 3, size, size, device=device)
    for index, (image, view) in enumerate(zip(images, params)):
        top, left, height, width = view.crop
        if top < 0 or left < 0 or top + height > image.shape[-2] or left + width > image.shape[-1]:
            raise ValueError(f'crop {view.crop} (top, left, height, width) exceeds the decoded image of '
                             f'(height, width) {tuple(image.shape[-2:])}')
        views[index] = resized_crop(image, view.crop, size)
    round_to_uint8_values(views)

    gray = [index for index, view in enumerate(params) if view.grayscale]
    if gray:
        selected = _indices(gray, device)
        views[selected] = grayscale(views[selected])
    # float32 factors, as Pillow's blend takes them; the hue shift as its integer increment
    amounts = torch.tensor([[*view.jitter_factors[:HUE], hue_steps(view.jitter_factors[HUE])] for view in params],
                           dtype=torch.float32)
    for step in range(4):
        for operation, function in JITTER_OPERATIONS.items():
            chosen = [index for index, view in enumerate(params) if view.jitter_order[step] == operation
                      and view.jitter_factors[operation] != _IDENTITY[operation]]
            if chosen:
                selected = _indices(chosen, device)
                views[selected] = function(views[selected], amounts[chosen, operation].to(device))
    flipped = [index for index, view in enumerate(params) if view.flip]
    if flipped:
        selected = _indices(flipped, device)
        views[selected] = views[selected].flip(-1)
    return views
