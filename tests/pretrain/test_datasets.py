# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The dual-source data pipeline on real images (tests/data/pretrain) and on generated odd files."""
import logging
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.logging import MMLogger
from mmpretrain.registry import DATASETS, MODELS
from PIL import Image

import gersp_mm.pretrain  # noqa: F401
from gersp_mm.pretrain.converters import make_file_list
from gersp_mm.pretrain.datasets import DualSourceIndex, ImageDecodeError, UnlabeledImageFolder, decode_uint8_bgr
from gersp_mm.raster import BandMapping
from tests.helpers import ROOT, run_main

DATA = ROOT / 'tests' / 'data' / 'pretrain'
REAL_RS = sorted(str(p.relative_to(DATA / 'rs')) for p in (DATA / 'rs').rglob('*.jpg'))


def encode(array, mode=None, fmt='PNG'):
    import io
    buffer = io.BytesIO()
    Image.fromarray(array, mode).save(buffer, format=fmt)
    return buffer.getvalue()


class TestDecoding:

    def test_every_kind_of_file_becomes_three_channel_uint8_bgr(self):
        rgb = np.random.RandomState(0).randint(0, 256, (5, 7, 3), dtype=np.uint8)
        gray = rgb[..., 0]
        rgba = np.dstack([rgb, np.full((5, 7), 9, np.uint8)])
        sixteen = gray.astype(np.uint16) * 257 + 3  # (v - 0) * 255 / 65535 rounds to gray
        palette = Image.fromarray(rgb).convert('P', palette=Image.ADAPTIVE)
        expected_palette = np.asarray(palette.convert('RGB'))[..., ::-1]
        buffer = __import__('io').BytesIO()
        palette.save(buffer, format='PNG')
        cases = {
            'rgb': (encode(rgb), rgb[..., ::-1]),
            'gray': (encode(gray), np.dstack([gray] * 3)),
            'rgba': (encode(rgba), rgb[..., ::-1]),
            'palette': (buffer.getvalue(), expected_palette),
        }
        for name, (content, expected) in cases.items():
            decoded = decode_uint8_bgr(content, name)
            assert decoded.dtype == np.uint8 and decoded.shape == (5, 7, 3), name
            assert np.array_equal(decoded, expected), name
        with pytest.raises(ImageDecodeError, match='16-bit.png: 16-bit uint16 samples.*set bit_depth'):
            decode_uint8_bgr(encode(sixteen), '16-bit.png')  # not the high byte in silence (a 12-bit image: 0-15)
        mapped = decode_uint8_bgr(encode(sixteen), '16-bit.png', BandMapping(value_range=(0, 65535)))
        assert np.array_equal(mapped, np.dstack([gray] * 3))

    def test_truncated_and_garbage_files_are_errors_naming_the_file(self):
        jpeg = encode(np.zeros((64, 64, 3), np.uint8) + 100, fmt='JPEG')
        with pytest.raises(ImageDecodeError, match='cut.jpg.*[Tt]runcated'):
            decode_uint8_bgr(jpeg[:len(jpeg) // 2], 'cut.jpg')
        with pytest.raises(ImageDecodeError, match='noise.png'):
            decode_uint8_bgr(b'not an image', 'noise.png')

    def test_real_jpegs_match_opencv(self):
        import cv2
        path = DATA / 'rs' / REAL_RS[0]
        decoded = decode_uint8_bgr(path.read_bytes(), str(path))
        reference = cv2.imread(str(path), cv2.IMREAD_COLOR)
        assert decoded.shape == reference.shape == (256, 256, 3)
        assert np.abs(decoded.astype(int) - reference).mean() < 1.0  # same JPEG, two decoders


class TestUnlabeledImageFolder:

    def test_scan_is_recursive_sorted_and_skips_other_files(self, tmp_path):
        for rel in ['b/2.jpg', 'a/z/1.PNG', 'a/0.jpg', 'c/notes.txt', 'top.tif']:
            (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / rel).write_bytes(b'')
        dataset = UnlabeledImageFolder(data_root=str(tmp_path))
        paths = [Path(dataset.get_data_info(i)['img_path']).relative_to(tmp_path).as_posix()
                 for i in range(len(dataset))]
        assert paths == ['top.tif', 'a/0.jpg', 'a/z/1.PNG', 'b/2.jpg']

    def test_where_mmpretrain_custom_dataset_differs_ours_holds(self, tmp_path):
        """Our order, extensions, list comments and errors, not ``CustomDataset(with_label=False)``'s; hidden
        files and folders (macOS ``._*.jpg``, ``.thumbnails/``) skipped as mmengine's listing skips them."""
        for rel in ['a.jpg', 'a/y.JPEG', 'a-b/x.webp', 'b/._c.TIFF', 'b/c.TIFF', '.thumbnails/a.jpg']:
            (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / rel).write_bytes(b'')
        dataset = UnlabeledImageFolder(data_root=str(tmp_path))
        assert [Path(info['img_path']).relative_to(tmp_path).as_posix() for info in dataset] == [
            'a.jpg', 'a/y.JPEG', 'a-b/x.webp', 'b/c.TIFF']  # mmpretrain: a-b/x.webp first
        assert dataset.metainfo == dict(classes=None) and dataset.CLASSES is None
        (tmp_path / 'list.txt').write_text('# Million-AID, test split\n\n  a/y.JPEG  \nb/c.TIFF\n')
        listed = UnlabeledImageFolder(data_root=str(tmp_path), ann_file='list.txt', data_prefix='')
        assert [info['img_path'] for info in listed] == [str(tmp_path / 'a/y.JPEG'), str(tmp_path / 'b/c.TIFF')]
        (tmp_path / 'empty').mkdir()
        with pytest.raises(ValueError, match=r"no image found in '.*empty/?'"):
            UnlabeledImageFolder(data_root=str(tmp_path), data_prefix='empty')
        with pytest.raises(FileNotFoundError, match=r"image folder '.*missing/?' is not a directory"):
            UnlabeledImageFolder(data_root=str(tmp_path), ann_file='list.txt', data_prefix=dict(img_path='missing'))

    def test_file_list_tool_and_ann_file(self, tmp_path):
        out = tmp_path / 'list.txt'
        result = run_main(make_file_list.main, DATA / 'rs', out)
        assert result.returncode == 0, result.stderr
        assert out.read_text().splitlines() == REAL_RS
        dataset = UnlabeledImageFolder(data_root=str(DATA / 'rs'), ann_file=str(out))
        assert len(dataset) == len(REAL_RS)
        assert dataset.get_data_info(0)['img_path'] == str(DATA / 'rs' / REAL_RS[0])

    def test_images_in_a_sub_folder_of_the_root(self):
        dataset = UnlabeledImageFolder(data_root=str(DATA / 'natural'), data_prefix=dict(img_path='train'))
        assert len(dataset) == 4
        assert dataset.get_data_info(0)['img_path'] == str(DATA / 'natural' / 'train' / 'n01440764' /
                                                          'n01440764_10026.JPEG')

    def test_missing_or_empty_roots_are_clear_errors(self, tmp_path):
        with pytest.raises(FileNotFoundError, match='nowhere'):
            UnlabeledImageFolder(data_root=str(tmp_path / 'nowhere'))
        with pytest.raises(ValueError, match='no image found'):
            UnlabeledImageFolder(data_root=str(tmp_path))
        with pytest.raises(FileNotFoundError, match='missing.txt'):
            UnlabeledImageFolder(data_root=str(tmp_path), ann_file='missing.txt')
        empty_tool = run_main(make_file_list.main, tmp_path, tmp_path / 'out.txt')
        assert empty_tool.returncode == 1 and 'no image' in empty_tool.stderr
        assert list(tmp_path.iterdir()) == []  # no list, no temporary file


def tiny_dataset_cfg(**overrides):
    cfg = Config.fromfile(str(ROOT / 'configs' / 'pretrain' / 'gersp_r18_tiny.py'))
    dataset = cfg.train_dataloader.dataset
    dataset.rs.data_root = str(DATA / 'rs')
    dataset.natural.data_root = str(DATA / 'natural')
    dataset.update(overrides)
    return dataset


class TestDualSourceDataset:

    def test_real_images_through_the_pipelines(self):
        dataset = DATASETS.build(tiny_dataset_cfg())
        item = dataset[DualSourceIndex(2, 3, seed=7)]
        views = item['inputs']
        assert len(views) == 3 and all(v.shape == (3, 64, 64) and v.dtype == torch.uint8 for v in views)
        assert not torch.equal(views[0], views[1])  # two different augmentations of one RS image
        sample = item['data_samples']
        assert sample.gt_label.tolist() == [1]  # n02102040 is the second class folder
        assert sample.img_path.endswith('n02102040_1004.JPEG')
        assert sample.rs_img_path.endswith(REAL_RS[2])
        again = dataset[DualSourceIndex(2, 3, seed=7)]['inputs']
        assert all(torch.equal(a, b) for a, b in zip(views, again))  # augmentations follow the seed
        other = dataset[DualSourceIndex(2, 3, seed=8)]['inputs']
        assert not torch.equal(views[0], other[0])

    def test_imagenet_meta_list_layout(self, tmp_path):
        meta = tmp_path / 'meta'
        meta.mkdir()
        (tmp_path / 'train').symlink_to(DATA / 'natural' / 'train')
        (meta / 'train.txt').write_text('n01440764/n01440764_10026.JPEG 0\nn02102040/n02102040_1004.JPEG 217\n')
        natural = dict(type='ImageNet', data_root=str(tmp_path), split='train',
                       pipeline=[dict(type='LoadImageUint8'), dict(type='PackInputs')])
        dataset = DATASETS.build(tiny_dataset_cfg(natural=natural))
        labels = [int(dataset[DualSourceIndex(0, i, 0)]['data_samples'].gt_label) for i in range(2)]
        assert labels == [0, 217] and len(dataset.metainfo['classes']) == 1000

    def test_label_outside_the_classes_names_the_file(self, tmp_path):
        (tmp_path / 'train.txt').write_text('n01440764/n01440764_10026.JPEG 5\n')
        natural = dict(type='CustomDataset', data_root=str(DATA / 'natural'), data_prefix='train',
                       ann_file=str(tmp_path / 'train.txt'), metainfo=dict(classes=('tench', 'springer')),
                       pipeline=[dict(type='LoadImageUint8'), dict(type='PackInputs')])
        # found when the dataset is built (not when the image is first drawn), with the list's file and line
        with pytest.raises(ValueError, match=r'train\.txt; .*\n  line 1: label 5 is outside the 2 classes'):
            DATASETS.build(tiny_dataset_cfg(natural=natural))
        # a natural dataset given as an object is not read when built: its batch reaches the model, whose
        # classifier refuses the label (the labels' one range check) naming the file, before any update
        natural_dataset = DATASETS.build({**natural, 'type': 'CustomDataset'})
        item = DATASETS.build(tiny_dataset_cfg(natural=natural_dataset))[DualSourceIndex(0, 0, 0)]
        model = MODELS.build(Config.fromfile(str(ROOT / 'configs' / 'pretrain' / 'gersp_r18_tiny.py')).model)
        batch = model.data_preprocessor(pseudo_collate([item]), training=True)
        with pytest.raises(ValueError, match=r'Label 5 of .*n01440764_10026\.JPEG is outside the classifier '
                           r'range \[0, 2\)'):
            model(**batch, mode='loss')

    def test_unreadable_images_raise_or_are_skipped_and_logged(self, tmp_path):
        rs_dir = tmp_path / 'rs'
        rs_dir.mkdir()
        good = (DATA / 'rs' / REAL_RS[0]).read_bytes()
        (rs_dir / 'a_good.jpg').write_bytes(good)
        (rs_dir / 'b_truncated.jpg').write_bytes(good[:len(good) // 3])
        cfg = tiny_dataset_cfg()
        cfg.rs.data_root = str(rs_dir)
        with pytest.raises(ImageDecodeError, match='b_truncated.jpg'):
            DATASETS.build(cfg)[DualSourceIndex(1, 0, 0)]
        cfg.bad_image_policy = 'skip'
        dataset = DATASETS.build(cfg)
        logger = MMLogger.get_instance('gersp_test_skip')
        records = []
        handler = logging.Handler()
        handler.emit = records.append
        logger.addHandler(handler)
        item = dataset[DualSourceIndex(1, 0, 0)]
        logger.removeHandler(handler)
        assert item['data_samples'].rs_img_path.endswith('a_good.jpg')
        assert dataset.num_skipped == 1
        assert any('b_truncated.jpg' in r.getMessage() and '1 skipped so far' in r.getMessage() for r in records)

    def test_plain_integer_index_is_a_clear_error(self):
        dataset = DATASETS.build(tiny_dataset_cfg())
        with pytest.raises(TypeError, match='DualSourceSampler'):
            dataset[0]
