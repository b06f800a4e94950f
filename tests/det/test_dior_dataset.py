# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""DIORDataset on the real DIOR XMLs (CRLF, tabs, mixed-case class names) in both annotation layouts, and on
fixtures of the real release's quirks (degenerate boxes, non-800 heights, depth 1, repeated objects)."""
import re
import uuid
from pathlib import Path

import cv2
import numpy as np
import pytest
from mmengine.logging import MMLogger

from gersp_mm.det import DIOR_CLASSES, DIORDataset
from tests.det.dior_helpers import dior_xml, real_dior_xmls, write_dior

LABEL = {name: index for index, name in enumerate(DIOR_CLASSES)}

# read by hand from tests/data/det/dior/Annotations
EXPECTED = {
    '00001': [('golffield', [133, 237, 684, 672])],
    '00002': [('Expressway-toll-station', [231, 221, 303, 304]), ('vehicle', [49, 231, 67, 242]),
              ('vehicle', [54, 252, 72, 262]), ('vehicle', [297, 227, 316, 239])],
    '00003': [('trainstation', [309, 426, 520, 481])],
    '00013': [('vehicle', [295, 450, 321, 460]), ('vehicle', [268, 359, 291, 372]), ('vehicle', [401, 318, 425, 328]),
              ('vehicle', [432, 314, 461, 324]), ('vehicle', [291, 630, 300, 645]),
              ('basketballcourt', [292, 645, 334, 675]), ('Expressway-Service-area', [150, 416, 512, 719]),
              ('Expressway-Service-area', [268, 80, 559, 368])],
    '11727': [('chimney', [270, 185, 384, 288]), ('chimney', [361, 329, 479, 430]), ('chimney', [416, 631, 535, 734])],
    '23463': [('vehicle', [148, 311, 187, 337]), ('vehicle', [467, 492, 514, 518]), ('vehicle', [359, 686, 388, 716]),
              ('overpass', [138, 212, 710, 591])],
}


def build(root, **kwargs):
    return DIORDataset(data_root=str(root), pipeline=[], **kwargs)


def objects(info):
    return [(DIOR_CLASSES[inst['bbox_label']], inst['bbox']) for inst in info['instances']]


def test_the_real_files_have_the_quirks_the_tests_rely_on():
    for img_id, data in real_dior_xmls().items():
        assert data.count(b'\r\n') == data.count(b'\n'), img_id
        assert b'\t<object>' in data and b'difficult' not in data, img_id
    assert b'<name>Expressway-Service-area</name>' in real_dior_xmls(['00013'])['00013']


# The 20 categories as Li et al., "Object detection in optical remote sensing images: A survey and a new
# benchmark", ISPRS J. 2020, number them (C1-C20 of its per-class results; the oriented DIOR-R papers, and
# mmrotate after them, put dam after the two expressway classes)
DIOR_PAPER_CATEGORIES = ('airplane', 'airport', 'baseball field', 'basketball court', 'bridge', 'chimney', 'dam',
                         'expressway service area', 'expressway toll station', 'golf field', 'ground track field',
                         'harbor', 'overpass', 'ship', 'stadium', 'storage tank', 'tennis court', 'train station',
                         'vehicle', 'windmill')


def test_the_classes_are_the_papers_in_its_order_spelled_as_the_real_files():
    def squashed(name):
        return name.lower().replace(' ', '').replace('-', '')

    assert [squashed(name) for name in DIOR_CLASSES] == [squashed(name) for name in DIOR_PAPER_CATEGORIES]
    names_in_real_xmls = set(re.findall(rb'<name>([^<]+)</name>', b''.join(real_dior_xmls().values())))
    assert len(names_in_real_xmls) == 9
    assert {name.decode() for name in names_in_real_xmls} <= set(DIOR_CLASSES)  # the exact spelling, case too


@pytest.mark.parametrize('layout', ['flat', 'nested'])
def test_real_xmls_parse_to_the_exact_boxes_and_labels(real_dior, layout):
    root = real_dior(layout)
    trainval = build(root, split='trainval')
    test = build(root, split='test', test_mode=True)
    infos = {info['img_id']: info for dataset in (trainval, test) for info in dataset}
    for img_id, expected in EXPECTED.items():
        info = infos[img_id]
        assert (info['width'], info['height']) == (800, 800)
        assert objects(info) == [(name, [float(v) for v in box]) for name, box in expected]
        assert all(inst['ignore_flag'] == 0 for inst in info['instances'])
    assert len(infos['11726']['instances']) == 31
    assert infos['00002']['instances'][0]['bbox_label'] == LABEL['Expressway-toll-station'] == 8
    ann_dir = 'Annotations/Horizontal Bounding Boxes' if layout == 'nested' else 'Annotations'
    assert infos['00002']['xml_path'] == str(root / ann_dir / '00002.xml')


def test_both_layouts_give_the_same_data(real_dior):
    flat, nested = (build(real_dior(layout), split='trainval') for layout in ('flat', 'nested'))
    assert [objects(info) for info in flat] == [objects(info) for info in nested]
    assert '/Annotations/Horizontal Bounding Boxes/00001.xml' in nested[0]['xml_path']
    assert flat[0]['xml_path'].endswith('/Annotations/00001.xml')


def test_splits_read_crlf_files_and_trainval_is_train_then_val(real_dior):
    root = real_dior()
    assert b'\r\n' in (root / 'ImageSets' / 'Main' / 'train.txt').read_bytes()
    ids = {split: [info['img_id'] for info in build(root, split=split)] for split in ('train', 'val', 'trainval')}
    assert ids['train'] == ['00001', '00002'] and ids['val'] == ['00003', '00013']
    assert ids['trainval'] == ids['train'] + ids['val']
    test = build(root, split='test', test_mode=True)
    assert [info['img_path'] for info in test] == [str(root / 'JPEGImages-test' / f'{i}.jpg')
                                                   for i in ('11726', '11727', '23463')]
    assert build(root, split='train')[0]['img_path'] == str(root / 'JPEGImages-trainval' / '00001.jpg')


def test_an_id_list_file_instead_of_a_split(real_dior):
    root = real_dior()
    (root / 'few.txt').write_bytes(b'23463\r\n\r\n00003\r\n')
    assert [info['img_id'] for info in build(root, ann_file='few.txt', test_mode=True)] == ['23463', '00003']


def test_images_are_found_in_either_folder(real_dior):
    root = real_dior()
    (root / 'JPEGImages-trainval' / '00001.jpg').rename(root / 'JPEGImages-test' / '00001.jpg')
    assert build(root, split='train')[0]['img_path'] == str(root / 'JPEGImages-test' / '00001.jpg')


def test_class_names_match_case_insensitively(real_dior):
    xmls = real_dior_xmls(['00001', '00002', '00003', '00013'])
    xmls['00013'] = xmls['00013'].replace(b'Expressway-Service-area', b'EXPRESSWAY-SERVICE-AREA')
    xmls['00002'] = dior_xml('00002', [('Vehicle', (1, 2, 3, 4)), ('expressway-toll-station', (5, 6, 7, 8)),
                                       ('GolfField', (1, 1, 9, 9))])
    infos = {info['img_id']: info for info in build(real_dior(xmls=xmls), split='trainval')}
    assert objects(infos['00002']) == [('vehicle', [1.0, 2.0, 3.0, 4.0]),
                                       ('Expressway-toll-station', [5.0, 6.0, 7.0, 8.0]),
                                       ('golffield', [1.0, 1.0, 9.0, 9.0])]
    assert [name for name, _ in objects(infos['00013'])].count('Expressway-Service-area') == 2


@pytest.mark.parametrize('bad_name', ['car', 'Expressway_Service_area', 'golf field'])
def test_an_unknown_class_is_an_error_naming_the_file_and_the_class(real_dior, bad_name):
    xmls = real_dior_xmls()
    xmls['00003'] = xmls['00003'].replace(b'trainstation', bad_name.encode())
    root = real_dior(xmls=xmls)
    with pytest.raises(ValueError, match=rf"00003\.xml: object 0 has class '{bad_name}'"):
        build(root, split='val')
    assert len(build(root, split='train')) == 2  # other splits are unaffected


def test_tiny_boxes_are_kept_and_images_without_objects_can_be_filtered(real_dior):
    xmls = real_dior_xmls(['00001', '00003'])
    xmls['00002'] = dior_xml('00002', [('vehicle', (10, 10, 11, 12))])  # 1 px wide: not degenerate
    xmls['00013'] = dior_xml('00013', [])
    root = real_dior(xmls=xmls)
    infos = {info['img_id']: info for info in build(root, split='trainval')}
    assert objects(infos['00002']) == [('vehicle', [10.0, 10.0, 11.0, 12.0])]
    assert infos['00013']['instances'] == []
    filtered = build(root, split='trainval', filter_cfg=dict(filter_empty_gt=True))
    assert [info['img_id'] for info in filtered] == ['00001', '00002', '00003']
    assert len(build(root, split='trainval', filter_cfg=dict(filter_empty_gt=True), test_mode=True)) == 4


def test_a_difficult_tag_marks_the_object_ignored(real_dior):
    xmls = real_dior_xmls()
    xmls['00003'] = xmls['00003'].replace(b'<pose>', b'<difficult>1</difficult>\r\n\t\t<pose>')
    info = build(real_dior(xmls=xmls), split='val')[0]
    assert info['instances'][0]['ignore_flag'] == 1


@pytest.mark.parametrize('box, message', [
    ((9, 5, 5, 9), r'has an inverted box \[9\.0, 5\.0, 5\.0, 9\.0\]'),
    ((5, 9, 9, 5), 'has an inverted box'),
    ((801, 5, 810, 9), r'has the box \[801\.0, 5\.0, 810\.0, 9\.0\], entirely outside its 800x800 image'),
    ((5, -9, 9, -1), r'has the box .*, entirely outside'),
])
def test_inverted_boxes_and_boxes_outside_the_image_are_errors(real_dior, box, message):
    xmls = real_dior_xmls()
    xmls['00003'] = dior_xml('00003', [('vehicle', (1, 1, 5, 5)), ('bridge', box)])
    with pytest.raises(ValueError, match=rf'00003\.xml: object 1 \(bridge\) {message}'):
        build(real_dior(xmls=xmls), split='val')


def test_malformed_xml_and_missing_size_are_errors_naming_the_file(real_dior):
    xmls = real_dior_xmls()
    xmls['00003'] = b'<annotation><object>'
    with pytest.raises(ValueError, match=r'00003\.xml: not a valid XML'):
        build(real_dior(xmls=xmls), split='val')
    xmls['00003'] = dior_xml('00003', []).replace(b'<width>800</width>', b'')
    with pytest.raises(ValueError, match=r'00003\.xml: missing or empty <size/width>'):
        build(real_dior('flat', xmls=xmls), split='val')


@pytest.mark.parametrize('value', ['nan', 'inf', '12px'])
def test_a_coordinate_that_is_not_a_finite_number_is_an_error_naming_file_and_object(real_dior, value):
    xmls = real_dior_xmls()
    xmls['00003'] = dior_xml('00003', [('ship', (1, 2, 3, 4)), ('ship', (value, 2, 3, 4))])
    with pytest.raises(ValueError, match=rf"00003\.xml: object 1: <bndbox/xmin> is '{value}', expected a finite"):
        build(real_dior(xmls=xmls), split='val')


def test_missing_files_are_reported_all_at_once(real_dior):
    root = real_dior()
    (root / 'Annotations' / 'Horizontal Bounding Boxes' / '00002.xml').unlink()
    with pytest.raises(FileNotFoundError, match=r"\(split 'train'\): 1 of 2 annotation files not found: "
                                                r"'.*Horizontal Bounding Boxes/00002\.xml'$"):
        build(root, split='train')
    for img_id in ('11726', '11727', '23463'):
        (root / 'JPEGImages-test' / f'{img_id}.jpg').unlink()
    with pytest.raises(FileNotFoundError, match=r"3 of 3 images not found: '11726', '11727', '23463' \(for "
                                                r"'11726' tried \['.*JPEGImages-test/11726\.jpg', "
                                                r"'.*JPEGImages-trainval/11726\.jpg'\]\)"):
        build(root, split='test')
    (root / 'ImageSets' / 'Main' / 'val.txt').unlink()
    with pytest.raises(FileNotFoundError, match=r'split file .*ImageSets/Main/val\.txt'):
        build(root, split='trainval')


def test_many_missing_files_are_counted_and_the_first_five_named(tmp_path):
    ids = [f'{index:05d}' for index in range(1, 9)]
    root = write_dior(tmp_path / 'DIOR', {i: dior_xml(i, [('ship', (1, 1, 4, 4))]) for i in ids}, dict(train=ids))
    for img_id in ids[:7]:
        (root / 'JPEGImages-trainval' / f'{img_id}.jpg').unlink()
        (root / 'Annotations' / 'Horizontal Bounding Boxes' / f'{img_id}.xml').unlink()
    with pytest.raises(FileNotFoundError) as error:
        build(root, split='train')
    message = str(error.value)
    assert "7 of 8 annotation files not found: '" in message and "00005.xml', ...; 7 of 8 images" in message
    assert "7 of 8 images not found: '00001', '00002', '00003', '00004', '00005', ... (for '00001'" in message
    assert '00006.xml' not in message and "'00006'" not in message


def test_no_annotation_folder_and_wrong_arguments(tmp_path, real_dior):
    with pytest.raises(FileNotFoundError, match='no annotation folder'):
        build(tmp_path, split='train')
    root = real_dior()
    with pytest.raises(ValueError, match="unknown split 'trainvaltest'"):
        build(root, split='trainvaltest')
    with pytest.raises(ValueError, match='exactly one of'):
        build(root)
    with pytest.raises(ValueError, match='exactly one of'):
        build(root, split='train', ann_file='ImageSets/Main/train.txt')
    (root / 'twice.txt').write_text('00001\n00001\n')
    with pytest.raises(ValueError, match="'00001' is listed twice"):
        build(root, ann_file='twice.txt')


def test_loads_into_mmdet_pipeline(real_dior):
    """The boxes reach mmdet's LoadAnnotations/PackDetInputs unchanged (image 00002, an 8x8 placeholder)."""
    from mmengine.registry import init_default_scope
    init_default_scope('mmdet')
    dataset = DIORDataset(data_root=str(real_dior()), split='train', pipeline=[
        dict(type='LoadImageFromFile'), dict(type='LoadAnnotations', with_bbox=True), dict(type='PackDetInputs')])
    sample = dataset[1]['data_samples']
    assert sample.gt_instances.bboxes.tensor.tolist() == [box for _, box in EXPECTED['00002']]
    assert sample.gt_instances.labels.tolist() == [8, 18, 18, 18]


DEGENERATE = Path(__file__).parents[1] / 'data' / 'det' / 'dior' / 'degenerate'


def logged_while(action):
    """Run ``action()`` with a fresh current MMLogger writing to a file; return its result and the log text."""
    log_file = Path(f'/tmp/dior_log_{uuid.uuid4().hex}.log')
    logger = MMLogger.get_instance(f'dior_test_{uuid.uuid4().hex}', log_file=str(log_file))
    try:
        result = action()
        for handler in logger.handlers:
            handler.flush()
        return result, log_file.read_text()
    finally:
        log_file.unlink(missing_ok=True)


def test_the_real_degenerate_boxes_are_widened_to_1_px_counted_and_logged(tmp_path):
    """04137 (a ship, object 26 in the release) and 08325: boxes of the real release with xmin == xmax."""
    xmls = {img_id: (DEGENERATE / f'{img_id}.xml').read_bytes() for img_id in ('04137', '08325')}
    xmls['00002'] = real_dior_xmls(['00002'])['00002']
    root = write_dior(tmp_path / 'DIOR', xmls, dict(train=['00002', '04137'], val=['08325']))
    dataset, log = logged_while(lambda: build(root, split='trainval'))
    infos = {info['img_id']: info for info in dataset}
    assert objects(infos['04137']) == [('ship', [161.0, 329.0, 162.0, 330.0])]
    assert objects(infos['08325']) == [('vehicle', [0.0, 786.0, 1.0, 788.0])]
    assert objects(infos['00002']) == [(name, [float(v) for v in box]) for name, box in EXPECTED['00002']]
    assert [(fix.name(), fix.widened, fix.clipped) for fix in dataset.box_fixes] == [
        ('04137.xml obj 0', True, False), ('08325.xml obj 0', True, False)]
    assert ("DIORDataset (split 'trainval'): 2 degenerate boxes widened to 1 px: 04137.xml obj 0 [162, 329, 162, 330] "
            '-> [161, 329, 162, 330], 08325.xml obj 0 [1, 786, 1, 788] -> [0, 786, 1, 788]; 0 boxes clipped to the '
            'image') in log


def test_widened_boxes_stay_non_empty_through_the_pipeline_and_the_box_coder(tmp_path):
    """What the widening prevents: a zero-width target gives log(0) in Faster R-CNN's box coder."""
    import torch
    from mmdet.models.task_modules.coders import DeltaXYWHBBoxCoder
    from mmengine.registry import init_default_scope
    init_default_scope('mmdet')
    root = write_dior(tmp_path / 'DIOR', {'04137': (DEGENERATE / '04137.xml').read_bytes()}, dict(train=['04137']),
                      image_size=(800, 800))
    dataset = DIORDataset(data_root=str(root), split='train', pipeline=[
        dict(type='LoadImageFromFile'), dict(type='LoadAnnotations', with_bbox=True),
        dict(type='Resize', scale=(400, 400), keep_ratio=True), dict(type='PackDetInputs')])
    boxes = dataset[0]['data_samples'].gt_instances.bboxes.tensor
    torch.testing.assert_close(boxes, torch.tensor([[80.5, 164.5, 81.0, 165.0]]))  # half of [161, 329, 162, 330]
    coder, proposal = DeltaXYWHBBoxCoder(), torch.tensor([[70.0, 150.0, 90.0, 180.0]])
    assert torch.isfinite(coder.encode(proposal, boxes)).all()
    assert not torch.isfinite(coder.encode(proposal, torch.tensor([[162.0, 329.0, 162.0, 330.0]]))).all()


def test_the_real_quirks_heights_from_size_depth_1_repeats_and_edges(tmp_path):
    """Quirks of the complete release: 33 images 800 wide and 782-816 high (boxes beyond a 782 height are
    clipped), 3 XMLs with depth 1, an exact duplicate object (a ship in 00594), boxes ending at x or y = 800."""
    short = dior_xml('01234', [('ship', (10, 700, 30, 782)), ('harbor', (100, 770, 200, 800))], height=782)
    gray = dior_xml('01235', [('vehicle', (1, 1, 9, 9))]).replace(b'<depth>3</depth>', b'<depth>1</depth>')
    repeated = dior_xml('00594', [('ship', (300, 300, 310, 320)), ('ship', (300, 300, 310, 320))])
    edges = dior_xml('00595', [('bridge', (700, 10, 800, 50)), ('dam', (10, 760, 60, 800)),
                               ('stadium', (0, 0, 800, 800))])
    root = write_dior(tmp_path / 'DIOR', {'01234': short, '01235': gray, '00594': repeated, '00595': edges},
                      dict(train=['01234', '01235', '00594', '00595']), image_size=(800, 782))
    cv2.imwrite(str(root / 'JPEGImages-trainval' / '01235.jpg'), np.full((40, 40), 128, dtype=np.uint8))
    dataset, log = logged_while(lambda: build(root, split='train'))
    infos = {info['img_id']: info for info in dataset}
    assert (infos['01234']['width'], infos['01234']['height']) == (800, 782)
    assert objects(infos['01234']) == [('ship', [10.0, 700.0, 30.0, 782.0]), ('harbor', [100.0, 770.0, 200.0, 782.0])]
    assert objects(infos['00594']) == [('ship', [300.0, 300.0, 310.0, 320.0])] * 2
    assert objects(infos['00595']) == [('bridge', [700.0, 10.0, 800.0, 50.0]), ('dam', [10.0, 760.0, 60.0, 800.0]),
                                       ('stadium', [0.0, 0.0, 800.0, 800.0])]
    assert [fix.name() for fix in dataset.box_fixes] == ['01234.xml obj 1']
    assert ('0 degenerate boxes widened to 1 px; 1 boxes clipped to the image: 01234.xml obj 1 [100, 770, 200, 800] '
            '-> [100, 770, 200, 782]') in log

    from mmengine.registry import init_default_scope
    init_default_scope('mmdet')
    (root / 'gray.txt').write_text('01235\n')
    gray_dataset = DIORDataset(data_root=str(root), ann_file='gray.txt', pipeline=[
        dict(type='LoadImageFromFile'), dict(type='PackDetInputs')])
    assert gray_dataset[0]['inputs'].shape == (3, 40, 40)  # depth 1 in the XML, a 1-channel JPEG: 3 channels
