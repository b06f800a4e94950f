# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Which bands of a raster make RGB and how their values map to 0-255 (:class:`BandMapping`).

The conventions are those of the field's tools, so that a user can carry settings over:

- ``bands`` are 1-based band numbers giving R, G, B, as GDAL numbers bands (``gdal_translate -b 1 -b 2
  -b 3``) and QGIS's multiband renderer picks them: ``bands=(1, 2, 3)`` for the usual R, G, B, NIR order of
  4-band products, ``bands=(3, 2, 1)`` for B, G, R, NIR files, ``bands=(4, 3, 2)`` for Sentinel-2's
  13 bands (B4 red, B3 green, B2 blue).
- ``value_range=(low, high)`` is a fixed linear stretch, as ``gdal_translate -scale low high 0 255``:
  ``round((v - low) * 255 / (high - low))`` clipped to 0-255; e.g. ``(0, 10000)`` for reflectances scaled
  by 10,000 (Sentinel-2 L1C/L2A products), which maps reflectance 0-1 to 0-255.
- ``bit_depth=b`` is ``value_range=(0, 2**b - 1)`` for data of a ``b``-bit sensor stored in 16 bits
  (e.g. 11-bit WorldView-2/3, 12-bit Pléiades), and refuses a file
  with values above that range (a sign of the wrong setting).
- ``percentiles=(2, 98)`` is a per-band stretch between the 2nd and 98th percentiles of the pixels read,
  QGIS's default for multiband rasters ("cumulative count cut 2-98 %"); ``(0, 100)`` is a min/max
  stretch. It is computed on the pixels read (a chip, or a window of a scene), not on the whole scene.

Nodata: the file's nodata value (GDAL's ``GDAL_NODATA`` TIFF tag) unless ``nodata`` is given; NaN is
always nodata in float data. A pixel is nodata when all of its selected bands equal the nodata value
(a true 0 in one band does not blank a pixel); nodata pixels are left out of the percentiles and
become 0 (black) in the output.
"""
import functools
import math
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np

from ..fileio.image_decode_error import ImageDecodeError

#: At most this many pixels per band enter a percentile (an evenly strided subsample of larger reads).
PERCENTILE_SAMPLES = 1 << 18


def _pair(value: Optional[Sequence[float]], name: str) -> Optional[Tuple[float, float]]:
    if value is None:
        return None
    if len(value) != 2 or not float(value[0]) < float(value[1]):
        raise ValueError(f'BandMapping.{name} must be (low, high) with low < high, got {value!r}')
    return float(value[0]), float(value[1])


@dataclass(frozen=True)
class BandMapping:
    """Bands that make RGB and the mapping of their values to uint8 (conventions in the module docstring).

    Args:
        bands (tuple[int, ...], optional): 1-based band numbers giving R, G, B (3 numbers) or one gray
            band replicated to 3 channels (1 number). Defaults to None: a 1-band file is gray, a 3-band
            file is RGB in its stored order, any other band count is refused.
        value_range (tuple[float, float], optional): Fixed linear stretch from ``(low, high)`` to 0-255.
        bit_depth (int, optional): The sensor's bit depth: ``value_range=(0, 2**bit_depth - 1)``, values
            above it refused.
        percentiles (tuple[float, float], optional): Per-band stretch between these percentiles of the
            pixels read (e.g. ``(2, 98)``).
        nodata (float, optional): Nodata value, overriding the file's. Defaults to the file's.

    At most one of ``value_range``, ``bit_depth`` and ``percentiles``; without any, only 8-bit unsigned
    data is read (as is), anything else is refused with what to set.
    """
    bands: Optional[Tuple[int, ...]] = None
    value_range: Optional[Tuple[float, float]] = None
    bit_depth: Optional[int] = None
    percentiles: Optional[Tuple[float, float]] = None
    nodata: Optional[float] = None

    def __post_init__(self) -> None:
        if self.bands is not None:
            bands = tuple(self.bands)
            if len(bands) not in (1, 3) or not all(isinstance(b, int) and b >= 1 for b in bands):
                raise ValueError('BandMapping.bands must be 3 band numbers (R, G, B) or 1 (gray), 1-based as in '
                                 f'GDAL, e.g. bands=(3, 2, 1); got {self.bands!r}')
            object.__setattr__(self, 'bands', bands)
        object.__setattr__(self, 'value_range', _pair(self.value_range, 'value_range'))
        object.__setattr__(self, 'percentiles', _pair(self.percentiles, 'percentiles'))
        if self.percentiles is not None and not 0 <= self.percentiles[0] < self.percentiles[1] <= 100:
            raise ValueError(f'BandMapping.percentiles must be within [0, 100], got {self.percentiles!r}')
        if self.bit_depth is not None and not (isinstance(self.bit_depth, int) and 1 <= self.bit_depth <= 32):
            raise ValueError(f'BandMapping.bit_depth must be an integer from 1 to 32, got {self.bit_depth!r}')
        chosen = [name for name in ('value_range', 'bit_depth', 'percentiles') if getattr(self, name) is not None]
        if len(chosen) > 1:
            raise ValueError(f'BandMapping: set one of value_range, bit_depth and percentiles, got {chosen}')

    @classmethod
    def from_config(cls, raster: Optional[dict]) -> 'BandMapping':
        """The mapping of a loading transform's ``raster`` argument (None: the defaults), an unknown key named."""
        try:
            return cls(**(raster or {}))
        except TypeError as err:
            raise TypeError(f'raster={raster!r}: {err}; the keys are bands, value_range, bit_depth, percentiles, '
                            'nodata') from err

    @property
    def is_default(self) -> bool:
        """Whether nothing is configured (files are read as 8-bit gray or RGB, as stored)."""
        return self == BandMapping()

    @property
    def scaling(self) -> Optional[str]:
        """The configured value mapping's name, or None."""
        return next((name for name in ('value_range', 'bit_depth', 'percentiles')
                     if getattr(self, name) is not None), None)

    def band_indices(self, num_bands: int, path: str, layout: str) -> Tuple[int, int, int]:
        """0-based indices of the stored bands that give R, G and B.

        Args:
            num_bands (int): Bands (samples per pixel) of the file.
            path (str): The file, for error messages.
            layout (str): The file's layout in words, for error messages.

        Raises:
            ImageDecodeError: If the file's band count does not fit the configured bands.
        """
        if self.bands is None:
            if num_bands == 1:
                return 0, 0, 0
            if num_bands == 3:
                return 0, 1, 2
            raise ImageDecodeError(
                f'{path}: {num_bands} bands ({layout}), which of them make RGB is not configured: set '
                'bands=(R, G, B), 1-based as in GDAL, e.g. bands=(1, 2, 3) for R, G, B, NIR files (a 4th band '
                'tagged alpha may be NIR), bands=(3, 2, 1) for B, G, R, NIR, bands=(4, 3, 2) for Sentinel-2, or '
                'bands=(1,) for one gray band')
        if max(self.bands) > num_bands:
            raise ImageDecodeError(f'{path}: bands={self.bands} asks for band {max(self.bands)} but the file has '
                                   f'{num_bands} ({layout}): set bands to numbers from 1 to {num_bands}')
        indices = tuple(b - 1 for b in self.bands)
        return indices * 3 if len(indices) == 1 else indices

    def to_uint8(self, samples: np.ndarray, file_nodata: Optional[float], path: str) -> np.ndarray:
        """Map the selected bands to 8-bit RGB.

        Args:
            samples (np.ndarray): (H, W, 3) samples of the R, G, B bands as stored (any numeric dtype).
            file_nodata (float, optional): The file's nodata value (used unless :attr:`nodata` is set).
            path (str): The file, for error messages.

        Returns:
            np.ndarray: (H, W, 3) uint8 RGB.

        Raises:
            ImageDecodeError: If the data is not 8-bit unsigned and no value mapping is configured, or
                exceeds the configured ``bit_depth``.
        """
        nodata = self.nodata if self.nodata is not None else file_nodata
        scaling = self.scaling
        if scaling is None:
            if samples.dtype != np.uint8:
                raise ImageDecodeError(
                    f'{path}: {samples.dtype.itemsize * 8}-bit {samples.dtype.name} samples, whose mapping to 0-255 '
                    'is not configured: set bit_depth (e.g. bit_depth=12 for 12-bit data stored in 16 bits), '
                    'value_range=(low, high) or percentiles=(2, 98)')
            mask = nodata_mask(samples, nodata)
            if not mask.any():
                return np.ascontiguousarray(samples)
            rgb = samples.copy()
            rgb[mask] = 0
            return rgb
        mask = nodata_mask(samples, nodata)
        if scaling == 'bit_depth':
            high = float(2 ** self.bit_depth - 1)
            if samples.size and samples.max() > high:  # then look at the valid pixels only
                valid = samples[~mask]
                top = valid.max() if valid.size else 0
                if top > high:
                    raise ImageDecodeError(f'{path}: values up to {top} exceed bit_depth={self.bit_depth} (max '
                                           f'{high:.0f}): set the bit depth of the data, value_range=(low, high) '
                                           'or percentiles')
            lows, highs = np.zeros(3), np.full(3, high)
        elif scaling == 'value_range':
            lows, highs = np.full(3, self.value_range[0]), np.full(3, self.value_range[1])
        else:
            lows, highs = self._percentile_limits(samples, mask)
        rgb = self._stretch(samples, lows, highs)
        if mask.any():
            rgb[mask] = 0
        return rgb

    def _percentile_limits(self, samples: np.ndarray, mask: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        valid = samples[~mask]  # (N, 3)
        if valid.shape[0] > PERCENTILE_SAMPLES:
            valid = valid[::math.ceil(valid.shape[0] / PERCENTILE_SAMPLES)]
        if valid.shape[0] == 0:
            return np.zeros(3), np.ones(3)
        limits = np.percentile(valid.astype(np.float64), self.percentiles, axis=0)
        return limits[0], limits[1]

    @staticmethod
    def _stretch(samples: np.ndarray, lows: np.ndarray, highs: np.ndarray) -> np.ndarray:
        """``round((v - low) * 255 / (high - low))`` clipped to 0-255, per band; a band with
        ``high <= low`` maps to 0 below or at ``low``, 255 above. 8/16-bit samples go through a lookup
        table (:func:`_map_samples`: all bands at once when they share the range, as with
        ``value_range``/``bit_depth``)."""
        if samples.dtype not in (np.uint8, np.uint16):
            return _stretch_values(samples.astype(np.float64), lows, highs)
        if np.all(lows == lows[0]) and np.all(highs == highs[0]):
            return _map_samples(samples, float(lows[0]), float(highs[0]))
        out = np.empty(samples.shape, np.uint8)
        for band in range(3):
            out[..., band] = _map_samples(samples[..., band], float(lows[band]), float(highs[band]))
        return out


def nodata_mask(samples: np.ndarray, nodata: Optional[float]) -> np.ndarray:
    """(H, W) bool: pixels whose bands all equal ``nodata``, or (float data) are all NaN.

    Args:
        samples (np.ndarray): (H, W, C) samples.
        nodata (float, optional): The nodata value.
    """
    if np.issubdtype(samples.dtype, np.floating):
        mask = np.isnan(samples).all(axis=2)
        if nodata is not None and not math.isnan(nodata):
            mask |= (samples == nodata).all(axis=2)
        return mask
    if nodata is None:
        return np.zeros(samples.shape[:2], bool)
    mask = samples[..., 0] == nodata
    for band in range(1, samples.shape[2]):  # band by band: numpy reduces a last axis of 3 slowly
        mask &= samples[..., band] == nodata
    return mask


def _stretch_values(values: np.ndarray, low, high) -> np.ndarray:
    span = np.where(high > low, high - low, np.inf)
    scaled = np.where(np.isinf(span), np.where(values > high, 255.0, 0.0), (values - low) * 255.0 / span)
    return np.rint(np.clip(np.nan_to_num(scaled), 0, 255)).astype(np.uint8)


@functools.lru_cache(maxsize=64)
def _lookup_table(dtype: str, low: float, high: float) -> np.ndarray:
    """uint8 value of every 8/16-bit sample (:func:`_stretch_values`), kept for the next reads."""
    return _stretch_values(np.arange(np.iinfo(np.dtype(dtype)).max + 1, dtype=np.float64), low, high)


def _scale_abs_args(low: float, high: float) -> Tuple[float, float]:
    """``alpha`` and ``beta`` of OpenCV's ``convertScaleAbs`` (``|v * alpha + beta|``, rounded and saturated)
    for the stretch from ``(low, high)``."""
    alpha = 255.0 / (high - low)
    return alpha, -low * alpha


@functools.lru_cache(maxsize=64)
def _scale_abs_exact(low: float, high: float) -> bool:
    """Whether OpenCV's ``convertScaleAbs`` maps every uint16 value to the lookup table's byte, in its
    vectorized loop (one row of all 65,536 values) and in its scalar one (rows of one value)."""
    if not high > low:
        return False
    table = _lookup_table(np.dtype(np.uint16).str, low, high)
    alpha, beta = _scale_abs_args(low, high)
    values = np.arange(table.size, dtype=np.uint16)
    spaced = np.zeros((table.size, 8), np.uint16)
    spaced[:, 0] = values
    vectorized = cv2.convertScaleAbs(values[None], alpha=alpha, beta=beta).ravel()
    scalar = cv2.convertScaleAbs(spaced[:, :1], alpha=alpha, beta=beta).ravel()  # not continuous: row by row
    return np.array_equal(vectorized, table) and np.array_equal(scalar, table)


def _map_samples(samples: np.ndarray, low: float, high: float) -> np.ndarray:
    """uint8 of 8/16-bit samples through :func:`_lookup_table`: OpenCV's ``LUT`` for 8-bit samples, its
    ``convertScaleAbs`` for 16-bit ones where it gives every value the table's byte
    (:func:`_scale_abs_exact`: ``bit_depth`` and ``value_range=(0, high)`` mostly), else numpy's ``take``;
    OpenCV only for contiguous samples (1-4 channels)."""
    table = _lookup_table(samples.dtype.str, low, high)
    if samples.size and samples.flags.c_contiguous and (samples.ndim == 2 or samples.shape[2] <= 4):
        if samples.dtype == np.uint8:
            return cv2.LUT(samples, table)
        if _scale_abs_exact(low, high):
            alpha, beta = _scale_abs_args(low, high)
            return cv2.convertScaleAbs(samples, alpha=alpha, beta=beta)
    return np.take(table, samples)
