# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""One MoCo-v1 augmented view as explicit parameters (:class:`ViewParams`), and the constants they refer to.

A view's parameters are drawn from the image's size alone (:mod:`.view_sampling`), so a loader can choose
how much of the image to decode (e.g. a reduced JPEG scale) before it decodes, and any implementation can
apply the same parameters to the same image: the Pillow reference (:mod:`.view_rendering`, where the exact
semantics are) on the CPU, :mod:`gersp_mm.pretrain.models.view_augment` on tensors.
"""
from dataclasses import asdict, dataclass
from typing import Tuple

#: Grayscale weights of (R, G, B), those of the MoCo-v1 configs (mmcv applies them to BGR reversed).
GRAYSCALE_WEIGHTS = (0.2989, 0.587, 0.114)
#: The jitter operations, as :attr:`ViewParams.jitter_order` and ``jitter_factors`` index them.
BRIGHTNESS, CONTRAST, SATURATION, HUE = range(4)


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

