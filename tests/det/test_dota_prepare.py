# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""tools/dataset_converters/prepare_dota.py and DOTAHBBDataset on a generated DOTA-v1.0 split."""
import importlib.util
import json
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from gersp_mm.det import DOTA_CLASSES, DOTAHBBDataset

TOOL = Path(__file__).parents[2] / 'tools' / 'dataset_converters' / 'prepare_dota.py'


@pytest.fixture(scope='module')
def tool():
    spec = importlib.util.spec_from_file_location('prepare_dota', TOOL)
    module = importlib.util.module_from_spec(spec)
    sys.modules['prepare_dota'] = module  # worker processes unpickle its functions by this name
    spec.loader.exec_module(module)
    yield module
    del sys.modules['prepare_dota']


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


def write_split(root, images, labels):
    """Write ``root/images/<name>.png`` (random, HxW from ``images``) and ``root/labelTxt/<name>.txt``."""
    (root / 'images').mkdir(parents=True)
    (root / 'labelTxt').mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name, (height, width) in images.items():
        cv2.imwrite(str(root / 'images' / f'{name}.png'), rng.integers(0, 256, (height, width, 3), dtype=np.uint8))
    for name, lines in labels.items():
        (root / 'labelTxt' / f'{name}.txt').write_text(''.join(f'{line}\n' for line in lines))
    return root


@pytest.fixture
def dota(tmp_path):
    write_split(tmp_path / 'DOTA' / 'train', {'P0001': (900, 1000), 'P0002': (500, 600)},
                {'P0001': P0001_LINES, 'P0002': ['100 100 120 100 120 130 100 130 helicopter 0']})
    return tmp_path


def named(entry):
    return [(DOTA_CLASSES[inst['bbox_label']], inst['bbox'], inst['difficult']) for inst in entry['instances']]


def test_patch_origins_step_by_stride_and_align_the_last_patch_with_the_border(tool):
    assert tool.patch_origins(1000, 800, 640) == [0, 200]
    assert tool.patch_origins(900, 800, 640) == [0, 100]
    assert tool.patch_origins(2000, 800, 640) == [0, 640, 1200]
    assert tool.patch_origins(1440, 800, 640) == [0, 640]
    assert tool.patch_origins(1441, 800, 640) == [0, 640, 641]
    assert tool.patch_origins(800, 800, 640) == [0]
    assert tool.patch_origins(500, 800, 640) == [0]
    with pytest.raises(ValueError, match='stride'):
        tool.patch_origins(1000, 800, 900)
    assert tool.patch_windows(1000, 500, 800, 640) == [(0, 0, 800, 500), (200, 0, 1000, 500)]


def test_polygon_to_hbb(tool):
    polygons = np.array([[500, 300, 550, 350, 500, 400, 450, 350],  # a square rotated by 45 degrees
                         [10.5, 20, 30, 5, 40, 25, 20.5, 40.25],  # an arbitrary quadrilateral
                         [1, 2, 3, 2, 3, 4, 1, 4]])
    np.testing.assert_allclose(tool.polygon_to_hbb(polygons),
                               [[450, 300, 550, 400], [10.5, 5, 40, 40.25], [1, 2, 3, 4]])
    assert tool.polygon_to_hbb(np.zeros((0, 8))).shape == (0, 4)


def test_crop_boxes_keeps_clips_and_drops_by_area_inside(tool):
    boxes = np.array([[10, 10, 50, 50],  # inside
                      [90, 0, 110, 10],  # half inside: 0.5
                      [70, 0, 110, 10],  # 3/4 inside
                      [100, 0, 120, 10],  # touching the border: no area inside
                      [200, 200, 300, 300]])  # outside
    keep, clipped = tool.crop_boxes(boxes, (0, 0, 100, 100), iof_thr=0.7)
    assert keep.tolist() == [0, 2]
    np.testing.assert_allclose(clipped, [[10, 10, 50, 50], [70, 0, 100, 10]])
    keep, clipped = tool.crop_boxes(boxes, (50, 0, 150, 100), iof_thr=0.5)
    assert keep.tolist() == [1, 2, 3]
    np.testing.assert_allclose(clipped, [[40, 0, 60, 10], [20, 0, 60, 10], [50, 0, 70, 10]])


def test_read_label_file_skips_headers_and_blank_lines(tool, tmp_path):
    path = tmp_path / 'P0001.txt'
    path.write_bytes(b'imagesource:GoogleEarth\r\ngsd:null\r\n\r\n1 2 3 4 5 6 7 8.5 plane 1\r\n')
    assert tool.read_label_file(str(path)) == [tool.LabelLine((1, 2, 3, 4, 5, 6, 7, 8.5), 'plane', 1, 4)]


@pytest.mark.parametrize('line, message', [
    ('1 2 3 4 5 6 7 8 plane', 'expected 10 fields'),
    ('1 2 3 4 5 6 7 8 small vehicle 0', 'expected 10 fields'),
    ('1 2 three 4 5 6 7 8 plane 0', 'the first 8 fields must be finite numbers'),
    ('1 2 3 4 5 6 nan 8 plane 0', 'the first 8 fields must be finite numbers'),
    ('1 2 3 4 5 6 7 8 plane 2', 'the difficult flag must be 0 or 1'),
])
def test_malformed_lines_are_errors_naming_file_and_line(tool, tmp_path, line, message):
    path = tmp_path / 'P0009.txt'
    path.write_text(f'imagesource:GoogleEarth\ngsd:0.1\n1 2 3 4 5 6 7 8 plane 0\n{line}\n')
    with pytest.raises(ValueError, match=rf'P0009\.txt:4: {message}'):
        tool.read_label_file(str(path))


def test_conversion_writes_the_patches_and_their_boxes(tool, dota, capsys):
    tool.main([str(dota / 'DOTA'), str(dota / 'out'), '--splits', 'train'])
    ann = json.loads((dota / 'out' / 'train' / 'annotations.json').read_text())
    assert ann['metainfo']['classes'] == list(DOTA_CLASSES)
    assert (ann['metainfo']['patch_size'], ann['metainfo']['stride'], ann['metainfo']['iof_thr']) == (800, 640, 0.7)
    entries = {(entry['source_image'], tuple(entry['patch_origin'])): entry for entry in ann['data_list']}
    assert list(entries) == [('P0001', (0, 0)), ('P0001', (200, 0)), ('P0001', (0, 100)), ('P0001', (200, 100)),
                             ('P0002', (0, 0))]
    for origin, expected in EXPECTED_P0001.items():
        assert named(entries['P0001', origin]) == [(name, [float(v) for v in box], d) for name, box, d in expected]
    assert named(entries['P0002', (0, 0)]) == [('helicopter', [100.0, 100.0, 120.0, 130.0], 0)]
    assert 'P0001.txt:7: box has no area inside the 1000x900 image, skipped' in capsys.readouterr().err

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


def test_several_processes_give_the_same_result(tool, dota):
    tool.main([str(dota / 'DOTA'), str(dota / 'one'), '--splits', 'train'])
    tool.main([str(dota / 'DOTA'), str(dota / 'two'), '--splits', 'train', '--nproc', '2'])
    one, two = ((dota / out / 'train' / 'annotations.json').read_text() for out in ('one', 'two'))
    assert one == two


def test_dataset_reads_the_patches(tool, dota):
    tool.main([str(dota / 'DOTA'), str(dota / 'out'), '--splits', 'train'])
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


def test_dataset_errors(tool, dota):
    kwargs = dict(data_root=str(dota / 'out'), ann_file='train/annotations.json', pipeline=[])
    with pytest.raises(FileNotFoundError, match=r'train/annotations\.json.*prepare_dota\.py'):
        DOTAHBBDataset(**kwargs)
    tool.main([str(dota / 'DOTA'), str(dota / 'out'), '--splits', 'train'])
    ann_file = dota / 'out' / 'train' / 'annotations.json'
    ann = json.loads(ann_file.read_text())
    ann_file.write_text(json.dumps(dict(ann, metainfo=dict(classes=['plane', 'ship']))))
    with pytest.raises(ValueError, match=r"annotations\.json was written for the classes \('plane', 'ship'\)"):
        DOTAHBBDataset(**kwargs)
    ann['data_list'][1]['instances'][0]['bbox_label'] = 15
    ann_file.write_text(json.dumps(ann))
    with pytest.raises(ValueError, match=r'data_list\[1\] is malformed'):
        DOTAHBBDataset(**kwargs)


def test_unknown_classes_are_listed_before_anything_is_cut(tool, dota):
    write_split(dota / 'DOTA' / 'val', {'P0100': (100, 100)},
                {'P0100': ['1 1 9 1 9 9 1 9 container-crane 0', '1 1 9 1 9 9 1 9 plane 0', '1 1 9 1 9 9 1 9 car 1',
                           '2 2 8 2 8 8 2 8 car 0']})
    with pytest.raises(ValueError, match=r"unknown class names .*'container-crane' \(1x, first at .*P0100\.txt:1\); "
                                         r"'car' \(2x, first at .*P0100\.txt:3\)"):
        tool.main([str(dota / 'DOTA'), str(dota / 'out')])
    assert not (dota / 'out').exists()


def test_missing_inputs_are_errors(tool, dota):
    with pytest.raises(FileNotFoundError, match=r"folder '.*DOTA/val/images' not found"):
        tool.main([str(dota / 'DOTA'), str(dota / 'out'), '--splits', 'train', 'val'])
    (dota / 'DOTA' / 'train' / 'labelTxt' / 'P0002.txt').unlink()
    with pytest.raises(FileNotFoundError, match=r"1 files in '.*train/images' have no label file: \['P0002'\]"):
        tool.main([str(dota / 'DOTA'), str(dota / 'out'), '--splits', 'train'])
    (dota / 'DOTA' / 'train' / 'images' / 'P0002.png').unlink()
    (dota / 'DOTA' / 'train' / 'images' / 'P0001.png').unlink()
    with pytest.raises(FileNotFoundError, match=r"have no \.png image: \['P0001'\]"):
        tool.main([str(dota / 'DOTA'), str(dota / 'out'), '--splits', 'train'])
    with pytest.raises(FileNotFoundError, match='DOTA root'):
        tool.main([str(dota / 'nowhere'), str(dota / 'out')])


def test_command_line_help_and_argument_checks(tool, capsys):
    with pytest.raises(SystemExit) as exit_info:
        tool.parse_args(['--help'])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert 'Examples' in out and 'prepare_dota.py data/DOTA data/DOTA/split_800_640' in out
    for bad in (['--stride', '900'], ['--iof-thr', '0'], ['--iof-thr', '1.5']):
        with pytest.raises(SystemExit):
            tool.parse_args(['src', 'dst', *bad])


def test_the_dota_configs_read_the_converter_output(tool, dota):
    """The data settings of configs/det/*_dota.py match the layout the converter writes."""
    from mmdet.registry import DATASETS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    write_split(dota / 'DOTA' / 'val', {'P0100': (700, 900)}, {'P0100': ['1 1 30 1 30 20 1 20 plane 0']})
    tool.main([str(dota / 'DOTA'), str(dota / 'split_800_640')])
    cfg = Config.fromfile(str(TOOL.parents[2] / 'configs' / 'det' / 'retinanet_r50-gersp_fpn_2x_dota.py'))
    init_default_scope('mmdet')
    for loader, num_patches in ((cfg.train_dataloader, 5), (cfg.val_dataloader, 2)):
        loader.dataset.data_root = str(dota / 'split_800_640') + '/'
        dataset = DATASETS.build(loader.dataset)
        assert len(dataset) == num_patches
        sample = dataset[0]
        assert sample['inputs'].shape[-2:] == (800, 800)
        assert len(sample['data_samples'].gt_instances) > 0
