# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""DOTAOBBDataset (mmrotate's DOTADataset reading DOTA label files as released) and the data settings of the
oriented DOTA-v1.0 configs on the converter's output."""
import cv2
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmrotate.datasets import DOTADataset

from gersp_mm.det.converters import convert_dota
from gersp_mm.det.converters.dota_labels import read_label_file
from gersp_mm.det.datasets import DOTA_CLASSES
from gersp_mm.det.rotated import DOTAOBBDataset
from tests.det.dota_helpers import REAL_LABELS, write_split
from tests.helpers import ROOT

CONFIG = ROOT / 'configs' / 'det' / 'oriented-rcnn-le90_r50-gersp_fpn_1x_dota.py'


def test_the_real_label_files_with_their_headers_load_with_every_object(tmp_path):
    """The released files start with "imagesource:" and "gsd:" lines (CRLF): mmrotate's DOTADataset parses
    them as objects; DOTAOBBDataset reads all 92 objects of P0168, P0770 and P1088, in name order."""
    kwargs = dict(ann_file=str(REAL_LABELS), data_prefix=dict(img_path=str(tmp_path)), pipeline=[])
    with pytest.raises(ValueError, match='could not convert string to float'):
        DOTADataset(**kwargs)
    dataset = DOTAOBBDataset(**kwargs)
    assert [dataset[i]['img_id'] for i in range(len(dataset))] == ['P0168', 'P0770', 'P1088']
    for info in (dataset[i] for i in range(len(dataset))):
        expected = read_label_file(str(REAL_LABELS / f'{info["img_id"]}.txt'))
        assert [(tuple(inst['bbox']), DOTA_CLASSES[inst['bbox_label']], inst['ignore_flag'])
                for inst in info['instances']] == [(obj.polygon, obj.name, 0) for obj in expected]
        assert info['img_path'] == str(tmp_path / f'{info["img_id"]}.png')
    assert sum(len(dataset[i]['instances']) for i in range(len(dataset))) == 92


@pytest.mark.parametrize('line, message', [
    ('1 1 9 1 9 9 1 9 car 0', r"P0001\.txt:4: unknown class name 'car'; expected one of \('plane'"),
    ('1 1 9 1 9 9 1 9 plane', r'P0001\.txt:4: expected 10 fields'),
    ('1 1 9 1 9 9 1 9 plane 3', r'P0001\.txt:4: the difficult flag must be 0 or 1'),
])
def test_bad_label_lines_are_errors_naming_file_and_line(tmp_path, line, message):
    (tmp_path / 'P0001.txt').write_bytes(f'imagesource:GoogleEarth\r\ngsd:null\r\n1 1 9 1 9 9 1 9 ship 1\r\n{line}\r\n'
                                         .encode())
    with pytest.raises(ValueError, match=message):
        DOTAOBBDataset(ann_file=str(tmp_path), data_prefix=dict(img_path=str(tmp_path)), pipeline=[])


def test_missing_or_empty_folders_are_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"'.*nowhere' is not a folder of DOTA label files"):
        DOTAOBBDataset(ann_file=str(tmp_path / 'nowhere'), data_prefix=dict(img_path=str(tmp_path)), pipeline=[])
    with pytest.raises(FileNotFoundError, match=r'no \.txt label file in'):
        DOTAOBBDataset(ann_file=str(tmp_path), data_prefix=dict(img_path=str(tmp_path)), pipeline=[])
    with pytest.raises(FileNotFoundError, match=r'no \.png image in'):
        DOTAOBBDataset(ann_file='', data_prefix=dict(img_path=str(tmp_path)), pipeline=[], test_mode=True)


def build(loader, data_root):
    """The config's dataset of ``loader`` on ``data_root`` (mmrotate's pipelines, our dataset)."""
    from mmrotate.registry import DATASETS
    cfg = Config.fromfile(str(CONFIG))
    cfg[loader].dataset.data_root = str(data_root) + '/'
    init_default_scope('mmrotate')
    return DATASETS.build(cfg[loader].dataset), cfg


def test_the_config_reads_the_converter_output_with_difficult_objects_ignored_in_val(tmp_path):
    """train: patches with objects, rotated boxes for every object; val: every patch, the difficult ship
    (difficult 1) among the ignored instances (diff_thr=0); test without labels: every image, no object."""
    lines = ['10 10 60 10 60 60 10 60 plane 0', '150 150 200 100 250 150 200 200 ship 1']
    for split in ('train', 'val'):  # 256x256 patches at stride 200: origins x 0, 144 and y 0, 44 in P0001
        write_split(tmp_path / 'DOTA' / split, {'P0001': (300, 400), 'P0002': (200, 200)},
                    {'P0001': lines, 'P0002': []})
    (tmp_path / 'DOTA' / 'test' / 'images').mkdir(parents=True)
    cv2.imwrite(str(tmp_path / 'DOTA' / 'test' / 'images' / 'P0003.png'), np.zeros((300, 400, 3), np.uint8))
    root = tmp_path / 'split_obb'
    convert_dota(str(tmp_path / 'DOTA'), str(root), ['train', 'val'], box_type='obb', unlabeled_splits=['test'],
                 patch_size=256, stride=200)
    train, _ = build('train_dataloader', root)
    assert [train[i]['data_samples'].img_id for i in range(len(train))] == [  # the empty P0002 patch filtered out
        'P0001__256__0___0', 'P0001__256__0___44', 'P0001__256__144___0', 'P0001__256__144___44']
    first = train[0]
    assert first['inputs'].shape[-2:] == (1024, 1024)
    assert first['data_samples'].gt_instances.bboxes.tensor.shape == (2, 5)  # rotated boxes (cx, cy, w, h, t)

    val, cfg = build('val_dataloader', root)
    assert len(val) == 5
    sample = val[0]['data_samples']
    assert sample.gt_instances.labels.tolist() == [DOTA_CLASSES.index('plane')]
    assert sample.ignored_instances.labels.tolist() == [DOTA_CLASSES.index('ship')]
    np.testing.assert_allclose(sample.ignored_instances.bboxes.tensor[0, :4].tolist(), [200, 150, 70.71, 70.71],
                               atol=0.01)

    cfg.test_dataloader.dataset.update(data_root=str(root), ann_file='', data_prefix=dict(img_path='test/images/'))
    from mmrotate.registry import DATASETS
    test = DATASETS.build(cfg.test_dataloader.dataset)
    assert [test[i]['data_samples'].img_id for i in range(len(test))] == [
        'P0003__256__0___0', 'P0003__256__0___44', 'P0003__256__144___0', 'P0003__256__144___44']
    assert len(test[0]['data_samples'].gt_instances) == 0
