# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""DIORDataset on the real DIOR XMLs (CRLF, tabs, mixed-case class names) in both annotation layouts."""
import pytest
from dior_helpers import dior_xml, real_dior_xmls

from gersp_mm.det import DIOR_CLASSES, DIORDataset

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


def test_all_classes_of_the_dataset():
    assert len(DIOR_CLASSES) == 20 and len({name.lower() for name in DIOR_CLASSES}) == 20
    assert DIORDataset.METAINFO['classes'] == DIOR_CLASSES


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
    xmls['00002'] = dior_xml('00002', [('vehicle', (10, 10, 11, 12))])
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


@pytest.mark.parametrize('box, message', [((5, 5, 5, 9), 'empty box'), ((9, 5, 5, 9), 'empty box')])
def test_an_empty_box_is_an_error(real_dior, box, message):
    xmls = real_dior_xmls()
    xmls['00003'] = dior_xml('00003', [('bridge', box)])
    with pytest.raises(ValueError, match=rf'00003\.xml: object 0 \(bridge\) has an {message}'):
        build(real_dior(xmls=xmls), split='val')


def test_malformed_xml_and_missing_size_are_errors_naming_the_file(real_dior):
    xmls = real_dior_xmls()
    xmls['00003'] = b'<annotation><object>'
    with pytest.raises(ValueError, match=r'00003\.xml: not a valid XML'):
        build(real_dior(xmls=xmls), split='val')
    xmls['00003'] = dior_xml('00003', []).replace(b'<width>800</width>', b'')
    with pytest.raises(ValueError, match=r'00003\.xml: missing or empty <size/width>'):
        build(real_dior('flat', xmls=xmls), split='val')


def test_missing_files_are_errors_naming_the_path(real_dior):
    root = real_dior()
    (root / 'Annotations' / 'Horizontal Bounding Boxes' / '00002.xml').unlink()
    with pytest.raises(FileNotFoundError, match=r"Horizontal Bounding Boxes/00002\.xml' of image '00002'"):
        build(root, split='train')
    (root / 'JPEGImages-test' / '11727.jpg').unlink()
    with pytest.raises(FileNotFoundError, match=r"image '11727' not found, tried .*JPEGImages-test/11727\.jpg"):
        build(root, split='test')
    (root / 'ImageSets' / 'Main' / 'val.txt').unlink()
    with pytest.raises(FileNotFoundError, match=r'split file .*ImageSets/Main/val\.txt'):
        build(root, split='trainval')


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
