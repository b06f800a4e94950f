# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""tools/dataset_converters/chip_scenes.py on a georeferenced 16-bit 4-band GeoTIFF scene with a nodata
corner, written with tifffile at GDAL's layout: chips equal to the scene's windows, georeferencing moved
to each chip, nodata chips skipped, parallel run, resume, and 8-bit chips through a band mapping."""
import json
import subprocess
import sys

import numpy as np
import pytest
import tifffile
from PIL import Image

from gersp_mm.pretrain.converters.chipping import ChipSettings, chip_scenes, grid
from gersp_mm.raster.georeference import geotransform
from tests.helpers import AERIAL_JPEG, ROOT

TOOL = ROOT / 'tools' / 'dataset_converters' / 'chip_scenes.py'
# UTM zone 32N (EPSG:32632), PixelIsArea, 0.5 m pixels, top-left corner at (500000, 5400000)
GEO_KEYS = (1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, 32632)
TRANSFORM = (500000.0, 0.5, 0.0, 5400000.0, 0.0, -0.5)


@pytest.fixture(scope='module')
def scene(tmp_path_factory):
    """A 300x260 R, G, B, NIR 12-bit scene from the real DIOR JPEG; its top-left 140x140 is nodata (0)."""
    with Image.open(AERIAL_JPEG) as image:
        rgb = np.asarray(image.convert('RGB'))[:300, :260].astype(np.uint16)
    data = np.dstack([rgb, rgb[..., 1]]) * 16 + 1
    data[:140, :140] = 0
    src = tmp_path_factory.mktemp('scenes')
    (src / 'area').mkdir()
    tifffile.imwrite(src / 'area' / 'scene.tif', data.transpose(2, 0, 1), photometric='minisblack',
                     planarconfig='separate', tile=(64, 64), compression='lzw',
                     extratags=[(33550, 'd', 3, (0.5, 0.5, 0.0), True),
                                (33922, 'd', 6, (0.0, 0.0, 0.0, 500000.0, 5400000.0, 0.0), True),
                                (34735, 'H', len(GEO_KEYS), GEO_KEYS, True), (42113, 's', 0, '0', True)])
    return src, data


def test_grid_covers_the_scene_with_whole_chips():
    assert grid(300, 128, 128) == [0, 128, 172] and grid(100, 128, 128) == [0] and grid(256, 128, 64) == [0, 64, 128]


def test_tool_chips_keep_values_and_georeferencing_skip_nodata_and_resume(scene, tmp_path):
    src, data = scene
    out = tmp_path / 'chips'
    run = subprocess.run([sys.executable, str(TOOL), str(src), str(out), '--chip-size', '128', '--workers', '2'],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    # rows at 0, 128, 172 (300 px), columns at 0, 128, 132 (260 px); chips over half nodata are skipped
    starts = [(top, left) for top in (0, 128, 172) for left in (0, 128, 132)]
    fraction = {s: (data[s[0]:s[0] + 128, s[1]:s[1] + 128] == 0).all(axis=2).mean() for s in starts}
    kept = sorted(s for s in starts if fraction[s] <= 0.5)
    assert len(kept) < len(starts)  # some chips are skipped
    listed = (out / 'file_list.txt').read_text().splitlines()
    assert listed == sorted(f'area/scene/scene_r{t}_c{left}.tif' for t, left in kept)
    assert f'wrote {len(kept)} chips, kept 0, skipped {len(starts) - len(kept)} for nodata' in run.stdout
    for top, left in kept:
        with tifffile.TiffFile(out / f'area/scene/scene_r{top}_c{left}.tif') as chip:
            page = chip.pages.first
            assert np.array_equal(page.asarray(), data[top:top + 128, left:left + 128].transpose(2, 0, 1))
            assert geotransform(page.tags) == (500000.0 + 0.5 * left, 0.5, 0.0, 5400000.0 - 0.5 * top, 0.0, -0.5)
            assert tuple(page.tags[34735].value) == GEO_KEYS and page.tags[42113].value == '0'
    record = json.loads((out / 'area' / 'scene.chips.json').read_text())
    assert record['geotransform'] == list(TRANSFORM) and len(record['skipped_nodata']) == len(starts) - len(kept)

    # resume: a finished scene is skipped; without its record, only the missing chip is written again
    (out / listed[0]).unlink()
    again = chip_scenes(str(src), str(out), ChipSettings(chip_size=128, stride=128), workers=0)
    assert (again.scenes_done_before, again.written) == (1, 0)
    (out / 'area' / 'scene.chips.json').unlink()
    again = chip_scenes(str(src), str(out), ChipSettings(chip_size=128, stride=128), workers=0)
    assert (again.written, again.existing) == (1, len(kept) - 1)
    assert (out / 'file_list.txt').read_text().splitlines() == listed
    with pytest.raises(ValueError, match='resume with the same settings'):
        chip_scenes(str(src), str(out), ChipSettings(chip_size=64, stride=64), workers=0)


def test_8bit_chips_through_the_band_mapping_with_world_files(scene, tmp_path):
    src, data = scene
    settings = ChipSettings(chip_size=128, stride=128, format='png', raster=dict(bands=(4, 1, 2), bit_depth=12))
    summary = chip_scenes(str(src), str(tmp_path), settings, workers=0)
    assert summary.written > 0 and not summary.failed
    window = data[172:300, 132:260][..., [3, 0, 1]].astype(np.float64)
    with Image.open(tmp_path / 'area/scene/scene_r172_c132.png') as chip:
        assert np.array_equal(np.asarray(chip), np.rint(window * 255 / 4095).astype(np.uint8))
    world = [float(v) for v in (tmp_path / 'area/scene/scene_r172_c132.pgw').read_text().split()]
    assert world == [0.5, 0.0, 0.0, -0.5, 500000.0 + 0.5 * 132 + 0.25, 5400000.0 - 0.5 * 172 - 0.25]
    with pytest.raises(ValueError, match='apply to jpg/png'):
        chip_scenes(str(src), str(tmp_path / 'x'), ChipSettings(raster=dict(bands=(1, 2, 3))), workers=0)
