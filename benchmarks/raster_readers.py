# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Windowed reads of a 16-bit 4-band tiled GeoTIFF: gersp_mm's reader (tifffile + imagecodecs) vs rasterio (GDAL).

The evidence behind the choice of TIFF reader (docs/pretraining.md#pre-training-on-geotiff-scenes): the scene
is data_pipeline.py's (a mosaic of the real DOTA/DIOR images as R, G, B, NIR at 12 bits, pixel-interleaved,
256 px tiles), uncompressed and LZW; each reader opens the file and reads bands 1-3 of the same 40 random
1,000 x 1,000 px windows, one thread; the best of 3 passes is reported per window. rasterio is not a
requirement of gersp_mm: install it in a separate environment to run this.

Example::

    GDAL_NUM_THREADS=1 OMP_NUM_THREADS=1 python benchmarks/raster_readers.py --side 3000
"""
import argparse
import json
import os.path as osp
import tempfile
import time

import numpy as np
from data_pipeline import real_mosaic, write_geotiff_scene

from gersp_mm.raster import TiffScene


def time_readers(path: str, windows: int = 40, passes: int = 3) -> dict:
    import rasterio
    from rasterio.windows import Window
    rng = np.random.default_rng(0)
    with TiffScene(path, path) as scene:
        height, width = scene.size_hw
    boxes = [(int(rng.integers(0, height - 1000)), int(rng.integers(0, width - 1000)), 1000, 1000)
             for _ in range(windows)]

    def tifffile_reads():
        for box in boxes:
            with TiffScene(path, path) as scene:
                scene.read(box, [0, 1, 2])

    def rasterio_reads():
        for top, left, h, w in boxes:
            with rasterio.open(path) as src:
                src.read([1, 2, 3], window=Window(left, top, w, h))

    with TiffScene(path, path) as scene, rasterio.open(path) as src:  # the same pixels
        top, left, h, w = boxes[0]
        assert np.array_equal(scene.read(boxes[0], [0, 1, 2]),
                              src.read([1, 2, 3], window=Window(left, top, w, h)).transpose(1, 2, 0))
    best = {}
    for _ in range(passes):
        for name, reads in (('gersp_mm (tifffile)', tifffile_reads), ('rasterio', rasterio_reads)):
            start = time.perf_counter()
            reads()
            best[name] = min(best.get(name, np.inf), (time.perf_counter() - start) / windows * 1000)
    return {name: f'{ms:.1f} ms' for name, ms in best.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--side', type=int, default=3000, help='scene side in px (default 3000)')
    args = parser.parse_args()
    mosaic = real_mosaic(args.side)
    report = {}
    with tempfile.TemporaryDirectory() as tmp:
        for compression in (None, 'lzw'):
            path = osp.join(tmp, f'scene_{compression}.tif')
            write_geotiff_scene(path, mosaic, compression)
            report[compression or 'uncompressed'] = time_readers(path)
    print(json.dumps(report, indent=2))


if __name__ == '__main__':
    main()
