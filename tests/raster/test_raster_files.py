# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""GeoTIFF / 16-bit / multi-band files at the layouts GDAL and sensors write, made with tifffile's own
writer (and OpenCV for 16-bit PNGs) from the real DIOR aerial JPEG: read as configured or refused by name.

The reference of every read is computed here, independently: the stored samples selected with numpy and
mapped with ``round((v - low) * 255 / (high - low))`` clipped to 0-255 in float64.
"""
import gc
import io
import subprocess
import sys
import warnings

import cv2
import numpy as np
import pytest
import tifffile
from mmcv.transforms import LoadImageFromFile
from mmengine.config import Config
from mmpretrain.registry import DATASETS, TRANSFORMS
from PIL import Image

import gersp_mm.pretrain  # noqa: F401 - registers the pre-training transforms
from gersp_mm.pretrain.datasets import ImageDecodeError, LoadImageUint8
from gersp_mm.pretrain.datasets.transforms import ViewParams, apply_view_params
from gersp_mm.raster import BandMapping, LoadRasterImage, TiffScene
from tests.helpers import AERIAL_JPEG, ROOT

GDAL_NODATA = 42113


@pytest.fixture(scope='module')
def rgb():
    """A 200x240 crop of the real DIOR JPEG, 8-bit RGB."""
    with Image.open(AERIAL_JPEG) as image:
        return np.asarray(image.convert('RGB'))[100:300, 50:290].copy()


def twelve_bit(rgb: np.ndarray) -> np.ndarray:
    """R, G, B, NIR at 12 bits (0-4095): the 8-bit image times 16 plus its low bits, NIR from green."""
    rgbn = np.dstack([rgb, rgb[..., 1]]).astype(np.uint16)
    return rgbn * 16 + (rgbn % 16)


def stretch(samples: np.ndarray, low: float, high: float) -> np.ndarray:
    return np.clip(np.rint((samples.astype(np.float64) - low) * 255 / (high - low)), 0, 255).astype(np.uint8)


def write_gdal(path, bands_last: np.ndarray, planar: str = 'separate', photometric: str = 'minisblack',
               **kwargs) -> str:
    """Write ``(H, W, C)`` as GDAL does: band-interleaved (``separate``) or pixel-interleaved ``contig``."""
    data = bands_last.transpose(2, 0, 1) if planar == 'separate' else bands_last
    tifffile.imwrite(path, data, photometric=photometric, planarconfig=planar, **kwargs)
    return str(path)


def load_uint8(path, **raster) -> np.ndarray:
    """LoadImageUint8 (the pre-training loader's decoding) as RGB."""
    return LoadImageUint8(raster or None).transform(dict(img_path=str(path)))['img'][..., ::-1]


def load_raster(path, **raster) -> np.ndarray:
    """LoadRasterImage (the det/seg/cls loading transform) as RGB."""
    return LoadRasterImage(raster or None).transform(dict(img_path=str(path)))['img'][..., ::-1]


class TestBitDepth:

    def test_12bit_tiff_and_png_refused_without_mapping_and_right_with_bit_depth(self, rgb, tmp_path):
        data = twelve_bit(rgb)[..., :3]
        tif = write_gdal(tmp_path / 'rgb12.tif', data, planar='contig', photometric='rgb', compression='lzw')
        png = tmp_path / 'rgb12.png'
        cv2.imwrite(str(png), np.ascontiguousarray(data[..., ::-1]))
        expected = stretch(data, 0, 4095)
        assert np.abs(expected.astype(int) - rgb).mean() < 0.6  # the true image, not its high byte (0-15)
        for path in (tif, png):
            for load in (load_uint8, load_raster):
                with pytest.raises(ImageDecodeError, match=r'rgb12\.(tif|png): 16-bit uint16 samples.*set bit_depth'):
                    load(path)
                assert np.array_equal(load(path, bit_depth=12), expected), (path, load)
            with pytest.raises(ImageDecodeError, match=r'values up to \d+ exceed bit_depth=8'):
                load_uint8(path, bit_depth=8)
        # OpenCV, mmcv's LoadImageFromFile, takes the high byte of the 16-bit PNG in silence
        silent = LoadImageFromFile().transform(dict(img_path=str(png)))['img'][..., ::-1]
        assert silent.max() <= 16

    def test_value_range_and_percentiles(self, rgb, tmp_path):
        data = twelve_bit(rgb)[..., :3]
        path = write_gdal(tmp_path / 'x.tif', data, tile=(64, 64))
        assert np.array_equal(load_uint8(path, value_range=(100, 3000)), stretch(data, 100, 3000))
        low, high = np.percentile(data.reshape(-1, 3).astype(np.float64), (2, 98), axis=0)
        expected = np.dstack([stretch(data[..., b], low[b], high[b]) for b in range(3)])
        assert np.array_equal(load_uint8(path, percentiles=(2, 98)), expected)


class TestBands:

    @pytest.mark.parametrize('planar', ['separate', 'contig'])
    @pytest.mark.parametrize('dtype', ['uint8', 'uint16'])
    def test_gdal_minisblack_4_bands(self, rgb, tmp_path, planar, dtype):
        data = twelve_bit(rgb) if dtype == 'uint16' else np.dstack([rgb, rgb[..., 1] // 2])
        path = write_gdal(tmp_path / 'rgbn.tif', data, planar=planar, tile=(64, 64), compression='deflate')
        mapping = dict(bit_depth=12) if dtype == 'uint16' else {}
        for load in (load_uint8, load_raster):
            with pytest.raises(ImageDecodeError, match=r'rgbn.tif: 4 bands .*PHOTOMETRIC=MINISBLACK, '
                                                       rf'PLANARCONFIG={planar.upper()}.*set bands=\(R, G, B\)'):
                load(path, **mapping)
            to8 = (lambda x: stretch(x, 0, 4095)) if dtype == 'uint16' else (lambda x: x)
            assert np.array_equal(load(path, bands=(1, 2, 3), **mapping), to8(data[..., [0, 1, 2]]))
            assert np.array_equal(load(path, bands=(4, 1, 2), **mapping), to8(data[..., [3, 0, 1]]))
            assert np.array_equal(load(path, bands=(4,), **mapping), to8(data[..., [3, 3, 3]]))
            with pytest.raises(ImageDecodeError, match=r'bands=\(5, 2, 1\) asks for band 5 but the file has 4'):
                load(path, bands=(5, 2, 1), **mapping)
        # OpenCV, mmcv's LoadImageFromFile, reads 3 of the 4 bands in silence
        if dtype == 'uint8':
            assert LoadImageFromFile().transform(dict(img_path=path))['img'].shape == rgb.shape

    def test_4th_band_tagged_alpha_is_not_dropped_in_silence(self, rgb, tmp_path):
        data = np.dstack([rgb, rgb[..., 1] // 3])
        path = write_gdal(tmp_path / 'rgba.tif', data, planar='contig', photometric='rgb', extrasamples=['unassalpha'])
        with Image.open(path) as image:
            assert image.mode == 'RGBA'  # Pillow takes the NIR band as alpha (and the old loader dropped it)
        with pytest.raises(ImageDecodeError, match=r'rgba.tif: 4 bands .*EXTRASAMPLES=UNASSALPHA.*alpha may be NIR'):
            load_uint8(path)
        assert np.array_equal(load_uint8(path, bands=(1, 2, 3)), rgb)
        assert np.array_equal(load_uint8(path, bands=(4, 2, 3))[..., 0], data[..., 3])

    def test_13_band_sentinel2_style(self, rgb, tmp_path):
        rng = np.random.default_rng(0)
        data = rng.integers(0, 12000, (rgb.shape[0], rgb.shape[1], 13), dtype=np.uint16)
        data[..., 3], data[..., 2], data[..., 1] = (rgb.astype(np.uint16) * 39).transpose(2, 0, 1)  # B4, B3, B2
        path = write_gdal(tmp_path / 's2.tif', data, tile=(64, 64), compression='zstd')
        with pytest.raises(ImageDecodeError, match=r's2.tif: 13 bands .*bands=\(4, 3, 2\) for Sentinel-2'):
            load_raster(path, value_range=(0, 10000))
        expected = stretch(data[..., [3, 2, 1]], 0, 10000)
        assert np.array_equal(load_raster(path, bands=(4, 3, 2), value_range=(0, 10000)), expected)
        assert np.abs(expected.astype(int) - rgb).mean() < 0.6


def test_nodata_left_out_of_the_stretch_and_black(rgb, tmp_path):
    data = twelve_bit(rgb)[..., :3] + 1
    data[:30] = 0  # a nodata border, as GDAL writes around a rotated footprint
    data[50:60, :, 0] = 0  # a true 0 in one band only: not nodata
    path = write_gdal(tmp_path / 'nodata.tif', data, tile=(64, 64),
                      extratags=[(GDAL_NODATA, 's', 0, '0', True)])
    with TiffScene(path, path) as scene:
        assert scene.nodata == 0.0
    out = load_uint8(path, percentiles=(2, 98))
    valid = data[30:].reshape(-1, 3).astype(np.float64)
    low, high = np.percentile(valid, (2, 98), axis=0)
    expected = np.dstack([stretch(data[..., b], low[b], high[b]) for b in range(3)])
    expected[:30] = 0
    assert np.array_equal(out, expected)
    # the file's nodata can be overridden: with nodata=-1 the border enters the percentiles
    assert not np.array_equal(load_uint8(path, percentiles=(2, 98), nodata=-1), expected)


def test_float_reflectance_with_nan_nodata(rgb, tmp_path):
    """Float32 reflectance (0-1, as atmospheric correction writes it) with NaN where there is no data."""
    data = rgb.astype(np.float32) / 850  # reflectance up to 0.3
    data[:, :20] = np.nan
    path = write_gdal(tmp_path / 'refl.tif', data, tile=(64, 64), compression='deflate')
    with pytest.raises(ImageDecodeError, match=r'refl.tif: 32-bit float32 samples.*value_range=\(low, high\)'):
        load_raster(path)
    expected = stretch(np.nan_to_num(data), 0, 0.3)
    expected[:, :20] = 0
    assert np.array_equal(load_raster(path, value_range=(0, 0.3)), expected)


def test_8bit_rgb_files_are_read_as_before_bit_for_bit(rgb, tmp_path):
    """8-bit RGB TIFFs (striped, tiled, LZW) give the pixels of the same image as PNG through the old path
    (Pillow), and LoadRasterImage gives LoadImageFromFile's output for JPEG, PNG and TIFF."""
    Image.fromarray(rgb).save(tmp_path / 'x.png')
    Image.fromarray(rgb).save(tmp_path / 'x.jpg', quality=90)
    paths = [tmp_path / 'x.png', tmp_path / 'x.jpg',
             write_gdal(tmp_path / 'striped.tif', rgb, planar='contig', photometric='rgb'),
             write_gdal(tmp_path / 'tiled.tif', rgb, planar='contig', photometric='rgb', tile=(64, 64),
                        compression='lzw')]
    for path in paths[2:]:
        with TiffScene(path, path) as scene:
            assert scene.is_plain_8bit
        assert np.array_equal(load_uint8(path), rgb)
    for path in paths:
        plain = LoadImageFromFile().transform(dict(img_path=str(path)))['img']
        assert np.array_equal(LoadRasterImage().transform(dict(img_path=str(path)))['img'], plain)


class TestWindows:

    def scene(self, tmp_path, rgb, **kwargs):
        data = np.tile(twelve_bit(rgb), (3, 3, 1))  # 600x720, 4 bands
        return data, write_gdal(tmp_path / 'scene.tif', data, **kwargs)

    @pytest.mark.parametrize('layout', [dict(tile=(64, 64), compression='lzw'), dict(rowsperstrip=16)])
    def test_views_of_a_large_scene_read_only_their_window(self, rgb, tmp_path, monkeypatch, layout):
        data, path = self.scene(tmp_path, rgb, **layout)
        boxes = []
        read = TiffScene.read
        monkeypatch.setattr(TiffScene, 'read', lambda self, box, bands: boxes.append(box) or read(self, box, bands))
        transform = TRANSFORMS.build(dict(type='LoadMoCoViews', num_views=2, output_size=32, window_size=128,
                                          raster=dict(bands=(1, 2, 3), bit_depth=12), jpeg_draft=False))
        full = stretch(data[..., :3], 0, 4095)
        windows = set()
        for seed in range(6):
            np.random.seed(seed)
            results = transform(dict(img_path=path))
            assert results['ori_shape'] == (600, 720)
            params = [ViewParams.from_dict(d) for d in results['view_params']]
            top = min(p.crop[0] for p in params)
            left = min(p.crop[1] for p in params)
            assert max(p.crop[0] + p.crop[2] for p in params) - top <= 128  # both views in one window
            assert max(p.crop[1] + p.crop[3] for p in params) - left <= 128
            windows.add((top // 128, left // 128))
            for view, p in zip(results['img'], params):  # = the views of the whole image decoded
                assert np.array_equal(view[..., ::-1], apply_view_params(full, p))
        assert len(windows) > 1  # windows drawn over the scene
        assert all(box[2] <= 128 + 2 * 6 and box[3] <= 128 + 2 * 6 for box in boxes)  # window + filter margin

    def test_large_crops_read_from_the_overviews(self, rgb, tmp_path, monkeypatch):
        """A scene with GDAL-style internal overviews (2x and 4x block means, tagged reduced) is read from the
        overview a JPEG would be decoded at (jpeg_draft): views within the JPEG draft's bound of the
        full-resolution views."""
        data = np.tile(twelve_bit(rgb), (3, 3, 1))[:512, :640]
        path = str(tmp_path / 'ovr.tif')
        with tifffile.TiffWriter(path) as tif:
            tif.write(data, photometric='minisblack', planarconfig='contig', tile=(64, 64))
            for f in (2, 4):
                level = data.reshape(512 // f, f, 640 // f, f, 4).mean(axis=(1, 3)).round().astype(np.uint16)
                tif.write(level, photometric='minisblack', planarconfig='contig', tile=(64, 64), subfiletype=1)
        with TiffScene(path, path) as scene:
            assert sorted(scene.overviews) == [2, 4]
        factors = []
        read = TiffScene.read
        monkeypatch.setattr(TiffScene, 'read', lambda self, box, bands, factor=1: factors.append(factor)
                            or read(self, box, bands, factor))
        transform = TRANSFORMS.build(dict(type='LoadMoCoViews', num_views=2, output_size=48, window_size=400,
                                          raster=dict(bands=(1, 2, 3), bit_depth=12)))
        full = stretch(data[..., :3], 0, 4095)
        for seed in range(6):
            np.random.seed(seed)
            results = transform(dict(img_path=path))
            for view, params in zip(results['img'], results['view_params']):
                reference = apply_view_params(full, ViewParams.from_dict(params))
                assert np.abs(view[..., ::-1].astype(float) - reference).mean() < 2.5
        assert max(factors) > 1  # large crops from an overview

    def test_gpu_path_worker_ships_only_the_region(self, rgb, tmp_path):
        data, path = self.scene(tmp_path, rgb, tile=(64, 64))
        cfg = dict(num_views=2, output_size=32, window_size=128, raster=dict(bands=(1, 2, 3), bit_depth=12))
        np.random.seed(3)
        cpu = TRANSFORMS.build(dict(type='LoadMoCoViews', jpeg_draft=False, **cfg))(dict(img_path=path))
        np.random.seed(3)
        worker = TRANSFORMS.build(dict(type='LoadEncodedMoCoViews', **cfg))(dict(img_path=path))
        assert worker['view_params'] == cpu['view_params']
        source = worker['img'][0].image
        assert not source.is_encoded and max(source.size_hw) <= 128 + 12
        region = source.data.permute(1, 2, 0).numpy()
        for encoded, view in zip(worker['img'], cpu['img']):
            assert np.array_equal(apply_view_params(region, encoded.params), view[..., ::-1])


def test_geotiff_config_reads_scenes_by_windows(rgb, tmp_path):
    """configs/pretrain/gersp_r50_geotiff.py's remote-sensing source on a folder of 1,200 px GDAL-layout scenes."""
    (tmp_path / 'scenes').mkdir()
    write_gdal(tmp_path / 'scenes' / 'a.tif', np.tile(twelve_bit(rgb), (6, 5, 1)), planar='contig', tile=(256, 256),
               compression='lzw')
    rs = Config.fromfile(str(ROOT / 'configs' / 'pretrain' / 'gersp_r50_geotiff.py')).train_dataloader.dataset.rs
    rs.data_root = str(tmp_path / 'scenes')
    np.random.seed(0)
    item = DATASETS.build(rs)[0]
    assert [tuple(view.shape) for view in item['inputs']] == [(3, 224, 224)] * 2
    assert item['data_samples'].ori_shape == (1200, 1200)


def test_readers_close_their_files(rgb, tmp_path):
    """No ``unclosed file`` ResourceWarning from any loader, on any kind of file."""
    Image.fromarray(rgb).save(tmp_path / 'x.jpg')
    Image.fromarray(rgb).save(tmp_path / 'x.png')
    paths = [tmp_path / 'x.jpg', tmp_path / 'x.png',
             write_gdal(tmp_path / 'plain.tif', rgb, planar='contig', photometric='rgb'),
             write_gdal(tmp_path / 'rgbn.tif', twelve_bit(rgb), tile=(64, 64))]
    raster = dict(bands=(1, 2, 3), bit_depth=12)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        for path in paths:
            options = raster if str(path).endswith('rgbn.tif') else None
            for cfg in (dict(type='LoadMoCoViews', num_views=2, window_size=150),
                        dict(type='LoadEncodedMoCoViews', num_views=2), dict(type='LoadImageUint8'),
                        dict(type='LoadRasterImage')):
                TRANSFORMS.build(dict(cfg, raster=options))(dict(img_path=str(path)))
            with pytest.raises(ImageDecodeError):  # refused files are closed too
                LoadImageUint8().transform(dict(img_path=str(paths[-1])))
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_lzw_without_imagecodecs_names_the_extra(rgb, tmp_path):
    path = write_gdal(tmp_path / 'lzw.tif', twelve_bit(rgb), tile=(64, 64), compression='lzw')
    code = ('import sys; sys.modules["imagecodecs"] = None\n'
            'from gersp_mm.raster import TiffScene\n'
            f'TiffScene({path!r}, {path!r}).read((0, 0, 10, 10), [0])')
    run = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert run.returncode == 1
    assert 'lzw.tif' in run.stderr and 'COMPRESSION=LZW' in run.stderr and 'gersp_mm[raster]' in run.stderr


@pytest.mark.parametrize('low, high', [(0, 4095), (0, 2047), (0, 16383), (0, 65535), (0, 10000), (0, 510),
                                       (100, 3000), (12.5, 99.25), (0, 0.5)])
def test_value_mapping_is_exact_on_every_sample_value(low, high):
    """Every uint16 value (and every uint8 one), contiguous or not, maps as the float64 reference does, whichever
    routine maps it (OpenCV where it is exact, a lookup table otherwise)."""
    values = np.arange(65536, dtype=np.uint16).reshape(256, 256, 1)
    samples = np.repeat(values, 3, axis=2)
    mapping = BandMapping(value_range=(low, high))
    expected = stretch(samples, low, high)
    assert np.array_equal(mapping.to_uint8(samples, None, 'x'), expected)
    assert np.array_equal(mapping.to_uint8(np.repeat(values, 4, axis=2)[..., 1:], None, 'x'), expected)
    assert np.array_equal(mapping.to_uint8(samples[:1, :7], None, 'x'), expected[:1, :7])  # a scalar-loop tail
    eight = np.repeat(np.arange(256, dtype=np.uint8).reshape(16, 16, 1), 3, axis=2)
    assert np.array_equal(mapping.to_uint8(eight, None, 'x'), stretch(eight, low, high))
    if low == 0 and high in (2047, 4095, 16383, 65535):
        bits = int(high).bit_length()
        assert np.array_equal(BandMapping(bit_depth=bits).to_uint8(samples[:high // 256 + 1], None, 'x'),
                              expected[:high // 256 + 1])


def test_raw_reads_match_tifffile_decoding(tmp_path):
    """Uncompressed segments read straight from the file give what tifffile decodes (the same file from
    memory), in every layout: 8/16-bit and float, 3 and 4 bands, pixel- and band-interleaved, tiles and strips
    (a short last strip), both byte orders, sparse tiles; bands selected by OpenCV's channel swaps or one by one."""
    rng = np.random.default_rng(0)
    layouts = [dict(tile=(32, 48)), dict(rowsperstrip=7), dict(rowsperstrip=1)]
    for n, (dtype, planar, layout, byteorder, num_bands) in enumerate(
            (d, p, lay, b, c) for d in (np.uint8, np.uint16, np.float32) for p in ('contig', 'separate')
            for lay in layouts for b in ('<', '>') for c in (3, 4)):
        data = rng.integers(0, 4096, (101, 131, num_bands))
        path = write_gdal(tmp_path / f'{n}.tif', data.astype(dtype), planar=planar, byteorder=byteorder, **layout)
        with open(path, 'rb') as f, TiffScene(path, path) as raw, TiffScene(io.BytesIO(f.read()), path) as decoded:
            for top, left, height, width, bands in [
                    (0, 0, 101, 131, list(range(num_bands))), (5, 9, 40, 70, [2, 1, 0]), (1, 30, 99, 70, [0, 1, 2]),
                    (33, 47, 68, 1, [num_bands - 1]), (100, 0, 1, 131, [1, 1, 1])]:
                window = raw.read((top, left, height, width), bands)
                assert window.dtype == dtype
                assert np.array_equal(window, decoded.read((top, left, height, width), bands))
                assert np.array_equal(window, data[top:top + height, left:left + width][..., bands].astype(dtype))
    data = rng.integers(0, 4096, (101, 131, 4))
    path = write_gdal(tmp_path / 'sparse.tif', data.astype(np.uint16), planar='contig', tile=(32, 32))
    with tifffile.TiffFile(path, mode='r+') as tif:
        counts = tif.pages.first.tags['TileByteCounts']
        counts.overwrite((0, *counts.value[1:]))  # the first tile not written (GDAL's SPARSE_OK)
    with TiffScene(path, path) as scene:
        window = scene.read((0, 0, 40, 40), [0, 1, 2])
    expected = data[:40, :40, :3].astype(np.uint16)
    expected[:32, :32] = 0
    assert np.array_equal(window, expected)


def test_band_mapping_arguments_are_checked():
    with pytest.raises(ValueError, match='one of value_range, bit_depth and percentiles'):
        BandMapping(bit_depth=12, percentiles=(2, 98))
    with pytest.raises(ValueError, match='1-based'):
        BandMapping(bands=(0, 1, 2))
    with pytest.raises(TypeError, match="raster=.*'band'.*the keys are bands"):
        LoadImageUint8(dict(band=(1, 2, 3)))


def test_load_raster_image_is_found_by_every_host():
    from mmdet.registry import TRANSFORMS as DET_TRANSFORMS
    from mmseg.registry import TRANSFORMS as SEG_TRANSFORMS
    for registry in (DET_TRANSFORMS, SEG_TRANSFORMS, TRANSFORMS):
        assert type(registry.build(dict(type='LoadRasterImage', raster=dict(bit_depth=12)))) is LoadRasterImage
