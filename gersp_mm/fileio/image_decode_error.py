# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The one error type of every image reader of the package (Pillow, OpenCV and TIFF paths alike)."""


class ImageDecodeError(OSError):
    """An image file that cannot be decoded completely (missing, corrupt, truncated or unsupported), or
    that cannot be read as configured (band count, bit depth, layout); the message names the file."""
