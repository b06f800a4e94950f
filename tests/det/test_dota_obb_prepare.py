# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The DOTA-v1.0 patch converter with polygons (``--box-type obb``), on generated splits, on the real
DOTA-v1.0 val label files and on a fixture with the quirks of the complete release."""
import json
import re

import cv2
import numpy as np
import pytest
import torch
from mmcv.ops import box_iou_quadri

from gersp_mm.det.converters import convert_dota
from gersp_mm.det.converters.dota_labels import read_label_file
from gersp_mm.det.converters.polygon_arrays import areas_inside, polygon_areas, polygon_inside_fractions
from tests.det.dota_helpers import REAL_LABELS, REAL_SIZES, real_val_split, write_split

# P0001 is 1000 wide, 900 high; with 800x800 patches at stride 640 the origins are x 0, 200 and y 0, 100
P0001_LINES = [
    'imagesource:GoogleEarth',
    'gsd:0.146343590398',
    '10 10 60 10 60 60 10 60 plane 0',  # line 3: inside patch (0, 0) only
    '500 300 550 350 500 400 450 350 ship 1',  # line 4: a diamond inside all four patches
    '800 20 850 70 800 120 750 70 small-vehicle 0',  # line 5: diamond on x = 800: 50 % in x < 800, whole in x >= 200
    '1100 10 1150 10 1150 40 1100 40 harbor 0',  # line 6: outside the image
    '1000 500 1040 540 1000 580 960 540 bridge 0',  # line 7: diamond centred on the right border
    '300 300 300 300 301 301 301 301 ship 0',  # line 8: zero area (all corners on a line)
]
EXPECTED_P0001 = {  # patch -> label lines, polygons shifted to the patch, never clipped
    'P0001__800__0___0': ['10 10 60 10 60 60 10 60 plane 0', '500 300 550 350 500 400 450 350 ship 1'],
    'P0001__800__200___0': ['300 300 350 350 300 400 250 350 ship 1', '600 20 650 70 600 120 550 70 small-vehicle 0',
                            '800 500 840 540 800 580 760 540 bridge 0'],
    'P0001__800__0___100': ['500 200 550 250 500 300 450 250 ship 1'],
    'P0001__800__200___100': ['300 200 350 250 300 300 250 250 ship 1', '800 400 840 440 800 480 760 440 bridge 0'],
}


def grid_area(polygon, window, step=0.05):
    """Independent reference: the area of ``polygon`` inside ``window`` counted on a grid of points (even-odd
    ray casting), to about ``step`` times the perimeter."""
    x0, y0, x1, y1 = window
    xs, ys = np.meshgrid(np.arange(x0 + step / 2, x1, step), np.arange(y0 + step / 2, y1, step))
    corners = np.asarray(polygon, dtype=np.float64).reshape(-1, 2)
    inside = np.zeros(xs.shape, dtype=bool)
    for (ax, ay), (bx, by) in zip(corners, np.roll(corners, -1, axis=0)):
        crosses = (ay > ys) != (by > ys)
        with np.errstate(divide='ignore', invalid='ignore'):
            x_cross = ax + (ys - ay) * (bx - ax) / (by - ay)
        inside ^= crosses & (xs < x_cross)
    return inside.sum() * step * step


def test_polygon_areas_and_parts_inside_windows_match_a_grid_count():
    polygons = np.array([[50, 0, 100, 50, 50, 100, 0, 50],  # diamond, area 5000
                         [0, 0, 100, 30, 0, 60, 30, 30],  # concave arrow head
                         [10, 10, 90, 20, 80, 90, 20, 70],  # irregular convex
                         [5, 5, 5, 5, 6, 6, 6, 6]], dtype=np.float64)  # degenerate
    np.testing.assert_allclose(polygon_areas(polygons), [5000, 2100, 4550, 0])
    assert polygon_areas(polygons[:, ::-1].copy())[0] == 5000  # clockwise or not
    for window in [(0, 0, 50, 100), (0, 0, 60, 40), (20, 25, 75, 120), (200, 0, 300, 10), (0, 0, 100, 100)]:
        expected = [grid_area(polygon, window, step=0.1) for polygon in polygons[:3]]
        np.testing.assert_allclose(areas_inside(polygons[:3], window), expected, atol=15)
    np.testing.assert_allclose(areas_inside(polygons[:1], (0, 0, 50, 50)), [1250])
    fractions = polygon_inside_fractions(polygons[:1], [(0, 0, 50, 100), (0, 0, 50, 75)], (0, 0, 75, 100))
    # the diamond inside the 75-wide image: 5000 - 625; x < 50: 2500; x < 50, y < 75: 2500 - 312.5
    np.testing.assert_allclose(fractions, [[2500 / 4375], [2187.5 / 4375]])


@pytest.fixture
def dota(tmp_path):
    write_split(tmp_path / 'DOTA' / 'train', {'P0001': (900, 1000), 'P0002': (500, 600)},
                {'P0001': P0001_LINES, 'P0002': ['100 100 120 100 120 130 100 130 helicopter 0']})
    return tmp_path


def parse_patch_name(name):
    """``'P0001__800__200___100'`` -> ``('P0001', 200, 100)``."""
    image, _, x0, y0 = re.fullmatch(r'(.+)__(\d+)__(\d+)___(\d+)', name).groups()
    return image, int(x0), int(y0)


def read_patches(ann_dir):
    return {path.stem: path.read_text().splitlines() for path in sorted(ann_dir.glob('*.txt'))}


def test_conversion_writes_patches_and_polygons_in_dota_label_files(dota, capsys):
    ann_dir = convert_dota(str(dota / 'DOTA'), str(dota / 'out'), ['train'], box_type='obb', patch_size=800,
                           stride=640)[0]
    assert ann_dir == str(dota / 'out' / 'train' / 'annfiles')
    patches = read_patches(dota / 'out' / 'train' / 'annfiles')
    assert patches == dict(EXPECTED_P0001, P0002__800__0___0=['100 100 120 100 120 130 100 130 helicopter 0'])
    out, err = capsys.readouterr()
    assert 'P0001.txt:6: the polygon [1100, 10, 1150, 10, 1150, 40, 1100, 40] has no area inside the 1000x900 ' \
           'image, skipped' in err
    assert 'P0001.txt:7: the polygon [1000, 500, 1040, 540, 1000, 580, 960, 540] reaches beyond the 1000x900 ' \
           'image (50% of it inside), kept as annotated' in err
    assert 'P0001.txt:8: the polygon [300, 300, 300, 300, 301, 301, 301, 301] has zero area, skipped' in err
    assert ('train: 7 objects in 2 images -> 5 patches, 9 patch objects; 1 polygons beyond the image kept as '
            'annotated, 2 polygons skipped (no area in the image), 0 objects below --iof-thr 0.7') in out
    report = json.loads((dota / 'out' / 'train' / 'report.json').read_text())
    assert {key: report[key] for key in ('patch_size', 'stride', 'source_objects', 'polygons_beyond_image',
                                         'polygons_skipped', 'objects_kept_in_best_patch', 'patches',
                                         'patch_objects')} == dict(
        patch_size=800, stride=640, source_objects=7, polygons_beyond_image=1, polygons_skipped=2,
        objects_kept_in_best_patch=0, patches=5, patch_objects=9)
    image = cv2.imread(str(dota / 'DOTA' / 'train' / 'images' / 'P0001.png'))
    for name in EXPECTED_P0001:
        x0, y0 = parse_patch_name(name)[1:]
        patch = cv2.imread(str(dota / 'out' / 'train' / 'images' / f'{name}.png'))
        np.testing.assert_array_equal(patch, image[y0:y0 + 800, x0:x0 + 800])
    padded = cv2.imread(str(dota / 'out' / 'train' / 'images' / 'P0002__800__0___0.png'))
    assert padded.shape == (800, 800, 3) and not padded[500:].any()


def test_obb_defaults_are_mmrotates_1024_patches_with_200_px_overlap(dota):
    convert_dota(str(dota / 'DOTA'), str(dota / 'out'), ['train'], box_type='obb')
    report = json.loads((dota / 'out' / 'train' / 'report.json').read_text())
    assert (report['patch_size'], report['stride'], report['iof_thr']) == (1024, 824, 0.7)
    assert sorted(path.name for path in (dota / 'out' / 'train' / 'images').iterdir()) == [
        'P0001__1024__0___0.png', 'P0002__1024__0___0.png']
    with pytest.raises(ValueError, match=r"box_type \(--box-type\) must be one of \['hbb', 'obb'\], got 'rbox'"):
        convert_dota(str(dota / 'DOTA'), str(dota / 'out'), ['train'], box_type='rbox')


def source_objects(label_file):
    return sorted((tuple(obj.polygon), obj.name, obj.difficult) for obj in read_label_file(str(label_file)))


def objects_back_in_the_image(ann_dir):
    """Every patch object shifted back to its image: image name -> sorted (polygon, class, difficult)."""
    found = {}
    for name, lines in read_patches(ann_dir).items():
        image, x0, y0 = parse_patch_name(name)
        for line in lines:
            fields = line.split()
            polygon = tuple(float(v) + (y0 if i % 2 else x0) for i, v in enumerate(fields[:8]))
            found.setdefault(image, set()).add((polygon, fields[8], int(fields[9])))
    return {image: sorted(objects) for image, objects in found.items()}


def test_every_object_of_the_real_val_files_is_in_a_patch_at_the_default_setting(tmp_path, capsys):
    """The 92 objects of the three real val label files (CRLF, headers, integer corners), 1024x1024 patches at
    stride 824: P0168 (2304x1792) 3x2 patches, P0770 (1610x1358) 2x2, P1088 (1599x1903) 2x3. Shifted back, the
    patch objects are exactly the source objects; none is beyond its image."""
    real_val_split(tmp_path / 'DOTA', REAL_SIZES)
    convert_dota(str(tmp_path / 'DOTA'), str(tmp_path / 'out'), ['val'], box_type='obb')
    out, err = capsys.readouterr()
    assert 'val: 92 objects in 3 images -> 16 patches' in out and err == ''
    back = objects_back_in_the_image(tmp_path / 'out' / 'val' / 'annfiles')
    for name in REAL_SIZES:
        assert back[name] == source_objects(REAL_LABELS / f'{name}.txt')


def test_a_real_object_below_the_threshold_in_every_patch_is_kept_whole_in_its_best_patch(tmp_path, capsys):
    """P0770.txt:3, the 753x602 px ground-track-field polygon (856 696, 1469 1008, 1341 1298, 716 988), with
    600x600 patches at stride 500 (origins x 0, 500, 1000, 1010; y 0, 500, 758): no patch holds 70 % of it;
    its best patch holds the share a grid count of the polygon gives, and keeps the whole polygon."""
    real_val_split(tmp_path / 'DOTA', ['P0770'])
    convert_dota(str(tmp_path / 'DOTA'), str(tmp_path / 'out'), ['val'], box_type='obb', patch_size=600, stride=500)
    out, err = capsys.readouterr()
    polygon = [856, 696, 1469, 1008, 1341, 1298, 716, 988]
    windows = [(x0, y0, x0 + 600, y0 + 600) for y0 in (0, 500, 758) for x0 in (0, 500, 1000, 1010)]
    # independent reference: mmcv's compiled intersection of convex quadrilaterals (the polygon is in the image)
    quads = torch.tensor([[x0, y0, x1, y0, x1, y1, x0, y1] for x0, y0, x1, y1 in windows], dtype=torch.float32)
    shares = box_iou_quadri(torch.tensor([polygon], dtype=torch.float32), quads, mode='iof')[0].tolist()
    best = int(np.argmax(shares))
    assert max(shares) < 0.7
    assert (f'P0770.txt:3: the polygon [856, 696, 1469, 1008, 1341, 1298, 716, 988] reaches --iof-thr 0.7 in no '
            f'patch; kept in the patch holding {shares[best]:.0%} of it') in err
    assert '1 objects below --iof-thr 0.7 in every patch kept in their best patch' in out
    x0, y0 = windows[best][:2]
    fields = [line for line in read_patches(tmp_path / 'out' / 'val' / 'annfiles')[f'P0770__600__{x0}___{y0}']
              if 'ground-track-field' in line]
    shifted = ' '.join(str(v - (y0 if i % 2 else x0)) for i, v in enumerate(polygon))
    assert fields == [f'{shifted} ground-track-field 0']


# Written from the description of the complete DOTA-v1.0 train/val release (the real train/P1872 file is not
# available here): P1872's planes lie wholly outside their image, 23 files have "gsd:null", 4 files have no
# object, the files are CRLF and flag difficult objects with 1. Image 400x300; coordinates as the real ones
# are written (integers, or one decimal).
P1872_FIXTURE = (b'imagesource:GoogleEarth\r\ngsd:null\r\n'
                 b'420 10 470 10 470 60 420 60 plane 0\r\n'  # right of the image
                 b'500.5 320 560 320 560 380 500.5 380 plane 1\r\n'  # below-right of it
                 b'380 100 430 100 430 140 380 140 plane 0\r\n'  # reaches past the right border: 20 of 50 px inside
                 b'100 100 150 110 140 160 90 150 small-vehicle 1\r\n')
EMPTY_FIXTURE = b'imagesource:GoogleEarth\r\ngsd:0.129\r\n'


def test_the_release_quirks_crlf_gsd_null_objects_outside_no_object_and_difficult(tmp_path, capsys):
    root = write_split(tmp_path / 'DOTA' / 'train', {'P1872': (300, 400), 'P2000': (300, 400)}, {})
    (root / 'labelTxt' / 'P1872.txt').write_bytes(P1872_FIXTURE)
    (root / 'labelTxt' / 'P2000.txt').write_bytes(EMPTY_FIXTURE)
    convert_dota(str(tmp_path / 'DOTA'), str(tmp_path / 'out'), ['train'], box_type='obb', patch_size=256, stride=200)
    out, err = capsys.readouterr()
    assert err.count('has no area inside the 400x300 image, skipped') == 2
    assert 'P1872.txt:3: the polygon [420, 10, 470, 10, 470, 60, 420, 60] has no area' in err
    assert 'P1872.txt:4: the polygon [500.5, 320, 560, 320, 560, 380, 500.5, 380] has no area' in err
    assert ('P1872.txt:5: the polygon [380, 100, 430, 100, 430, 140, 380, 140] reaches beyond the 400x300 image '
            '(40% of it inside), kept as annotated') in err
    assert 'train: 4 objects in 2 images -> 8 patches, 4 patch objects; 1 polygons beyond the image' in out
    patches = read_patches(tmp_path / 'out' / 'train' / 'annfiles')
    # origins x 0, 144 and y 0, 44: the plane (x 380-430, 380-400 inside) is whole in the patches at x0 = 144
    assert len(patches) == 8 and all(patches[f'P2000__256__{x}___{y}'] == [] for x in (0, 144) for y in (0, 44))
    assert patches['P1872__256__144___0'] == ['236 100 286 100 286 140 236 140 plane 0']
    assert patches['P1872__256__144___44'] == ['236 56 286 56 286 96 236 96 plane 0']
    assert patches['P1872__256__0___0'] == ['100 100 150 110 140 160 90 150 small-vehicle 1']
    assert patches['P1872__256__0___44'] == ['100 56 150 66 140 116 90 106 small-vehicle 1']


def test_an_unlabelled_split_is_cut_from_its_images_alone(dota):
    (dota / 'DOTA' / 'test' / 'images').mkdir(parents=True)
    cv2.imwrite(str(dota / 'DOTA' / 'test' / 'images' / 'P0900.png'), np.zeros((900, 1000, 3), np.uint8))
    out = convert_dota(str(dota / 'DOTA'), str(dota / 'out'), ['train'], box_type='obb', unlabeled_splits=['test'],
                       patch_size=800, stride=640)
    assert out == [str(dota / 'out' / 'train' / 'annfiles'), str(dota / 'out' / 'test' / 'images')]
    assert sorted(path.name for path in (dota / 'out' / 'test' / 'images').iterdir()) == [
        'P0900__800__0___0.png', 'P0900__800__0___100.png', 'P0900__800__200___0.png', 'P0900__800__200___100.png']
    assert not (dota / 'out' / 'test' / 'annfiles').exists()
    assert json.loads((dota / 'out' / 'test' / 'report.json').read_text())['labeled'] is False
    with pytest.raises(FileNotFoundError, match=r"folder '.*DOTA/val/images' not found"):
        convert_dota(str(dota / 'DOTA'), str(dota / 'out2'), [], box_type='obb', unlabeled_splits=['val'])
