# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The GPU data path, run on CPU tensors: its views against the CPU reference (``apply_view_params``) on
real images, its worker side against the CPU pipeline's draws, the files it leaves to the worker's
decoder, and a tiny training run through tools/train.py."""
import io
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate
from mmpretrain.registry import DATASETS
from PIL import Image, ImageOps

import gersp_mm.pretrain  # noqa: F401
from gersp_mm.pretrain.datasets import DualSourceIndex, ImageDecodeError
from gersp_mm.pretrain.datasets.dual_source_dataset import seeded_rng
from gersp_mm.pretrain.datasets.encoded_views import EncodedView, LoadEncodedMoCoViews, PackEncodedInputs, SourceImage
from gersp_mm.pretrain.datasets.transforms import (
    LoadMoCoViews,
    MoCoViewConfig,
    ViewParams,
    apply_view_params,
    draw_view_params,
)
from gersp_mm.pretrain.models import DeviceAugmentDataPreprocessor, DualSourceDataPreprocessor
from gersp_mm.pretrain.models.data_preprocessor import decode_source_images
from gersp_mm.pretrain.models.view_augment import apply_views
from tests.helpers import AERIAL_JPEG, ROOT

DATA = ROOT / 'tests' / 'data' / 'pretrain'
NATURAL = sorted((DATA / 'natural' / 'train').rglob('*.JPEG'))  # real ImageNet photos
MEAN, STD = [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]
IDENTITY_JITTER = (1.0, 1.0, 1.0, 0.0)


def rgb_of(path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert('RGB'))


def as_tensor(rgb: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(rgb.copy()).permute(2, 0, 1)


def device_views(rgb: np.ndarray, params) -> np.ndarray:
    return apply_views([as_tensor(rgb)] * len(params), params).permute(0, 2, 3, 1).numpy()


def reference_views(rgb: np.ndarray, params) -> np.ndarray:
    return np.stack([apply_view_params(rgb, view) for view in params]).astype(np.float32)


def encode(image: Image.Image, fmt: str = 'JPEG', **save_args) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **save_args)
    return buffer.getvalue()


class TestViewsAgainstTheCpuReference:

    @pytest.mark.parametrize('operation, amounts', [(0, (0.6, 0.97, 1.4)), (1, (0.6, 1.0000001, 1.4)),
                                                    (2, (0.6, 1.23, 1.4)), (3, (-0.5, -0.123, 0.001, 0.4))])
    def test_each_colour_operation_is_bit_exact(self, operation, amounts):
        """Every jitter operation on random colours, grey levels and pure hues: exactly Pillow's values."""
        rng = np.random.default_rng(operation)
        colours = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
        colours[0] = np.repeat(np.arange(0, 256, 4, dtype=np.uint8)[:, None], 3, axis=1)  # grey levels
        colours[1, :6] = [[255, 0, 0], [255, 255, 0], [0, 255, 0], [0, 255, 255], [0, 0, 255], [255, 0, 255]]
        params = []
        for amount in amounts:
            factors = list(IDENTITY_JITTER)
            factors[operation] = amount
            params.append(ViewParams(crop=(0, 0, 64, 64), output_size=64, grayscale=False,
                                     jitter_order=(operation, *(o for o in range(4) if o != operation)),
                                     jitter_factors=tuple(factors), flip=False))
        assert np.array_equal(device_views(colours, params), reference_views(colours, params))

    def test_grayscale_and_flip_are_bit_exact(self):
        colours = np.random.default_rng(5).integers(0, 256, (48, 48, 3), dtype=np.uint8)
        params = [ViewParams(crop=(0, 0, 48, 48), output_size=48, grayscale=gray, jitter_order=(0, 1, 2, 3),
                             jitter_factors=IDENTITY_JITTER, flip=flip) for gray in (False, True) for flip in (0, 1)]
        assert np.array_equal(device_views(colours, params), reference_views(colours, params))

    @pytest.mark.parametrize('path, output_size', [(AERIAL_JPEG, 224), (NATURAL[0], 224), (NATURAL[2], 64)])
    def test_random_views_of_real_images_within_a_fraction_of_a_grey_level(self, path, output_size):
        """MoCo-v1 views of real photos: mean |difference| < 1 grey level per view (measured 0.2-0.5),
        and with resampling only, inner pixels within 1 (the outer ring differs: see view_augment)."""
        rgb = rgb_of(path)
        rng = np.random.default_rng(0)
        params = [draw_view_params(rng, rgb.shape[:2], MoCoViewConfig(output_size=output_size)) for _ in range(8)]
        difference = np.abs(device_views(rgb, params) - reference_views(rgb, params))
        assert difference.reshape(len(params), -1).mean(axis=1).max() < 1.0
        assert difference.mean() < 0.5
        resample_only = [ViewParams(view.crop, output_size, False, (0, 1, 2, 3), IDENTITY_JITTER, False)
                         for view in params]
        inner = np.abs(device_views(rgb, resample_only) - reference_views(rgb, resample_only))[:, 1:-1, 1:-1]
        assert inner.max() <= 1

    def test_crop_outside_the_image_is_an_error(self):
        params = [ViewParams((0, 0, 9, 8), 4, False, (0, 1, 2, 3), IDENTITY_JITTER, False)]
        with pytest.raises(ValueError, match=r'crop \(0, 0, 9, 8\).*\(8, 8\)'):
            apply_views([torch.zeros(3, 8, 8, dtype=torch.uint8)], params)


class TestWorkerSide:

    @pytest.mark.parametrize('num_views, path', [(2, AERIAL_JPEG), (1, NATURAL[1])])
    def test_draws_the_cpu_pipelines_views_for_every_seed(self, num_views, path):
        """Same per-sample seeds -> identical parameters as LoadMoCoViews, hence the same distribution."""
        cpu, gpu = LoadMoCoViews(num_views=num_views, output_size=32), LoadEncodedMoCoViews(num_views=num_views,
                                                                                             output_size=32)
        for seed in range(40):
            with seeded_rng(seed):
                expected = cpu(dict(img_path=str(path)))['view_params']
            with seeded_rng(seed):
                result = gpu(dict(img_path=str(path)))
            assert result['view_params'] == expected, seed
            views = result['img'] if num_views > 1 else [result['img']]
            assert [view.params.to_dict() for view in views] == expected
            assert len({id(view.image) for view in views}) == 1  # one image shared by its views

    def test_jpegs_travel_encoded_and_odd_files_are_decoded_in_the_worker(self, tmp_path):
        rgb = np.ascontiguousarray(rgb_of(NATURAL[0])[:, :160])  # not square: a rotation swaps the sides
        image = Image.fromarray(rgb)
        exif = Image.Exif()
        exif[0x0112] = 6  # stored sideways: the reader must rotate it
        files = {
            'plain.jpg': AERIAL_JPEG.read_bytes(),
            'rotated.jpg': encode(image, exif=exif.tobytes()),
            'cmyk.jpg': encode(image.convert('CMYK')),
            'image.png': encode(image, 'PNG'),
        }
        for name, content in files.items():
            (tmp_path / name).write_bytes(content)
        transform = LoadEncodedMoCoViews(num_views=1, output_size=16)
        images = {name: transform(dict(img_path=str(tmp_path / name)))['img'].image for name in files}
        assert images['plain.jpg'].is_encoded and images['plain.jpg'].data.numel() == len(files['plain.jpg'])
        for name in ('rotated.jpg', 'cmyk.jpg', 'image.png'):
            source = images[name]
            assert not source.is_encoded, name
            with Image.open(tmp_path / name) as pil:
                expected = np.asarray(ImageOps.exif_transpose(pil).convert('RGB'))
            assert source.size_hw == expected.shape[:2], name
            assert np.array_equal(source.data.permute(1, 2, 0).numpy(), expected), name
        assert images['rotated.jpg'].size_hw == (rgb.shape[1], rgb.shape[0])

    def test_truncated_jpeg_is_an_image_error_in_the_worker(self, tmp_path):
        content = AERIAL_JPEG.read_bytes()
        (tmp_path / 'cut.jpg').write_bytes(content[:len(content) // 2])
        with pytest.raises(ImageDecodeError, match='cut.jpg'):
            LoadEncodedMoCoViews(num_views=2)(dict(img_path=str(tmp_path / 'cut.jpg')))

    def test_jpeg_draft_is_refused(self):
        with pytest.raises(TypeError, match='jpeg_draft'):
            LoadEncodedMoCoViews(jpeg_draft=True)

    def test_pack_keeps_encoded_views(self):
        view = EncodedView(SourceImage(torch.zeros(3, dtype=torch.uint8), (1, 1), 'x.jpg'),
                           ViewParams((0, 0, 1, 1), 1, False, (0, 1, 2, 3), IDENTITY_JITTER, False))
        packed = PackEncodedInputs()(dict(img=[view, view], gt_label=3))
        assert packed['inputs'] == [view, view] and int(packed['data_samples'].gt_label) == 3


def dual_source(gpu_path: bool):
    view_cfg = dict(output_size=48)
    if gpu_path:
        pipelines = [[dict(type='LoadEncodedMoCoViews', num_views=n, **view_cfg), dict(type='PackEncodedInputs')]
                     for n in (2, 1)]
    else:  # full-resolution decoding, the reference of the device path
        pipelines = [[dict(type='LoadMoCoViews', num_views=n, jpeg_draft=False, **view_cfg),
                      dict(type='PackInputs')] for n in (2, 1)]
    return DATASETS.build(dict(
        type='DualSourceDataset',
        rs=dict(type='UnlabeledImageFolder', data_root=str(DATA / 'aerial_800'), pipeline=pipelines[0]),
        natural=dict(type='CustomDataset', data_root=str(DATA / 'natural'), data_prefix='train',
                     pipeline=pipelines[1])))


class TestDataPreprocessor:

    def test_batch_matches_the_cpu_path(self):
        """Same indices and seeds through both data paths: the same normalised views within a fraction of a
        grey level, the labels kept, each image decoded once."""
        indices = [DualSourceIndex(0, natural, seed) for natural, seed in ((0, 11), (3, 12), (1, 13))]
        cpu_batch = pseudo_collate([dual_source(False)[i] for i in indices])
        gpu_batch = pseudo_collate([dual_source(True)[i] for i in indices])
        expected = DualSourceDataPreprocessor(mean=MEAN, std=STD, to_rgb=True)(cpu_batch)
        result = DeviceAugmentDataPreprocessor(mean=MEAN, std=STD)(gpu_batch)
        std = torch.tensor(STD).view(1, 3, 1, 1)
        for ours, theirs in zip(result['inputs'], expected['inputs']):
            assert ours.shape == theirs.shape == (3, 3, 48, 48)
            assert ((ours - theirs) * std).abs().mean() < 0.5
        assert [int(s.gt_label) for s in result['data_samples']] == [int(s.gt_label)
                                                                     for s in expected['data_samples']]

    def test_each_image_is_decoded_once(self, monkeypatch):
        from gersp_mm.pretrain.models import data_preprocessor
        decoded = []
        original = data_preprocessor.EncodedImage.decode_rgb
        monkeypatch.setattr(data_preprocessor.EncodedImage, 'decode_rgb',
                            lambda self, *a: decoded.append(self.path) or original(self, *a))
        batch = pseudo_collate([dual_source(True)[DualSourceIndex(0, 0, 5)]])
        DeviceAugmentDataPreprocessor()(batch)
        assert sorted(decoded) == sorted([str(AERIAL_JPEG), batch['data_samples'][0].img_path])

    def test_natural_view_has_its_own_statistics(self):
        image = SourceImage(torch.full((3, 4, 4), 100, dtype=torch.uint8), (4, 4), 'grey.png')
        view = EncodedView(image, ViewParams((0, 0, 4, 4), 4, False, (0, 1, 2, 3), IDENTITY_JITTER, False))
        out = DeviceAugmentDataPreprocessor(mean=[0, 0, 0], std=[1, 1, 1], natural_mean=[100, 90, 80],
                                            natural_std=[2, 2, 2])(dict(inputs=[[view], [view], [view]]))['inputs']
        assert torch.equal(out[0], torch.full((1, 3, 4, 4), 100.0))
        assert torch.equal(out[2][0, :, 0, 0], torch.tensor([0.0, 5.0, 10.0]))

    def test_header_and_pixels_disagreeing_is_an_error(self):
        image = SourceImage(torch.zeros(3, 4, 5, dtype=torch.uint8), (5, 4), 'liar.png')
        with pytest.raises(ImageDecodeError, match='liar.png'):
            decode_source_images([image], torch.device('cpu'))

    def test_other_inputs_are_refused(self):
        with pytest.raises(ValueError, match='LoadEncodedMoCoViews'):
            DeviceAugmentDataPreprocessor()(dict(inputs=[torch.zeros(1, 3, 2, 2, dtype=torch.uint8)] * 3))


def test_tiny_training_run_on_the_gpu_path_config(tmp_path):
    """tools/train.py on configs/pretrain/gersp_r18_tiny_gpu-aug.py, on the CPU: it trains and checkpoints."""
    result = subprocess.run([sys.executable, 'tools/train.py', 'configs/pretrain/gersp_r18_tiny_gpu-aug.py',
                             '--work-dir', str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=600,
                            env={**os.environ, 'PYTHONPATH': str(ROOT)})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert 'loss_contrastive' in result.stdout + result.stderr
    assert (tmp_path / 'epoch_2.pth').is_file()
