# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""NWPU-RESISC45 and EuroSAT datasets: official labels from folders or lists, clear errors otherwise."""
import os
import os.path as osp

import pytest
from mmpretrain.registry import DATASETS

from gersp_mm.cls import EUROSAT_CLASSES, NWPU_RESISC45_CLASSES, NWPURESISC45, EuroSAT, scan_class_folders
from tests.helpers import ROOT

NWPU = osp.join(ROOT, 'tests', 'data', 'cls', 'nwpu')


def touch_images(root, names):
    for name in names:
        os.makedirs(osp.dirname(osp.join(root, name)), exist_ok=True)
        open(osp.join(root, name), 'wb').close()


def test_class_lists_follow_the_official_label_order():
    """The official releases number classes in the alphabetical order of their folder names (ImageFolder)."""
    for classes, count in ((NWPU_RESISC45_CLASSES, 45), (EUROSAT_CLASSES, 10)):
        assert len(set(classes)) == count and list(classes) == sorted(classes)
    # the real NWPU-RESISC45 folder names are spelled as in the class list
    assert {name for name in os.listdir(NWPU)} <= set(NWPU_RESISC45_CLASSES)
    assert DATASETS.get('NWPURESISC45') is NWPURESISC45 and DATASETS.get('EuroSAT') is EuroSAT


def test_real_nwpu_folders_get_official_labels():
    dataset = NWPURESISC45(data_root=NWPU, pipeline=[dict(type='LoadImageFromFile')])
    assert len(dataset) == 6
    assert dataset.CLASSES == NWPU_RESISC45_CLASSES
    labels = {osp.relpath(info['img_path'], NWPU): info['gt_label'] for info in dataset.load_data_list()}
    assert labels == {f'{cls}/{cls}_00{i}.jpg': label for label, cls in enumerate(('airplane', 'airport'))
                      for i in (1, 2, 3)}
    sample = dataset[0]
    assert sample['img'].shape == (256, 256, 3) and sample['gt_label'] == 0


def test_ann_file_is_read_and_checked(tmp_path):
    ann = tmp_path / 'train.txt'
    ann.write_text('airport/airport_002.jpg 1\n\nairplane/airplane_003.jpg 0\n')
    dataset = NWPURESISC45(data_root=NWPU, ann_file=str(ann))
    assert [(osp.relpath(d['img_path'], NWPU), d['gt_label']) for d in dataset.load_data_list()] == [
        ('airport/airport_002.jpg', 1), ('airplane/airplane_003.jpg', 0)]


@pytest.mark.parametrize('line,match', [
    ('airplanes/airplanes_001.jpg 0', r"line 1: unknown class 'airplanes'"),
    ('airport/airport_001.jpg 0', r"line 1: label 0 .* class 'airport' has label 1"),
    ('airplane_001.jpg 0', r'line 1: .* is not inside a class folder'),
    ('airplane/airplane_001.jpg', r"line 1: expected '<class>/<image> <label>'"),
])
def test_bad_ann_file_lines_are_named(tmp_path, line, match):
    ann = tmp_path / 'list.txt'
    ann.write_text(line + '\n')
    with pytest.raises(ValueError, match=match) as info:
        NWPURESISC45(data_root=NWPU, ann_file=str(ann))
    assert str(ann) in str(info.value)


def test_missing_ann_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.txt'):
        NWPURESISC45(data_root=NWPU, ann_file=str(tmp_path / 'nope.txt'))


def test_eurosat_labels_follow_official_order_whatever_folders_exist(tmp_path):
    touch_images(str(tmp_path), ['SeaLake/SeaLake_1.jpg', 'Forest/Forest_10.jpg', 'Forest/Forest_2.jpg',
                                 'meta/train-80p_seed0.txt'])
    dataset = EuroSAT(data_root=str(tmp_path))
    assert [(osp.relpath(d['img_path'], str(tmp_path)), d['gt_label']) for d in dataset.load_data_list()] == [
        ('Forest/Forest_10.jpg', 1), ('Forest/Forest_2.jpg', 1), ('SeaLake/SeaLake_1.jpg', 9)]


def test_unknown_class_folder_is_named(tmp_path):
    touch_images(str(tmp_path), ['Forest/Forest_1.jpg', 'forest/forest_2.jpg'])
    with pytest.raises(ValueError, match=r"'forest' is not a class"):
        EuroSAT(data_root=str(tmp_path))


def test_empty_or_missing_root_is_an_error(tmp_path):
    with pytest.raises(ValueError, match='No image'):
        EuroSAT(data_root=str(tmp_path))
    with pytest.raises(FileNotFoundError, match='missing'):
        EuroSAT(data_root=str(tmp_path / 'missing'))


def test_scan_is_ours_where_mmpretrain_custom_dataset_differs(tmp_path):
    """Nested and upper-case images count, dot files do not, labels are official, a stray folder is named."""
    touch_images(str(tmp_path), ['SeaLake/deep/SeaLake_3.JPG', 'SeaLake/SeaLake_1.webp', 'SeaLake/._SeaLake_1.jpg',
                                 'Forest/Forest_1.TIF', 'notes/readme.txt'])
    assert scan_class_folders(str(tmp_path), EUROSAT_CLASSES) == [
        ('Forest/Forest_1.TIF', 1), ('SeaLake/SeaLake_1.webp', 9), ('SeaLake/deep/SeaLake_3.JPG', 9)]
    touch_images(str(tmp_path), ['sealake_extra/1.jpg', 'sealake_extra/2.png'])
    with pytest.raises(ValueError, match=r"sealake_extra' holds 2 images but 'sealake_extra' is not a class"):
        scan_class_folders(str(tmp_path), EUROSAT_CLASSES)
