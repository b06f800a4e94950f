# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The DOTA-v1.0 patch converter (gersp_mm.det.converters, tools/dataset_converters/prepare_dota.py) and
DOTAHBBDataset, on generated splits and on real DOTA-v1.0 val label files."""
import json

import cv2
import numpy as np
import pytest

from gersp_mm.det import DOTA_CLASSES, DOTAHBBDataset
from gersp_mm.det.converters import convert_dota, prepare_dota
from gersp_mm.det.converters.box_arrays import clip_boxes, polygon_to_hbb
from gersp_mm.det.converters.dota_labels import LabelLine, read_label_file
from gersp_mm.det.converters.patch_assignment import assign_to_patches, inside_fractions
from gersp_mm.det.converters.patch_grid import patch_origins, patch_windows
from tests.det.dota_helpers import REAL_SIZES, real_val_split, write_split
from tests.helpers import ROOT, run_main

LABEL = {name: index for index, name in enumerate(DOTA_CLASSES)}
# P0001 is 1000 wide, 900 high: patch origins x in (0, 200), y in (0, 100)
P0001_LINES = [
    'imagesource:GoogleEarth',
    'gsd:0.146343590398',
    '10 10 60 10 60 60 10 60 plane 0',  # line 3: inside the first patch only
    '500 300 550 350 500 400 450 350 ship 1',  # line 4: rotated square, box 450 300 550 400, in all patches
    '740 20 840 20 840 70 740 70 small-vehicle 0',  # line 5: 60% inside x < 800, whole in x >= 200
    '170 820 270 820 270 860 170 860 large-vehicle 0',  # line 6: 70% inside x >= 200, whole in x < 800
    '1100 10 1150 10 1150 40 1100 40 harbor 0',  # line 7: outside the image
    '950 500 1050 500 1050 540 950 540 bridge 0',  # line 8: half outside the image on the right
]
EXPECTED_P0001 = {
    (0, 0): [('plane', [10, 10, 60, 60], 0), ('ship', [450, 300, 550, 400], 1)],
    (200, 0): [('ship', [250, 300, 350, 400], 1), ('small-vehicle', [540, 20, 640, 70], 0),
               ('bridge', [750, 500, 800, 540], 0)],
    (0, 100): [('ship', [450, 200, 550, 300], 1), ('large-vehicle', [170, 720, 270, 760], 0)],
    (200, 100): [('ship', [250, 200, 350, 300], 1), ('large-vehicle', [0, 720, 70, 760], 0),
                 ('bridge', [750, 400, 800, 440], 0)],
}


@pytest.fixture
def dota(tmp_path):
    write_split(tmp_path / 'DOTA' / 'train', {'P0001': (900, 1000), 'P0002': (500, 600)},
                {'P0001': P0001_LINES, 'P0002': ['100 100 120 100 120 130 100 130 helicopter 0']})
    return tmp_path


def named(entry):
    return [(DOTA_CLASSES[inst['bbox_label']], inst['bbox'], inst['difficult']) for inst in entry['instances']]


def test_patch_origins_step_by_stride_and_align_the_last_patch_with_the_border():
    assert patch_origins(1000, 800, 640) == [0, 200]
    assert patch_origins(900, 800, 640) == [0, 100]
    assert patch_origins(2000, 800, 640) == [0, 640, 1200]
    assert patch_origins(1440, 800, 640) == [0, 640]
    assert patch_origins(1441, 800, 640) == [0, 640, 641]
    assert patch_origins(800, 800, 640) == [0]
    assert patch_origins(500, 800, 640) == [0]
    with pytest.raises(ValueError, match='stride'):
        patch_origins(1000, 800, 900)
    assert patch_windows(1000, 500, 800, 640) == [(0, 0, 800, 500), (200, 0, 1000, 500)]


def test_polygon_to_hbb():
    polygons = np.array([[500, 300, 550, 350, 500, 400, 450, 350],  # a square rotated by 45 degrees
                         [10.5, 20, 30, 5, 40, 25, 20.5, 40.25],  # an arbitrary quadrilateral
                         [1, 2, 3, 2, 3, 4, 1, 4]])
    np.testing.assert_allclose(polygon_to_hbb(polygons),
                               [[450, 300, 550, 400], [10.5, 5, 40, 40.25], [1, 2, 3, 4]])
    assert polygon_to_hbb(np.zeros((0, 8))).shape == (0, 4)


def test_inside_fractions_and_clipping():
    boxes = np.array([[10, 10, 50, 50],  # inside
                      [90, 0, 110, 10],  # half inside: 0.5
                      [70, 0, 110, 10],  # 3/4 inside
                      [100, 0, 120, 10],  # touching the border: no area inside
                      [200, 200, 300, 300]])  # outside
    np.testing.assert_allclose(inside_fractions(boxes, [(0, 0, 100, 100), (50, 0, 150, 100)]),
                               [[1, 0.5, 0.75, 0, 0], [0, 1, 1, 1, 0]])
    np.testing.assert_allclose(clip_boxes(boxes[:3], (50, 0, 150, 100)),
                               [[50, 10, 50, 50], [90, 0, 110, 10], [70, 0, 110, 10]])
    assert inside_fractions(np.zeros((0, 4)), [(0, 0, 9, 9)]).shape == (1, 0)


def test_assign_keeps_by_threshold_and_an_object_below_it_everywhere_in_its_best_patch():
    windows = [(0, 0, 100, 100), (60, 0, 160, 100), (120, 0, 220, 100)]
    boxes = np.array([[10, 10, 50, 50],  # 1.0 in patch 0 only
                      [70, 0, 110, 10],  # 0.75, 1.0, 0: patches 0 and 1
                      [20, 0, 180, 50],  # 160 wide: 0.5, 0.625, 0.375: below 0.7 everywhere, best is patch 1
                      [0, 0, 220, 100],  # the whole image: 100/220 in patches 0, 1, 2 alike: the first one
                      [140, 0, 210, 40]])  # 0, 20/70, 1.0: patch 2
    keep, rescued, fractions = assign_to_patches(boxes, windows, iof_thr=0.7)
    assert keep.tolist() == [[True, True, False, True, False],
                             [False, True, True, False, False],
                             [False, False, False, False, True]]
    assert rescued.tolist() == [2, 3]
    np.testing.assert_allclose(fractions, [100 / 160, 100 / 220])
    keep, rescued, _ = assign_to_patches(boxes, windows, iof_thr=0.3)
    assert rescued.tolist() == [] and keep[:, 2].tolist() == [True, True, True]
    empty = assign_to_patches(np.zeros((0, 4)), windows, iof_thr=0.7)
    assert empty[0].shape == (3, 0) and empty[1].size == 0


def test_read_label_file_skips_headers_and_blank_lines(tmp_path):
    path = tmp_path / 'P0001.txt'
    path.write_bytes(b'imagesource:GoogleEarth\r\ngsd:null\r\n\r\n1 2 3 4 5 6 7 8.5 plane 1\r\n')
    assert read_label_file(str(path)) == [
        LabelLine((1, 2, 3, 4, 5, 6, 7, 8.5), 'plane', 1, 4)]


@pytest.mark.parametrize('line, message', [
    ('1 2 3 4 5 6 7 8 plane', 'expected 10 fields'),
    ('1 2 3 4 5 6 7 8 small vehicle 0', 'expected 10 fields'),
    ('1 2 three 4 5 6 7 8 plane 0', 'the first 8 fields must be finite numbers'),
    ('1 2 3 4 5 6 nan 8 plane 0', 'the first 8 fields must be finite numbers'),
    ('1 2 3 4 5 6 7 8 plane 2', 'the difficult flag must be 0 or 1'),
])
def test_malformed_lines_are_errors_naming_file_and_line(tmp_path, line, message):
    path = tmp_path / 'P0009.txt'
    path.write_text(f'imagesource:GoogleEarth\ngsd:0.1\n1 2 3 4 5 6 7 8 plane 0\n{line}\n')
    with pytest.raises(ValueError, match=rf'P0009\.txt:4: {message}'):
        read_label_file(str(path))


def test_conversion_writes_the_patches_and_their_boxes(dota, capsys):
    convert_dota(str(dota / 'DOTA'), str(dota / 'out'), ['train'])
    ann = json.loads((dota / 'out' / 'train' / 'annotations.json').read_text())
    assert ann['metainfo']['classes'] == list(DOTA_CLASSES)
    assert (ann['metainfo']['patch_size'], ann['metainfo']['stride'], ann['metainfo']['iof_thr']) == (800, 640, 0.7)
    entries = {(entry['source_image'], tuple(entry['patch_origin'])): entry for entry in ann['data_list']}
    assert list(entries) == [('P0001', (0, 0)), ('P0001', (200, 0)), ('P0001', (0, 100)), ('P0001', (200, 100)),
                             ('P0002', (0, 0))]
    for origin, expected in EXPECTED_P0001.items():
        assert named(entries['P0001', origin]) == [(name, [float(v) for v in box], d) for name, box, d in expected]
    assert named(entries['P0002', (0, 0)]) == [('helicopter', [100.0, 100.0, 120.0, 130.0], 0)]
    out, err = capsys.readouterr()
    assert 'P0001.txt:7: the box [1100, 10, 1150, 40] has no area inside the 1000x900 image, skipped' in err
    assert ('P0001.txt:8: the box [950, 500, 1050, 540] reaches beyond the 1000x900 image, clipped to '
            '[950, 500, 1000, 540]') in err
    assert ('train: 7 objects in 2 images -> 5 patches, 11 patch objects; 1 boxes clipped to the image, 1 boxes '
            'skipped (no area in the image), 0 objects below --iof-thr 0.7 in every patch kept in their best '
            'patch') in out
    assert (ann['metainfo']['boxes_clipped_to_image'], ann['metainfo']['boxes_skipped'],
            ann['metainfo']['objects_kept_in_best_patch'], ann['metainfo']['source_objects']) == (1, 1, 0, 7)

    image = cv2.imread(str(dota / 'DOTA' / 'train' / 'images' / 'P0001.png'))
    for (name, (x0, y0)), entry in entries.items():
        assert entry['img_id'] == f'{name}__{x0}__{y0}' and entry['file_name'] == f'{name}__{x0}__{y0}.png'
        assert (entry['width'], entry['height']) == (800, 800)
        patch = cv2.imread(str(dota / 'out' / 'train' / 'images' / entry['file_name']))
        assert patch.shape == (800, 800, 3)
        if name == 'P0001':
            np.testing.assert_array_equal(patch, image[y0:y0 + 800, x0:x0 + 800])
    small = cv2.imread(str(dota / 'DOTA' / 'train' / 'images' / 'P0002.png'))
    padded = cv2.imread(str(dota / 'out' / 'train' / 'images' / 'P0002__0__0.png'))
    np.testing.assert_array_equal(padded[:500, :600], small)
    assert not padded[500:].any() and not padded[:, 600:].any()


def test_several_processes_give_the_same_result(dota):
    convert_dota(str(dota / 'DOTA'), str(dota / 'one'), ['train'])
    convert_dota(str(dota / 'DOTA'), str(dota / 'two'), ['train'], nproc=2)
    one, two = ((dota / out / 'train' / 'annotations.json').read_text() for out in ('one', 'two'))
    assert one == two


def test_dataset_reads_the_patches(dota):
    convert_dota(str(dota / 'DOTA'), str(dota / 'out'), ['train'])
    kwargs = dict(data_root=str(dota / 'out'), ann_file='train/annotations.json',
                  data_prefix=dict(img='train/images/'), pipeline=[])
    test = DOTAHBBDataset(test_mode=True, **kwargs)
    assert len(test) == 5
    first = test[0]
    assert first['img_path'] == str(dota / 'out' / 'train' / 'images' / 'P0001__0__0.png')
    assert [(inst['bbox'], inst['bbox_label'], inst['ignore_flag']) for inst in first['instances']] == [
        ([10.0, 10.0, 60.0, 60.0], LABEL['plane'], 0), ([450.0, 300.0, 550.0, 400.0], LABEL['ship'], 1)]
    kept = DOTAHBBDataset(difficult_as_ignore=False, **kwargs)[0]
    assert [inst['ignore_flag'] for inst in kept['instances']] == [0, 0]

    ann_file = dota / 'out' / 'train' / 'annotations.json'
    ann = json.loads(ann_file.read_text())
    ann['data_list'].append(dict(ann['data_list'][-1], img_id='P0003__0__0', file_name='P0003__0__0.png',
                                 instances=[]))
    ann_file.write_text(json.dumps(ann))
    assert len(DOTAHBBDataset(test_mode=True, **kwargs)) == 6
    assert len(DOTAHBBDataset(filter_cfg=dict(filter_empty_gt=True), **kwargs)) == 5


def test_dataset_errors(dota):
    kwargs = dict(data_root=str(dota / 'out'), ann_file='train/annotations.json', pipeline=[])
    with pytest.raises(FileNotFoundError, match=r'train/annotations\.json.*prepare_dota\.py'):
        DOTAHBBDataset(**kwargs)
    convert_dota(str(dota / 'DOTA'), str(dota / 'out'), ['train'])
    ann_file = dota / 'out' / 'train' / 'annotations.json'
    ann = json.loads(ann_file.read_text())
    ann_file.write_text(json.dumps(dict(ann, metainfo=dict(classes=['plane', 'ship']))))
    with pytest.raises(ValueError, match=r"annotations\.json was written for the classes \('plane', 'ship'\)"):
        DOTAHBBDataset(**kwargs)
    ann['data_list'][1]['instances'][0]['bbox_label'] = 15
    ann_file.write_text(json.dumps(ann))
    with pytest.raises(ValueError, match=r'data_list\[1\] is malformed'):
        DOTAHBBDataset(**kwargs)


def test_unknown_classes_are_listed_before_anything_is_cut(dota):
    write_split(dota / 'DOTA' / 'val', {'P0100': (100, 100)},
                {'P0100': ['1 1 9 1 9 9 1 9 container-crane 0', '1 1 9 1 9 9 1 9 plane 0', '1 1 9 1 9 9 1 9 car 1',
                           '2 2 8 2 8 8 2 8 car 0']})
    with pytest.raises(ValueError, match=r"unknown class names .*'container-crane' \(1x, first at .*P0100\.txt:1\); "
                                         r"'car' \(2x, first at .*P0100\.txt:3\)"):
        convert_dota(str(dota / 'DOTA'), str(dota / 'out'))
    assert not (dota / 'out').exists()


def test_missing_inputs_are_errors(dota):
    with pytest.raises(FileNotFoundError, match=r"folder '.*DOTA/val/images' not found"):
        convert_dota(str(dota / 'DOTA'), str(dota / 'out'), ['train', 'val'])
    (dota / 'DOTA' / 'train' / 'labelTxt' / 'P0002.txt').unlink()
    with pytest.raises(FileNotFoundError, match=r"1 files in '.*train/images' have no label file: \['P0002'\]"):
        convert_dota(str(dota / 'DOTA'), str(dota / 'out'), ['train'])
    (dota / 'DOTA' / 'train' / 'images' / 'P0002.png').unlink()
    (dota / 'DOTA' / 'train' / 'images' / 'P0001.png').unlink()
    with pytest.raises(FileNotFoundError, match=r"have no \.png image: \['P0001'\]"):
        convert_dota(str(dota / 'DOTA'), str(dota / 'out'), ['train'])
    with pytest.raises(FileNotFoundError, match='DOTA root'):
        convert_dota(str(dota / 'nowhere'), str(dota / 'out'))


@pytest.mark.parametrize('options, message', [(dict(stride=900), 'expected 0 < stride <= patch_size'),
                                             (dict(iof_thr=0), r'must be in \(0, 1\], got 0'),
                                             (dict(iof_thr=1.5), r'must be in \(0, 1\], got 1.5')])
def test_wrong_options_are_errors_before_anything_is_read(tmp_path, options, message):
    with pytest.raises(ValueError, match=message):
        convert_dota(str(tmp_path / 'nowhere'), str(tmp_path / 'out'), **options)


def test_command_line_conversion(dota):
    result = run_main(prepare_dota.main, dota / 'DOTA', dota / 'out', '--splits', 'train', '--patch-size', '600',
                      '--stride', '500')
    assert result.returncode == 0, result.stderr
    assert 'P0001.txt:7: the box [1100, 10, 1150, 40] has no area inside the 1000x900 image, skipped' in result.stderr
    ann = json.loads((dota / 'out' / 'train' / 'annotations.json').read_text())
    assert (ann['metainfo']['patch_size'], ann['metainfo']['stride']) == (600, 500)


def test_the_dota_configs_read_the_converter_output(dota):
    """The data settings of configs/det/*_dota.py match the layout the converter writes."""
    from mmdet.registry import DATASETS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    write_split(dota / 'DOTA' / 'val', {'P0100': (700, 900)}, {'P0100': ['1 1 30 1 30 20 1 20 plane 0']})
    convert_dota(str(dota / 'DOTA'), str(dota / 'split_800_640'))
    cfg = Config.fromfile(str(ROOT / 'configs' / 'det' / 'retinanet_r50-gersp_fpn_2x_dota.py'))
    init_default_scope('mmdet')
    for loader, num_patches in ((cfg.train_dataloader, 5), (cfg.val_dataloader, 2)):
        loader.dataset.data_root = str(dota / 'split_800_640') + '/'
        dataset = DATASETS.build(loader.dataset)
        assert len(dataset) == num_patches
        sample = dataset[0]
        assert sample['inputs'].shape[-2:] == (800, 800)
        assert len(sample['data_samples'].gt_instances) > 0


def test_a_real_object_below_the_threshold_in_every_patch_is_kept_in_its_best_patch(tmp_path, capsys):
    """P0770.txt:3, a 753x602 px ground-track-field (HBB x 716-1469, y 696-1298) in a 1610x1358 image, with
    600x600 patches at stride 500: origins x 0, 500, 1000, 1010 and y 0, 500, 758. The patches hold at most
    469 of its columns (x0 = 1000: 1000-1469; x0 = 1010: 459; x0 = 500: 384) and 540 of its rows (y0 = 758:
    758-1298; y0 = 500: 404), so no patch reaches 0.7 and its best patch is (1000, 758), holding
    469 * 540 / (753 * 602) = 55.9 % of it."""
    real_val_split(tmp_path / 'DOTA', ['P0770'])
    convert_dota(str(tmp_path / 'DOTA'), str(tmp_path / 'out'), ['val'], patch_size=600, stride=500)
    out, err = capsys.readouterr()
    assert ('P0770.txt:3: the box [716, 696, 1469, 1298] reaches --iof-thr 0.7 in no patch; kept, clipped, in the '
            'patch holding 56% of it') in err
    assert '1 objects below --iof-thr 0.7 in every patch kept in their best patch' in out
    ann = json.loads((tmp_path / 'out' / 'val' / 'annotations.json').read_text())
    entries = {tuple(entry['patch_origin']): entry for entry in ann['data_list']}
    assert len(entries) == 12 and ann['metainfo']['objects_kept_in_best_patch'] == 1
    ground_track_fields = [(origin, box) for origin, entry in entries.items()
                           for name, box, _ in named(entry) if name == 'ground-track-field']
    assert ground_track_fields == [((1000, 758), [0.0, 0.0, 469.0, 540.0])]  # x 1000-1469, y 758-1298
    assert ann['metainfo']['source_objects'] == 22


def test_the_real_val_files_keep_every_object_at_the_paper_setting(tmp_path, capsys):
    """All 92 objects of the three real val images reach 70 % in some 800x800 patch (stride 640); none is
    beyond its image, so nothing is clipped, skipped or rescued."""
    real_val_split(tmp_path / 'DOTA', REAL_SIZES)
    convert_dota(str(tmp_path / 'DOTA'), str(tmp_path / 'out'), ['val'])
    out, err = capsys.readouterr()
    assert ('val: 92 objects in 3 images -> 27 patches' in out and '0 boxes clipped to the image, 0 boxes skipped'
            in out and '0 objects below --iof-thr 0.7 in every patch' in out), out
    assert err == ''


def test_dataset_fixes_boxes_beyond_their_patch_and_refuses_inverted_ones(dota):
    convert_dota(str(dota / 'DOTA'), str(dota / 'out'), ['train'])
    ann_file = dota / 'out' / 'train' / 'annotations.json'
    ann = json.loads(ann_file.read_text())
    instances = ann['data_list'][0]['instances']  # P0001__0__0: plane, ship
    instances[0]['bbox'] = [790.0, 10.0, 830.0, 60.0]  # beyond the 800x800 patch
    instances[1]['bbox'] = [450.0, 300.0, 450.0, 400.0]  # zero width
    ann_file.write_text(json.dumps(ann))
    kwargs = dict(data_root=str(dota / 'out'), ann_file='train/annotations.json', pipeline=[], test_mode=True)
    dataset = DOTAHBBDataset(**kwargs)
    assert [inst['bbox'] for inst in dataset[0]['instances']] == [[790.0, 10.0, 800.0, 60.0],
                                                                  [449.0, 300.0, 450.0, 400.0]]
    assert [fix.describe() for fix in dataset.box_fixes] == [
        'P0001__0__0 obj 0 [790, 10, 830, 60] -> [790, 10, 800, 60]',
        'P0001__0__0 obj 1 [450, 300, 450, 400] -> [449, 300, 450, 400]']
    instances[1]['bbox'] = [450.0, 400.0, 550.0, 300.0]
    ann_file.write_text(json.dumps(ann))
    with pytest.raises(ValueError, match=r'data_list\[0\] is malformed: inverted box \[450\.0, 400\.0, 550'):
        DOTAHBBDataset(**kwargs)
    instances[1]['bbox'] = [850.0, 300.0, 900.0, 400.0]
    ann_file.write_text(json.dumps(ann))
    with pytest.raises(ValueError, match=r'data_list\[0\] is malformed: the box .* entirely outside the 800x800 patch'):
        DOTAHBBDataset(**kwargs)
