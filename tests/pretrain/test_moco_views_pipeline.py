# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The fast MoCo-v1 data path (``LoadMoCoViews``) on real images.

Checked against independent references: the mmpretrain/mmcv transforms the configs used before (their
parameter distributions, and their image operations at full resolution for given parameters), and
numpy implementations of the operation semantics that :mod:`view_params` documents.
"""
import io
import json
import math
import random
import subprocess
import sys
from pathlib import Path

import mmcv
import numpy as np
import pytest
import torch
from mmcv.transforms import RandomFlip, RandomGrayscale
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmpretrain.datasets.transforms import ColorJitter, RandomResizedCrop
from mmpretrain.registry import DATA_SAMPLERS, DATASETS, TRANSFORMS
from PIL import Image
from torch.utils.data import DataLoader

import gersp_mm.pretrain  # noqa: F401
from gersp_mm.pretrain.datasets import EncodedImage, ImageDecodeError, LoadImageUint8, decode_uint8_bgr
from gersp_mm.pretrain.datasets.transforms import (
    MoCoViewConfig,
    ViewParams,
    apply_view_params,
    draw_view_params,
    jpeg_reduction,
)
from tests.helpers import AERIAL_JPEG, ROOT, SCENE_JPEG


def reference_view(bgr: np.ndarray, params: ViewParams) -> np.ndarray:
    """The view as the previous pipeline computes it at full resolution (mmcv/mmpretrain ops), BGR."""
    top, left, height, width = params.crop
    img = mmcv.imcrop(bgr, np.array([left, top, left + width - 1, top + height - 1]))
    img = mmcv.imresize(img, (params.output_size, ) * 2, interpolation='bilinear', backend='pillow')
    if params.grayscale:
        gray = RandomGrayscale(prob=1.0, keep_channels=True, channel_weights=(0.114, 0.587, 0.2989))
        img = gray.transform(dict(img=img))['img']
    brightness, contrast, saturation, hue = params.jitter_factors
    for operation in params.jitter_order:
        if operation == 0:
            img = mmcv.adjust_brightness(img, brightness, backend='pillow')
        elif operation == 1:
            img = mmcv.adjust_contrast(img, contrast, backend='pillow')
        elif operation == 2:
            img = mmcv.adjust_color(img, alpha=saturation, backend='pillow')
        else:
            img = mmcv.adjust_hue(img, hue, backend='pillow')
    return mmcv.imflip(img) if params.flip else img


def load_views(path: Path, num_views: int, seed: int, **kwargs):
    transform = TRANSFORMS.build(dict(type='LoadMoCoViews', num_views=num_views, **kwargs))
    np.random.seed(seed)
    return transform(dict(img_path=str(path)))


def views_params(results) -> list:
    return [ViewParams.from_dict(d) for d in results['view_params']]


def mad(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.float64) - b.astype(np.float64)).mean())


class TestOperationSemantics:
    """Each documented formula, recomputed in numpy, against ``apply_view_params``."""

    @staticmethod
    def only(operation: int, factor: float, grayscale=False) -> ViewParams:
        factors = [1.0, 1.0, 1.0, 0.0]
        factors[operation] = factor
        return ViewParams(crop=(0, 0, 64, 64), output_size=64, grayscale=grayscale, jitter_order=(0, 1, 2, 3),
                          jitter_factors=tuple(factors), flip=False)

    @pytest.fixture(scope='class')
    def rgb(self):
        with Image.open(AERIAL_JPEG) as image:
            return np.asarray(image.convert('RGB').crop((300, 300, 364, 364)))

    @staticmethod
    def blend(degenerate, x, factor):
        y = np.float32(degenerate) + np.float32(factor) * (x.astype(np.float32) - np.float32(degenerate))
        return np.clip(np.trunc(y), 0, 255).astype(np.uint8)

    def test_brightness_contrast_saturation_grayscale(self, rgb):
        r, g, b = rgb.astype(np.int64).transpose(2, 0, 1)
        luma = (19595 * r + 38470 * g + 7471 * b + 32768) >> 16
        for factor in (0.6, 0.93, 1.37):
            assert np.array_equal(apply_view_params(rgb, self.only(0, factor)), self.blend(0, rgb, factor))
            mean = int(luma.mean() + 0.5)
            assert np.array_equal(apply_view_params(rgb, self.only(1, factor)), self.blend(mean, rgb, factor))
            assert np.array_equal(apply_view_params(rgb, self.only(2, factor)),
                                  self.blend(luma[..., None], rgb, factor))
        gray = np.floor(rgb.astype(np.float64) @ (np.array([0.2989, 0.587, 0.114]) / 0.9999)).astype(np.uint8)
        assert np.array_equal(apply_view_params(rgb, self.only(0, 1.0, grayscale=True)), np.dstack([gray] * 3))

    def test_hue_shift(self, rgb):
        x = rgb.astype(np.float32)
        maxc, minc = x.max(-1), x.min(-1)
        span = np.where(maxc > minc, maxc - minc, 1)
        rc, gc, bc = ((maxc - x[..., i]) / span for i in range(3))
        h = np.where(x[..., 0] == maxc, bc - gc, np.where(x[..., 1] == maxc, 2 + rc - bc, 4 + gc - rc))
        h = np.where(maxc > minc, np.fmod(h / 6 + 1, 1), 0)
        hue8 = np.trunc(h * 255).astype(np.int64)
        sat8 = np.where(maxc > minc, np.trunc(255 * (maxc - minc) / np.maximum(maxc, 1)), 0)
        for shift in (-0.4, -0.05, 0.21, 0.5):
            hh = (hue8 + int(shift * 255)) % 256
            i = np.floor(hh * 6 / 255)
            f, s, v = hh * 6 / 255 - i, sat8 / 255, maxc
            p, q, t = (np.round(v * (1 - s)), np.round(v * (1 - f * s)), np.round(v * (1 - (1 - f) * s)))
            sector = (i % 6).astype(int)[..., None]
            choices = [np.stack(c, -1) for c in ((v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q))]
            expected = np.choose(sector, choices)
            got = apply_view_params(rgb, self.only(3, shift)).astype(np.float64)
            assert np.abs(got - expected).max() <= 1, shift  # float32 vs float64 rounding of p, q, t
            assert np.mean(got == expected) > 0.99

    def test_identity_factors_skip_the_operation_and_flip_mirrors(self, rgb):
        identity = self.only(3, 0.0)
        assert np.array_equal(apply_view_params(rgb, identity), rgb)  # no lossy HSV round trip
        flipped = ViewParams(**{**identity.__dict__, 'flip': True})
        assert np.array_equal(apply_view_params(rgb, flipped), rgb[:, ::-1])


class TestDistribution:
    """The parameters drawn by ``draw_view_params`` follow the previous transforms' distribution."""

    N = 10000

    @staticmethod
    def ks_statistic(a, b) -> float:
        a, b = np.sort(a), np.sort(b)
        grid = np.concatenate([a, b])
        return float(np.abs(np.searchsorted(a, grid, 'right') / len(a)
                            - np.searchsorted(b, grid, 'right') / len(b)).max())

    def previous_draws(self, hw):
        np.random.seed(0)
        random.seed(0)
        crop = RandomResizedCrop(scale=224, crop_ratio_range=(0.2, 1.0), backend='pillow')
        jitter = ColorJitter(brightness=0.4, contrast=0.4, saturation=0.4, hue=0.4)
        gray = RandomGrayscale(prob=0.2, keep_channels=True, channel_weights=(0.114, 0.587, 0.2989))
        flip = RandomFlip(prob=0.5, direction='horizontal')
        image = np.zeros((*hw, 3), np.uint8)
        rows = []
        for _ in range(self.N):
            top, left, height, width = crop.rand_crop_params(image)
            is_gray = gray._random_prob() < gray.prob
            order, *factors = jitter._rand_params()
            rows.append(((top, left, height, width), is_gray, tuple(order), tuple(factors),
                         flip._choose_direction() == 'horizontal'))
        return rows

    def new_draws(self, hw):
        rng = np.random.default_rng(0)
        return [(p.crop, p.grayscale, p.jitter_order, p.jitter_factors, p.flip)
                for p in (draw_view_params(rng, hw, MoCoViewConfig()) for _ in range(self.N))]

    @pytest.mark.parametrize('hw', [(800, 800), (375, 500), (200, 900)])
    def test_same_distribution_as_the_previous_transforms(self, hw):
        old, new = self.previous_draws(hw), self.new_draws(hw)
        critical = 1.95 * math.sqrt(2 / self.N)  # two-sample KS at alpha = 0.001

        def features(rows):
            crops = np.array([r[0] for r in rows], np.float64)
            top, left, height, width = crops.T
            return dict(area=height * width / (hw[0] * hw[1]), log_ratio=np.log(width / height),
                        top=(top + 0.5) / (hw[0] - height + 1), left=(left + 0.5) / (hw[1] - width + 1),
                        **{name: np.array([r[3][i] for r in rows]) for i, name in
                           enumerate(('brightness', 'contrast', 'saturation', 'hue'))})

        old_features, new_features = features(old), features(new)
        for name in old_features:
            assert self.ks_statistic(old_features[name], new_features[name]) < critical, name
        for index, name, p in ((1, 'grayscale', 0.2), (4, 'flip', 0.5)):
            old_rate, new_rate = (np.mean([r[index] for r in rows]) for rows in (old, new))
            assert abs(old_rate - new_rate) < 4.5 * math.sqrt(2 * p * (1 - p) / self.N), name
        for rows in (old, new):
            orders = {}
            for r in rows:
                orders[r[2]] = orders.get(r[2], 0) + 1
            assert len(orders) == 24 and max(abs(c / self.N - 1 / 24) for c in orders.values()) < 0.008

    def test_the_comparison_detects_a_different_crop_law(self):
        # A uniform (instead of log-uniform) aspect ratio must fail the same test.
        rng = np.random.default_rng(1)
        uniform = np.log(rng.uniform(3 / 4, 4 / 3, self.N))
        log_uniform = rng.uniform(math.log(3 / 4), math.log(4 / 3), self.N)
        assert self.ks_statistic(uniform, log_uniform) > 1.95 * math.sqrt(2 / self.N)

    def test_params_round_trip_and_validation(self):
        params = draw_view_params(np.random.default_rng(3), (600, 400))
        assert ViewParams.from_dict(params.to_dict()) == params
        top, left, height, width = params.crop
        assert 0 <= top and top + height <= 600 and 0 <= left and left + width <= 400
        with pytest.raises(ValueError, match='crop_scale'):
            MoCoViewConfig(crop_scale=(0.5, 0.2))
        with pytest.raises(ValueError, match='hue'):
            MoCoViewConfig(hue=0.7)


class TestFastPathMatchesFullResolution:
    """For the same parameters, the fast path's views equal the previous pipeline's full-resolution views."""

    @pytest.fixture(scope='class')
    def full_bgr(self):
        return decode_uint8_bgr(AERIAL_JPEG.read_bytes(), str(AERIAL_JPEG))

    def test_full_resolution_decode(self, full_bgr):
        results = load_views(AERIAL_JPEG, 8, seed=0, output_size=224, jpeg_draft=False)
        for view, params in zip(results['img'], views_params(results)):
            # Only the resampling at the crop border differs (Pillow reads the pixels just outside the box).
            assert mad(view, reference_view(full_bgr, params)) < 0.25

    @pytest.mark.parametrize('output_size,reduction', [(224, 2), (128, 4), (64, 8)])
    def test_reduced_jpeg_decode(self, full_bgr, output_size, reduction):
        # crop_scale forces crops large enough for this reduction on the 800-px image
        transform = TRANSFORMS.build(dict(type='LoadMoCoViews', num_views=2, output_size=output_size,
                                          crop_scale=(0.95, 1.0), crop_ratio=(0.95, 1.05)))
        for seed in range(3):
            np.random.seed(seed)
            results = transform(dict(img_path=str(AERIAL_JPEG)))
            params = views_params(results)
            assert jpeg_reduction(params) == reduction
            for view, p in zip(results['img'], params):
                assert view.shape == (output_size, output_size, 3)
                assert mad(view, reference_view(full_bgr, p)) < 2.5  # the stated tolerance (typically ~1)

    def test_reduction_choice(self):
        def view(height, width, size=224):
            return ViewParams((0, 0, height, width), size, False, (0, 1, 2, 3), (1.0, 1.0, 1.0, 0.0), False)
        assert jpeg_reduction([view(1000, 900)]) == 4
        assert jpeg_reduction([view(1000, 900), view(447, 2000)]) == 1
        assert jpeg_reduction([view(448, 500), view(1800, 1800)]) == 2
        assert jpeg_reduction([view(1792, 1800)]) == 8
        assert jpeg_reduction([view(100, 100)]) == 1  # enlarged: full resolution

    def test_decoded_size_and_geometry(self):
        for reduction in (1, 2, 4, 8):
            encoded = EncodedImage(AERIAL_JPEG.read_bytes(), str(AERIAL_JPEG))
            image, scale = encoded.decode_rgb(reduction)
            assert encoded.size_hw == (800, 800) and image.size == (math.ceil(800 / reduction), ) * 2
            assert scale == 1 / reduction
        png = io.BytesIO()
        Image.open(SCENE_JPEG).save(png, format='PNG')
        image, scale = EncodedImage(png.getvalue(), 'x.png').decode_rgb(4)
        assert image.size == (256, 256) and scale == 1.0  # other formats: full decode

    def test_exif_rotated_jpeg_gives_the_views_of_the_upright_image(self, tmp_path):
        with Image.open(AERIAL_JPEG) as image:
            upright = image.convert('RGB').crop((0, 0, 800, 600))
        stored = upright.transpose(Image.Transpose.ROTATE_90)  # orientation 6 rotates it back upright
        exif = Image.Exif()
        exif[0x0112] = 6
        rotated_path, upright_path = tmp_path / 'rotated.jpg', tmp_path / 'upright.png'
        stored.save(rotated_path, quality=95, exif=exif.tobytes())
        with Image.open(rotated_path) as image:
            Image.fromarray(np.asarray(image.convert('RGB').transpose(Image.Transpose.ROTATE_270))).save(upright_path)
        encoded = EncodedImage(rotated_path.read_bytes(), 'rotated.jpg')
        assert encoded.size_hw == (600, 800) and not encoded.can_reduce()
        kwargs = dict(output_size=64, crop_scale=(0.9, 1.0))
        rotated, reference = load_views(rotated_path, 2, 5, **kwargs), load_views(upright_path, 2, 5, **kwargs)
        assert reference['view_params'] == rotated['view_params']
        assert all(np.array_equal(a, b) for a, b in zip(rotated['img'], reference['img']))


class TestLoading:

    def test_output_keys_and_seeding(self):
        one = load_views(SCENE_JPEG, 1, seed=4, output_size=64)
        assert one['img'].shape == (64, 64, 3) and one['img'].dtype == np.uint8
        assert one['ori_shape'] == (256, 256) and one['img_shape'] == (64, 64) and len(one['view_params']) == 1
        two = load_views(SCENE_JPEG, 2, seed=4, output_size=64)
        assert isinstance(two['img'], list) and len(two['img']) == 2
        assert two['view_params'][0] == one['view_params'][0]  # drawn in order from the seeded generator
        again = load_views(SCENE_JPEG, 2, seed=4, output_size=64)
        assert all(np.array_equal(a, b) for a, b in zip(two['img'], again['img']))
        assert not np.array_equal(load_views(SCENE_JPEG, 2, seed=5, output_size=64)['img'][0], two['img'][0])

    def test_views_are_bgr(self):
        results = load_views(SCENE_JPEG, 1, seed=0, output_size=64, grayscale_prob=0.0, brightness=0.0, contrast=0.0,
                             saturation=0.0, hue=0.0, flip_prob=0.0)
        params = views_params(results)[0]
        with Image.open(SCENE_JPEG) as image:
            rgb = np.asarray(image.convert('RGB'))
        assert np.array_equal(results['img'], apply_view_params(rgb, params)[..., ::-1])

    def test_every_kind_of_file_as_load_image_uint8_reads_it(self, tmp_path):
        rng = np.random.RandomState(0)
        rgb = np.asarray(Image.open(SCENE_JPEG).convert('RGB'))
        gray = rgb[..., 1]
        files = {
            'rgba.png': Image.fromarray(np.dstack([rgb, rng.randint(0, 256, gray.shape, dtype=np.uint8)])),
            'gray.jpg': Image.fromarray(gray),
            'sixteen.png': Image.fromarray(gray.astype(np.uint16) * 257 + 3),
            'palette.png': Image.fromarray(rgb).convert('P', palette=Image.ADAPTIVE),
            'cmyk.jpg': Image.fromarray(rgb).convert('CMYK'),
        }
        for name, image in files.items():
            image.save(tmp_path / name)
            raster = dict(value_range=(0, 65535)) if name == 'sixteen.png' else None  # 16 bits: a mapping is needed
            expected = LoadImageUint8(raster).transform(dict(img_path=str(tmp_path / name)))['img'][..., ::-1]
            for draft in (False, True):  # 128-px crops at 64 px: the JPEGs decode at 1/2
                results = load_views(tmp_path / name, 2, seed=1, output_size=64, crop_scale=(0.3, 1.0),
                                     crop_ratio=(1.0, 1.0), jpeg_draft=draft, raster=raster)
                for view, params in zip(results['img'], views_params(results)):
                    reference = apply_view_params(np.ascontiguousarray(expected), params)[..., ::-1]
                    if draft:
                        assert mad(view, reference) < 2.0, name
                    else:
                        assert np.array_equal(view, reference), name

    def test_unreadable_files_are_errors_naming_the_file(self, tmp_path):
        content = AERIAL_JPEG.read_bytes()
        (tmp_path / 'cut.jpg').write_bytes(content[:len(content) // 3])
        (tmp_path / 'noise.png').write_bytes(b'not an image')
        for name in ('cut.jpg', 'noise.png', 'missing.jpg'):
            with pytest.raises(ImageDecodeError, match=name):  # also when the JPEG is decoded at 1/8
                load_views(tmp_path / name, 2, seed=0, output_size=32, crop_scale=(0.9, 1.0))


def test_data_pipeline_benchmark_runs():
    """benchmarks/data_pipeline.py (its smallest setting) times the pipelines on the real images."""
    run = subprocess.run([sys.executable, 'benchmarks/data_pipeline.py', '--sets', '800', '--rounds', '1',
                          '--samples', '1', '--entries', '0'], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout[:run.stdout.rindex('}') + 1])
    result = report['throughput']['800']
    assert {'previous', 'fast', 'torchvision'} <= set(result['samples_per_second'])
    assert all(rate > 0 for rate in result['samples_per_second'].values())
    assert '| DIOR 00001.jpg, 800x800 (original file) |' in run.stdout


def test_views_do_not_depend_on_the_number_of_workers():
    """The tiny config's data loader gives the same batches with 0 and 2 workers (per-sample seeding)."""
    dataset_cfg = Config.fromfile(str(ROOT / 'configs' / 'pretrain' / 'gersp_r18_tiny.py')).train_dataloader.dataset
    dataset_cfg.rs.data_root = str(ROOT / 'tests' / 'data' / 'pretrain' / 'rs')
    dataset_cfg.natural.data_root = str(ROOT / 'tests' / 'data' / 'pretrain' / 'natural')
    dataset = DATASETS.build(dataset_cfg)
    batches = {}
    for workers in (0, 2):
        sampler = DATA_SAMPLERS.build(dict(type='DualSourceSampler', dataset=dataset, seed=3, epoch_length=3,
                                           batch_size=2))
        loader = DataLoader(dataset, batch_size=2, sampler=sampler, num_workers=workers, collate_fn=pseudo_collate)
        batches[workers] = [torch.stack([view for sample in batch['inputs'] for view in sample]) for batch in loader]
    assert len(batches[0]) == 3 and all(torch.equal(a, b) for a, b in zip(batches[0], batches[2]))


def test_pillow_pixel_limit_applies_to_the_decoded_size(monkeypatch):
    """A JPEG too large for Pillow's decompression-bomb limit is still read at a reduced scale."""
    monkeypatch.setattr(Image, 'MAX_IMAGE_PIXELS', 20_000)  # the 800x800 file has 640,000 pixels
    image, scale = EncodedImage(AERIAL_JPEG.read_bytes(), 'big.jpg').decode_rgb(8)
    assert image.size == (100, 100) and scale == 1 / 8
    with pytest.raises(ImageDecodeError, match=r'big\.jpg: decoding 800x800 pixels .*pre_resize'):
        EncodedImage(AERIAL_JPEG.read_bytes(), 'big.jpg').decode_rgb(1)
    assert Image.MAX_IMAGE_PIXELS == 20_000  # the limit is restored after opening
