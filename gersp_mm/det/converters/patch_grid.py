# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The patch grid: where the square patches of an image start.

Patch origins along each axis are 0, stride, 2 * stride, ... and a last patch aligned with the image border
(origin = length - patch size), so every patch lies inside the image and the whole image is covered.
"""
from typing import List, Tuple


def check_patch_grid(patch_size: int, stride: int) -> None:
    """Raise ValueError unless ``0 < stride <= patch_size`` (a larger stride would leave gaps)."""
    if not 0 < stride <= patch_size:
        raise ValueError(f'expected 0 < stride <= patch_size, got stride={stride}, patch_size={patch_size}')


def patch_origins(length: int, patch_size: int, stride: int) -> List[int]:
    """Patch start positions along one image side.

    Args:
        length (int): Image width or height in pixels.
        patch_size (int): Patch side in pixels.
        stride (int): Step between patch starts, at most ``patch_size``.

    Returns:
        list[int]: ``0, stride, 2 * stride, ...`` below ``length - patch_size``, then
        ``length - patch_size`` (the last patch ends at the image border); ``[0]`` if
        ``length <= patch_size``.
    """
    check_patch_grid(patch_size, stride)
    if length <= patch_size:
        return [0]
    return list(range(0, length - patch_size, stride)) + [length - patch_size]


def patch_windows(width: int, height: int, patch_size: int, stride: int) -> List[Tuple[int, int, int, int]]:
    """The image region of every patch, row by row.

    Returns:
        list[tuple]: ``(x0, y0, x1, y1)`` per patch; ``x1 - x0 = min(patch_size, width)`` (same for y).
    """
    return [(x0, y0, min(x0 + patch_size, width), min(y0 + patch_size, height))
            for y0 in patch_origins(height, patch_size, stride)
            for x0 in patch_origins(width, patch_size, stride)]
