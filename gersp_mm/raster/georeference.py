# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""A GeoTIFF's georeferencing (GeoTIFF 1.1 tags) carried over to a chip cut from it.

A chip keeps the scene's coordinate reference system (``GeoKeyDirectoryTag`` and its parameter tags,
copied as they are) and gets the affine transform of its own pixel grid: the scene's
(``ModelPixelScaleTag`` + ``ModelTiepointTag``, or ``ModelTransformationTag``) moved by the chip's
``(top, left)`` offset in pixels.
"""
from typing import List, Optional, Sequence, Tuple

import numpy as np

PIXEL_SCALE, TIEPOINT, TRANSFORMATION = 33550, 33922, 34264
GEO_KEYS, GEO_DOUBLES, GEO_ASCII = 34735, 34736, 34737
GDAL_METADATA, GDAL_NODATA = 42112, 42113
#: Tags copied unchanged to a chip: the coordinate reference system, GDAL's band metadata and nodata.
_COPIED = ((GEO_KEYS, 'H'), (GEO_DOUBLES, 'd'), (GEO_ASCII, 's'), (GDAL_METADATA, 's'), (GDAL_NODATA, 's'))


def geotransform(tags) -> Optional[Tuple[float, ...]]:
    """The scene's affine transform in GDAL's order ``(x0, dx/dcol, dx/drow, y0, dy/dcol, dy/drow)``, or
    None when the file is not georeferenced (or has several tiepoints, a warped grid).

    Args:
        tags: ``tifffile.TiffPage.tags`` of the scene.
    """
    if TRANSFORMATION in tags:
        m = np.asarray(tags[TRANSFORMATION].value, np.float64).reshape(4, 4)
        return float(m[0, 3]), float(m[0, 0]), float(m[0, 1]), float(m[1, 3]), float(m[1, 0]), float(m[1, 1])
    if PIXEL_SCALE in tags and TIEPOINT in tags and len(tags[TIEPOINT].value) == 6:
        scale_x, scale_y = tags[PIXEL_SCALE].value[:2]
        col, row, _, x, y, _ = tags[TIEPOINT].value
        return x - col * scale_x, float(scale_x), 0.0, y + row * scale_y, 0.0, -float(scale_y)
    return None


def shifted(transform: Sequence[float], top: int, left: int) -> Tuple[float, ...]:
    """The transform of the grid starting at pixel ``(top, left)`` of ``transform``'s grid."""
    x0, a, b, y0, d, e = transform
    return x0 + a * left + b * top, a, b, y0 + d * left + e * top, d, e


def chip_tags(tags, top: int, left: int) -> List[tuple]:
    """``tifffile.imwrite(extratags=...)`` giving a chip at ``(top, left)`` the scene's georeferencing.

    Args:
        tags: ``tifffile.TiffPage.tags`` of the scene.
        top, left (int): The chip's offset in the scene, in pixels.

    Returns:
        list[tuple]: ``(code, dtype, count, value, writeonce)`` tags; empty for a scene without any.
    """
    extra = []
    for code, dtype in _COPIED:
        if code in tags:
            value = tags[code].value
            extra.append((code, dtype, 0 if dtype == 's' else len(value), value, True))
    transform = geotransform(tags)
    if transform is None:
        return extra
    x0, a, b, y0, d, e = shifted(transform, top, left)
    if TRANSFORMATION in tags:
        matrix = np.asarray(tags[TRANSFORMATION].value, np.float64).reshape(4, 4).copy()
        matrix[0, 3], matrix[1, 3] = x0, y0
        extra.append((TRANSFORMATION, 'd', 16, tuple(matrix.ravel()), True))
    else:
        extra.append((PIXEL_SCALE, 'd', 3, tuple(float(v) for v in tags[PIXEL_SCALE].value), True))
        extra.append((TIEPOINT, 'd', 6, (0.0, 0.0, 0.0, x0, y0, 0.0), True))
    return extra


def world_file_text(transform: Sequence[float]) -> str:
    """An ESRI world file (``.jgw``/``.pgw``, read by GDAL and QGIS): the affine transform with the
    coordinates of the centre of the top-left pixel."""
    x0, a, b, y0, d, e = transform
    return '\n'.join(f'{v:.12g}' for v in (a, d, b, e, x0 + (a + b) / 2, y0 + (d + e) / 2)) + '\n'
