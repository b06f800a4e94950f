# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Windows of a TIFF / GeoTIFF read straight from its tiles or strips (:class:`TiffScene`), with tifffile.

tifffile (pure Python) parses the header and decodes uncompressed, Deflate, PackBits and LZMA data;
the other compressions GDAL writes (LZW, ZSTD, JPEG, WebP, LERC) need imagecodecs, the ``raster`` extra
(``pip install "gersp_mm[raster]"``). A window reads and decodes only the tiles or strips it overlaps, and
for band-interleaved (``PLANARCONFIG=SEPARATE``, GDAL's ``INTERLEAVE=BAND``) files only those of the bands
asked for, so its cost and memory depend on the window, not on the scene.
"""
import functools
import math
import os
from typing import BinaryIO, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np

from ..fileio.image_decode_error import ImageDecodeError

#: TIFF tag holding GDAL's nodata value (ASCII).
GDAL_NODATA_TAG = 42113
INSTALL_RASTER_EXTRA = 'pip install "gersp_mm[raster]"'
#: OpenCV's conversions that select bands ``(0, 1, 2)`` or ``(2, 1, 0)`` of pixel-interleaved samples, by
#: ``(bands stored, bands selected)``, and the sample types they take.
_CV_BAND_ORDERS = {(4, (0, 1, 2)): cv2.COLOR_RGBA2RGB, (4, (2, 1, 0)): cv2.COLOR_RGBA2BGR,
                   (3, (2, 1, 0)): cv2.COLOR_RGB2BGR}
_CV_DTYPES = (np.uint8, np.uint16, np.float32)


def _import_tifffile():
    try:
        import tifffile
    except ImportError as err:  # tifffile is a runtime requirement; a trimmed environment may lack it
        raise ImportError(f'Reading TIFF rasters needs tifffile: {INSTALL_RASTER_EXTRA}') from err
    return tifffile


def _is_planar(page) -> bool:
    """Whether the bands are stored in separate planes (``PLANARCONFIG=SEPARATE``; tifffile gives a plain
    int, 1, when a one-band file has no PLANARCONFIG tag)."""
    return int(page.planarconfig) == 2


class TiffScene:
    """The first image of a TIFF file: its header on opening, windows of chosen bands on demand.

    Use it as a context manager (it holds the file open).

    Args:
        source (str | BinaryIO): Path of a local file, or a binary file object (e.g. ``io.BytesIO``).
        path (str): The file's name for error messages.

    Raises:
        ImageDecodeError: If the file is not a readable TIFF, or its first image is a volume.
    """

    def __init__(self, source: Union[str, BinaryIO], path: str) -> None:
        tifffile = _import_tifffile()
        self.path = path
        try:
            self._tiff = tifffile.TiffFile(source)
        except Exception as err:  # noqa: BLE001 - tifffile raises many types for bad files
            raise ImageDecodeError(f'Cannot read TIFF {path}: {type(err).__name__}: {err}') from err
        try:
            page = self._tiff.pages.first
            self._page = page
            #: (height, width) in pixels.
            self.size_hw: Tuple[int, int] = (int(page.imagelength), int(page.imagewidth))
            #: Bands (samples per pixel).
            self.num_bands: int = int(page.samplesperpixel)
            #: The samples' numpy dtype.
            self.dtype = np.dtype(page.dtype) if page.dtype is not None else None
            #: The layout in words, for messages.
            self.layout: str = self._describe(page)
            if page.imagedepth > 1:
                raise ImageDecodeError(f'{path}: a volume of depth {page.imagedepth} ({self.layout}), not an image')
            if self.dtype is None:
                raise ImageDecodeError(f'{path}: unsupported samples ({self.layout})')
        except BaseException:
            self.close()
            raise

    @staticmethod
    def _describe(page) -> str:
        dtype = np.dtype(page.dtype).name if page.dtype is not None else f'{page.bitspersample}-bit {page.sampleformat}'
        grid = (f'tiled {page.tilewidth}x{page.tilelength}' if page.is_tiled
                else f'striped, {min(page.rowsperstrip, page.imagelength)} rows per strip')
        extra = ', '.join(getattr(e, 'name', str(e)) for e in page.extrasamples)
        return (f'{page.imagewidth}x{page.imagelength} px, {page.samplesperpixel} x {dtype}, '
                f'PHOTOMETRIC={page.photometric.name}, PLANARCONFIG={"SEPARATE" if _is_planar(page) else "CONTIG"}'
                + (f', EXTRASAMPLES={extra}' if extra else '')
                + f', {grid}, COMPRESSION={page.compression.name}')

    @property
    def nodata(self) -> Optional[float]:
        """GDAL's nodata value (``GDAL_NODATA`` tag), or None."""
        tag = self._page.tags.get(GDAL_NODATA_TAG)
        if tag is None:
            return None
        try:
            return float(str(tag.value).strip('\0 '))
        except ValueError:
            return None

    @property
    def is_plain_8bit(self) -> bool:
        """Whether the image is what every 8-bit image reader reads alike: unsigned 8-bit RGB (3 bands, no
        extra samples) or gray/palette (1 band)."""
        page = self._page
        photometric = page.photometric.name
        if self.dtype != np.uint8 or page.extrasamples:
            return False
        return ((self.num_bands == 3 and photometric in ('RGB', 'YCBCR'))
                or (self.num_bands == 1 and photometric in ('MINISBLACK', 'MINISWHITE', 'PALETTE')))

    @property
    def tiff(self):
        """The open ``tifffile.TiffFile``."""
        return self._tiff

    @functools.cached_property
    def overviews(self) -> Dict[int, object]:
        """Reduced-resolution copies of the image (GDAL's internal overviews, ``gdaladdo``; those of a
        Cloud Optimized GeoTIFF) by reduction factor: the IFDs after the first that are tagged reduced
        (``NewSubfileType`` bit 0), have the same bands and data type and the size GDAL gives a factor-``f``
        overview (``ceil(size / f)``). Pixel ``i`` of a factor-``f`` overview covers full-resolution pixels
        ``[i * f, (i + 1) * f)``."""
        found = {}
        height, width = self.size_hw
        for page in self._tiff.pages[1:]:
            if not getattr(page, 'is_reduced', False) or page.samplesperpixel != self.num_bands \
                    or page.dtype != self.dtype or page.imagewidth < 1:
                continue
            factor = round(width / page.imagewidth)
            if factor > 1 and page.imagewidth == math.ceil(width / factor) \
                    and page.imagelength == math.ceil(height / factor):
                found[factor] = page
        return found

    def read(self, box: Tuple[int, int, int, int], bands: Sequence[int], factor: int = 1) -> np.ndarray:
        """Read a window of some bands, decoding only the tiles or strips it overlaps.

        Uncompressed segments of a local file are read straight into one buffer, only in the rows the window
        overlaps (positional reads: no seek, nothing shared between threads); the others are read and decoded by
        tifffile. The output holds only the bands asked for: bands 1-3 of 4 (or 3-1) are copied by OpenCV, other
        selections band by band.

        Args:
            box (tuple[int, int, int, int]): ``(top, left, height, width)`` inside the image, or inside the
                overview of ``factor``.
            bands (Sequence[int]): 0-based band indices, in the output's channel order (repeats allowed).
            factor (int): 1 (the image), or a key of :attr:`overviews`.

        Returns:
            np.ndarray: (height, width, len(bands)) samples as stored; parts of empty (sparse) tiles are 0.

        Raises:
            ImageDecodeError: If a tile or strip cannot be decoded (corrupt, or a compression that needs
                the ``raster`` extra).
        """
        page = self._page if factor == 1 else self.overviews[factor]
        size_hw = (int(page.imagelength), int(page.imagewidth))
        top, left, height, width = box
        if top < 0 or left < 0 or height <= 0 or width <= 0 or top + height > size_hw[0] or left + width > size_hw[1]:
            raise ValueError(f'{self.path}: window {box} outside the {size_hw[1]}x{size_hw[0]} image (factor {factor})')
        separate = _is_planar(page) and self.num_bands > 1
        if page.is_tiled:
            seg_h, seg_w = int(page.tilelength), int(page.tilewidth)
        else:
            seg_h, seg_w = min(int(page.rowsperstrip), size_hw[0]), size_hw[1]
        across = math.ceil(size_hw[1] / seg_w)
        per_plane = math.ceil(size_hw[0] / seg_h) * across
        bands = [int(band) for band in bands]
        planes = sorted(set(bands)) if separate else [0]
        # (segment index, plane, top row, left column) of the segments the window overlaps
        segments = [(plane * per_plane + row * across + col, plane, row * seg_h, col * seg_w)
                    for plane in planes
                    for row in range(top // seg_h, (top + height - 1) // seg_h + 1)
                    for col in range(left // seg_w, (left + width - 1) // seg_w + 1)]
        out = np.zeros((height, width, len(bands)), self.dtype)
        whole = not separate and bands == list(range(self.num_bands))
        swap = None if separate or self.dtype not in _CV_DTYPES else _CV_BAND_ORDERS.get((self.num_bands, tuple(bands)))
        try:
            raw = self._raw_rows(page, segments, (seg_h, seg_w), top, top + height)
            parts = (self._read_raw(page, raw, (seg_h, seg_w), separate) if raw is not None
                     else self._read_decoded(page, [index for index, *_ in segments]))
            for part, plane, y, x in parts:  # part: (rows, cols, samples) from row y, column x
                y0, y1 = max(y, top), min(y + part.shape[0], top + height)
                x0, x1 = max(x, left), min(x + part.shape[1], left + width)
                if y0 >= y1 or x0 >= x1:
                    continue
                part = part[y0 - y:y1 - y, x0 - x:x1 - x]
                target = out[y0 - top:y1 - top, x0 - left:x1 - left]
                if whole:
                    target[...] = part
                    continue
                if swap is not None and part.dtype.isnative:  # OpenCV's channel swaps: a third of numpy's time
                    cv2.cvtColor(part, swap, dst=target)
                    continue
                for channel, band in enumerate(bands):  # one band at a time: numpy copies (h, w, 3) slowly
                    if not separate:
                        target[..., channel] = part[..., band]
                    elif band == plane:
                        target[..., channel] = part[..., 0]
        except ImageDecodeError:
            raise
        except Exception as err:  # noqa: BLE001 - codecs raise many types
            hint = f'; install the raster extra: {INSTALL_RASTER_EXTRA}' if 'imagecodecs' in str(err) else ''
            raise ImageDecodeError(f'Cannot decode {self.path} ({self.layout}): {type(err).__name__}: {err}'
                                   f'{hint}') from err
        return out

    def _raw_rows(self, page, segments: List[Tuple[int, int, int, int]], seg_hw: Tuple[int, int], top: int,
                  bottom: int) -> Optional[List[Tuple[Optional[int], int, int, int, int]]]:
        """``(offset, plane, y, x, rows)`` of the segments' rows from ``top`` to ``bottom`` (offset None in a
        sparse segment), when they are stored raw (uncompressed, whole bytes per sample, no predictor) in a
        local file and hold those rows; else None (decode them with tifffile)."""
        if not (hasattr(os, 'preadv') and self._tiff.filehandle.is_file and page.compression == 1
                and page.predictor == 1 and page.fillorder == 1 and int(page.photometric) != 6  # 6: YCBCR
                and page.bitspersample == self.dtype.itemsize * 8):
            return None
        samples = 1 if _is_planar(page) else int(page.samplesperpixel)
        row_bytes = seg_hw[1] * samples * self.dtype.itemsize
        offsets, counts = page.dataoffsets, page.databytecounts
        rows = []
        for index, plane, y, x in segments:
            first, end = max(top - y, 0), min(seg_hw[0], bottom - y)  # rows of the segment inside the window
            if offsets[index] == 0 or counts[index] == 0:
                rows.append((None, plane, y + first, x, end - first))
            elif counts[index] >= end * row_bytes:
                rows.append((int(offsets[index]) + first * row_bytes, plane, y + first, x, end - first))
            else:
                return None
        return rows

    def _read_raw(self, page, rows: List[Tuple[Optional[int], int, int, int, int]], seg_hw: Tuple[int, int],
                  separate: bool) -> Iterator[Tuple[np.ndarray, int, int, int]]:
        """Read :meth:`_raw_rows` into one buffer, yielding ``(rows, cols, samples)`` views of it in turn."""
        samples = 1 if separate else int(page.samplesperpixel)
        buffer = np.empty((seg_hw[0], seg_hw[1], samples), self.dtype.newbyteorder(self._tiff.byteorder))
        fd = self._tiff.filehandle.fileno()
        for offset, plane, y, x, count in rows:
            if offset is None:  # sparse: left 0
                continue
            part = buffer[:count]
            if os.preadv(fd, [part], offset) != part.nbytes:
                raise ImageDecodeError(f'{self.path}: truncated, a segment of {part.nbytes} bytes at {offset} '
                                       f'ends after the end of the file ({self.layout})')
            yield part, plane, y, x

    def _read_decoded(self, page, indices: List[int]) -> Iterator[Tuple[np.ndarray, int, int, int]]:
        """Read and decode the segments with tifffile, yielding ``(rows, cols, samples)`` arrays."""
        offsets, counts = page.dataoffsets, page.databytecounts
        for data, index in self._tiff.filehandle.read_segments(
                [offsets[i] for i in indices], [counts[i] for i in indices], indices=indices):
            segment, (plane, _, y, x, _), _ = page.decode(data, index, jpegtables=page.jpegtables)
            if segment is not None:
                yield segment[0], plane, y, x

    def close(self) -> None:
        """Close the file."""
        self._tiff.close()

    def __enter__(self) -> 'TiffScene':
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
