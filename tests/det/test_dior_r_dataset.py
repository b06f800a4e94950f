# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""DIORRDataset on the eleven real DIOR-R XMLs of tests/data/det/dior_r (LF endings, <robndbox> corners and
<angle>, zero-area polygons, corners far outside the image, an 800x787 image), checked against mmrotate's own
DIORDataset and against the XML text read with regular expressions."""
import re
import uuid
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope
from mmrotate.datasets import DIORDataset as MMRotateDIORDataset
from mmrotate.registry import DATASETS
from mmrotate.structures.bbox import QuadriBoxes

from gersp_mm.det.rotated import DIORRDataset
from tests.det.dior_helpers import REAL_DIOR_ANNOTATIONS, write_dior

REAL_DIOR_R = Path(__file__).parents[1] / 'data' / 'det' / 'dior_r' / 'Annotations' / 'Oriented Bounding Boxes'
TRAINVAL_IDS = ('00001', '00002', '00013', '00740', '01072', '04137', '07007')
TEST_IDS = ('11726', '15504', '20279', '23463')
# the zero-area polygons of these files (object index, corners as written)
ZERO_AREA = {('04137', 13): [162, 329, 162, 330, 162, 330, 162, 329],
             ('07007', 36): [529, 485, 529, 485, 528, 485, 528, 485],
             ('15504', 19): [530, 330, 530, 330, 530, 330, 530, 330]}
CORNERS = ('x_left_top', 'y_left_top', 'x_right_top', 'y_right_top',
           'x_right_bottom', 'y_right_bottom', 'x_left_bottom', 'y_left_bottom')


def real_xmls(ids=TRAINVAL_IDS + TEST_IDS):
    return {img_id: (REAL_DIOR_R / f'{img_id}.xml').read_bytes() for img_id in ids}


def write_dior_r(root: Path, xmls=None) -> Path:
    """The real XMLs in the release layout: train = the trainval ids, val = none, test = the test ids."""
    return write_dior(root, xmls or real_xmls(), dict(train=TRAINVAL_IDS, val=[], test=TEST_IDS), layout='oriented')


def objects_in_text(data: bytes):
    """(name, corners) of every <object> of an XML, read with regular expressions (not ElementTree)."""
    found = []
    for block in re.findall(rb'<object>(.*?)</object>', data, re.S):
        name = re.search(rb'<name>([^<]+)</name>', block).group(1).decode()
        corners = [float(re.search(rf'<{key}>([^<]+)</{key}>'.encode(), block).group(1)) for key in CORNERS]
        found.append((name, corners))
    return found


def shoelace_area(polygon):
    xs, ys = np.asarray(polygon[0::2]), np.asarray(polygon[1::2])
    return 0.5 * abs(float(np.dot(xs, np.roll(ys, -1)) - np.dot(ys, np.roll(xs, -1))))


@pytest.fixture(scope='module')
def dior_r_root(tmp_path_factory):
    """The real XMLs in the release layout, shared by the tests that only read it."""
    return write_dior_r(tmp_path_factory.mktemp('dior_r') / 'DIOR')


def build(root, **kwargs):
    return DIORRDataset(data_root=str(root), pipeline=[], **kwargs)


def test_the_real_files_have_the_quirks_the_tests_rely_on():
    xmls = real_xmls()
    for img_id, data in xmls.items():
        assert b'\r' not in data and b'<robndbox>' in data and b'<angle>' in data, img_id  # LF, not the HBB CRLF
        assert data.count(b'<difficult>0</difficult>') == data.count(b'<object>'), img_id
        assert b'<bndbox>' not in data, img_id
    assert b'<height>787</height>' in xmls['01072']
    for (img_id, index), corners in ZERO_AREA.items():
        assert objects_in_text(xmls[img_id])[index][1] == corners
    # corners outside the 800x800 image, up to 232 and 254 px
    assert min(min(corners) for _, corners in objects_in_text(xmls['00740'])) == -232
    assert max(max(corners) for _, corners in objects_in_text(xmls['20279'])) == 1054
    # the four files also in the horizontal-box release hold the same objects (in another order)
    for img_id in ('00002', '00013', '11726', '23463'):
        hbb_names = re.findall(rb'<name>([^<]+)</name>', (REAL_DIOR_ANNOTATIONS / f'{img_id}.xml').read_bytes())
        assert sorted(name for name, _ in objects_in_text(xmls[img_id])) == sorted(n.decode() for n in hbb_names)


def test_every_object_is_loaded_as_written_but_the_zero_area_polygons(dior_r_root):
    """Against the XML text: every object, its class (case-insensitively) and its corners in file order."""
    classes = [name.lower() for name in DIORRDataset.METAINFO['classes']]
    datasets = (build(dior_r_root, split='trainval'), build(dior_r_root, split='test', test_mode=True))
    infos = {info['img_id']: info for dataset in datasets for info in dataset}
    assert sorted(infos) == sorted(TRAINVAL_IDS + TEST_IDS)
    total = 0
    for img_id, data in real_xmls().items():
        expected = objects_in_text(data)
        instances = infos[img_id]['instances']
        assert [classes[inst['bbox_label']] for inst in instances] == [name.lower() for name, _ in expected]
        for index, (inst, (_, corners)) in enumerate(zip(instances, expected)):
            if (img_id, index) not in ZERO_AREA:
                assert inst['bbox'] == corners, (img_id, index)
            assert inst['ignore_flag'] == 0
        total += len(instances)
    assert total == 376 == sum(data.count(b'<object>') for data in real_xmls().values())


def test_the_same_polygons_as_mmrotates_own_dataset_but_the_zero_area_ones(dior_r_root):
    """mmrotate's DIORDataset (one ann_file and one image folder per dataset) as the reference."""
    init_default_scope('mmrotate')
    ours = {info['img_id']: info for info in build(dior_r_root, split='train')}
    theirs = MMRotateDIORDataset(data_root=str(dior_r_root), ann_file='ImageSets/Main/train.txt',
                                 data_prefix=dict(img_path='JPEGImages-trainval'), pipeline=[])
    assert len(theirs) == len(TRAINVAL_IDS)
    for info in theirs:
        mine = ours[info['img_id']]
        assert (mine['width'], mine['height'], mine['img_path']) == (info['width'], info['height'], info['img_path'])
        assert [inst['bbox_label'] for inst in mine['instances']] == [inst['bbox_label'] for inst in info['instances']]
        for index, (a, b) in enumerate(zip(mine['instances'], info['instances'])):
            if (info['img_id'], index) in ZERO_AREA:
                assert shoelace_area(b['bbox']) == 0 and shoelace_area(a['bbox']) > 0  # passed on by mmrotate
            else:
                assert np.array_equal(np.float32(a['bbox']), b['bbox']), (info['img_id'], index)


def test_zero_area_polygons_are_widened_and_named_in_one_log_line(dior_r_root):
    # a new MMLogger is mmengine's current one, where print_log(logger='current') writes
    log_file = dior_r_root.parent / f'{uuid.uuid4().hex}.log'
    logger = MMLogger.get_instance(f'dior_r_{uuid.uuid4().hex}', log_file=str(log_file))
    datasets = (build(dior_r_root, split='trainval'), build(dior_r_root, split='test', test_mode=True))
    for handler in logger.handlers:
        handler.flush()
    fixes = [fix for dataset in datasets for fix in dataset.box_fixes]
    assert [(fix.source, fix.index) for fix in fixes] == [(f'{i}.xml', n) for i, n in ZERO_AREA]
    assert all(fix.widened and not fix.clipped for fix in fixes)
    lines = [line for line in log_file.read_text().splitlines() if 'zero-area' in line]
    assert len(lines) == 2  # one per dataset
    assert '2 zero-area polygons widened to 1 px: 04137.xml obj 13 [162, 329, 162, 330, 162, 330, 162, 329] -> ' \
           '[162.5, 329, 162.5, 330, 161.5, 330, 161.5, 329], 07007.xml obj 36' in lines[0]
    assert "DIORRDataset (split 'test'): 1 zero-area polygons widened to 1 px: 15504.xml obj 19" in lines[1]
    infos = {info['img_id']: info for dataset in datasets for info in dataset}
    for (img_id, index), corners in ZERO_AREA.items():
        widened = infos[img_id]['instances'][index]['bbox']
        assert shoelace_area(widened) == 1.0  # one pixel
        centre = np.reshape(widened, (4, 2)).mean(0)
        written = np.reshape(corners, (4, 2))
        assert np.allclose(centre, (written.min(0) + written.max(0)) / 2)  # where it was written


def test_every_box_has_nonzero_sides_after_mmrotates_pipeline(dior_r_root):
    """What the configs' pipeline makes of the polygons: rotated boxes (cx, cy, w, h, angle) without a zero
    side, which mmrotate's coders turn into log(0); the written, unfixed polygons give one."""
    init_default_scope('mmrotate')
    pipeline = [dict(type='mmdet.LoadAnnotations', with_bbox=True, box_type='qbox'),
                dict(type='ConvertBoxType', box_type_mapping=dict(gt_bboxes='rbox'))]
    dataset = DATASETS.build(dict(type='DIORRDataset', data_root=str(dior_r_root), split='train', pipeline=pipeline))
    for index in range(len(dataset)):
        boxes = dataset[index]['gt_bboxes']
        assert boxes.tensor.shape[1] == 5 and bool((boxes.widths > 0).all() and (boxes.heights > 0).all())
    as_written = QuadriBoxes(torch.tensor([ZERO_AREA[('04137', 13)]], dtype=torch.float32)).convert_to('rbox')
    assert float(as_written.widths[0] * as_written.heights[0]) == 0


def test_corners_outside_the_image_are_kept_as_written(dior_r_root):
    infos = {info['img_id']: info for info in build(dior_r_root, split='trainval')}
    assert infos['00740']['instances'][1]['bbox'] == [36, 47, 656, 601, 388, 901, -232, 346]
    assert infos['01072']['instances'][21]['bbox'] == [-59, 190, 21, 148, 80, 263, 0, 305]
    airport = build(dior_r_root, split='test', test_mode=True)[2]['instances'][72]
    assert airport['bbox'] == [-37, 706, 803, 404, 928, 752, 89, 1054]


def test_the_image_size_comes_from_the_xml(dior_r_root):
    infos = {info['img_id']: info for info in build(dior_r_root, split='trainval')}
    assert (infos['01072']['width'], infos['01072']['height']) == (800, 787)
    assert (infos['00001']['width'], infos['00001']['height']) == (800, 800)


def test_difficult_marks_the_object_ignored(tmp_path):
    xmls = real_xmls()
    xmls['00001'] = xmls['00001'].replace(b'<difficult>0</difficult>', b'<difficult>1</difficult>')
    info = build(write_dior_r(tmp_path / 'DIOR', xmls), split='train')[0]
    assert info['img_id'] == '00001' and [inst['ignore_flag'] for inst in info['instances']] == [1]


def test_classes_and_palette_are_mmrotates_and_the_dataset_is_in_its_registry():
    assert DIORRDataset.METAINFO == MMRotateDIORDataset.METAINFO
    assert DIORRDataset.METAINFO['classes'][6:9] == ('expressway-service-area', 'expressway-toll-station', 'dam')
    assert DATASETS.get('DIORRDataset') is DIORRDataset


@pytest.mark.parametrize('edit, message', [
    (lambda data: data.replace(b'golffield', b'golf course'),
     r"00001\.xml: object 0 has class 'golf course', which is not one of the 20 classes"),
    (lambda data: data[:-40], r'00001\.xml: not a valid XML file'),
    (lambda data: data.replace(b'<y_right_top>237</y_right_top>', b''),
     r'00001\.xml: object 0: missing or empty <robndbox/y_right_top>'),
    (lambda data: data.replace(b'<x_left_top>133</x_left_top>', b'<x_left_top>1e3x</x_left_top>'),
     r"00001\.xml: object 0: <robndbox/x_left_top> is '1e3x', expected a finite number"),
    (lambda data: re.sub(rb'<(x_\w+)>\d+</', rb'<\1>900</', data),
     r'00001\.xml: object 0 \(golffield\) has the polygon .*, entirely outside its 800x800 image'),
])
def test_bad_input_is_an_error_naming_the_file_and_the_object(tmp_path, edit, message):
    xmls = real_xmls()
    xmls['00001'] = edit(xmls['00001'])
    with pytest.raises(ValueError, match=message):
        build(write_dior_r(tmp_path / 'DIOR', xmls), split='train')


def test_missing_files_are_named(tmp_path):
    dior_r_root = write_dior_r(tmp_path / 'DIOR')
    (dior_r_root / 'JPEGImages-test' / '15504.jpg').unlink()
    (dior_r_root / 'Annotations' / 'Oriented Bounding Boxes' / '20279.xml').unlink()
    with pytest.raises(FileNotFoundError) as error:
        build(dior_r_root, split='test', test_mode=True)
    assert '1 of 4 annotation files not found' in str(error.value) and '20279.xml' in str(error.value)
    assert "1 of 4 images not found: '15504'" in str(error.value)


def test_the_horizontal_box_folder_is_not_taken_for_the_oriented_one(tmp_path):
    root = write_dior(tmp_path / 'DIOR', real_xmls(['00001']), dict(train=['00001']), layout='nested')
    with pytest.raises(FileNotFoundError, match=r"DIORRDataset: no annotation folder, tried \['.*/Annotations/"
                                                r"Oriented Bounding Boxes'\]"):
        build(root, split='train')

