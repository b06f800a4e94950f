# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The scenes a worker keeps open (gersp_mm.raster.scene_cache): each header parsed once per process, at most
a few files open, a rewritten file reread, nothing shared with a forked worker, nothing left unclosed."""
import multiprocessing
import os
import subprocess
import sys

import numpy as np
import pytest
import tifffile
from mmpretrain.registry import TRANSFORMS

import gersp_mm.pretrain  # noqa: F401 - registers the pre-training transforms
from gersp_mm.pretrain.datasets import LoadImageUint8
from gersp_mm.raster.scene_cache import SceneCache

RASTER = dict(bands=(1, 2, 3), bit_depth=12)


def write_scene(path, seed: int = 0, side: int = 300) -> np.ndarray:
    """A tiled 12-bit R, G, B, NIR scene in GDAL's layout; returns its R, G, B mapped to 8 bits."""
    data = np.random.default_rng(seed).integers(0, 4096, (side, side, 4), dtype=np.uint16)
    tifffile.imwrite(path, data, photometric='minisblack', planarconfig='contig', tile=(64, 64))
    return np.rint(data[..., :3].astype(np.float64) * 255 / 4095).astype(np.uint8)


@pytest.fixture
def headers_parsed(monkeypatch):
    """The paths of the TIFF headers parsed (``tifffile.TiffFile`` opened by path), in order."""
    paths = []

    class CountingTiffFile(tifffile.TiffFile):
        def __init__(self, source, *args, **kwargs):
            if isinstance(source, (str, os.PathLike)):
                paths.append(str(source))
            super().__init__(source, *args, **kwargs)

    monkeypatch.setattr(tifffile, 'TiffFile', CountingTiffFile)
    return paths


def test_headers_are_parsed_once_per_worker_not_per_sample(tmp_path, headers_parsed):
    path = str(tmp_path / 'scene.tif')
    write_scene(path)
    transform = TRANSFORMS.build(dict(type='LoadMoCoViews', num_views=2, output_size=32, window_size=128,
                                      raster=RASTER))
    encoded = TRANSFORMS.build(dict(type='LoadEncodedMoCoViews', num_views=2, output_size=32, window_size=128,
                                    raster=RASTER))
    for seed in range(5):
        np.random.seed(seed)
        transform(dict(img_path=path))
        encoded(dict(img_path=path))
    assert headers_parsed.count(path) == 1


def test_a_rewritten_file_is_reread(tmp_path, headers_parsed):
    path = str(tmp_path / 'scene.tif')
    load = LoadImageUint8(RASTER)
    first = write_scene(path, seed=0, side=200)
    assert np.array_equal(load(dict(img_path=path))['img'][..., ::-1], first)
    second = write_scene(path, seed=1, side=200)  # the same size and layout, other values
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # a later write, whatever the clock
    assert np.array_equal(load(dict(img_path=path))['img'][..., ::-1], second)
    third = write_scene(path, seed=2, side=260)  # another size
    assert np.array_equal(load(dict(img_path=path))['img'][..., ::-1], third)
    assert headers_parsed.count(path) == 3


def test_open_files_are_bounded_and_closed_when_dropped(tmp_path):
    cache = SceneCache(capacity=2)
    paths = [str(tmp_path / f'{i}.tif') for i in range(4)]
    for i, path in enumerate(paths):
        write_scene(path, seed=i, side=100)
    held = cache.open(paths[0])  # in use while it is dropped from the cache
    scenes = [held]
    for path in paths[1:]:
        with cache.open(path) as scene:
            scenes.append(scene)
    assert len(cache) == 2
    assert [scene.tiff.filehandle.closed for scene in scenes] == [False, True, False, False]
    assert held.read((0, 0, 8, 8), [0]).shape == (8, 8, 1)  # still readable until its user closes it
    held.close()
    held.close()  # a second close changes nothing
    assert scenes[0].tiff.filehandle.closed
    with cache.open(paths[3]) as again:
        assert again.tiff is scenes[3].tiff  # kept open: not parsed again
    cache.clear()
    assert len(cache) == 0 and all(scene.tiff.filehandle.closed for scene in scenes)


def _read_in_child(path: str, parsed: list, pipe) -> None:
    before = len(parsed)
    image = LoadImageUint8(RASTER)(dict(img_path=path))['img']
    pipe.send((parsed[before:], image.shape))


@pytest.mark.skipif(sys.platform == 'win32', reason='fork')
def test_a_forked_worker_opens_its_own_files(tmp_path, headers_parsed):
    """A handle opened in the parent shares its file position with a forked DataLoader worker: the worker
    opens the file again."""
    path = str(tmp_path / 'scene.tif')
    write_scene(path)
    LoadImageUint8(RASTER)(dict(img_path=path))
    assert headers_parsed == [path]
    context = multiprocessing.get_context('fork')
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_read_in_child, args=(path, headers_parsed, send))
    child.start()
    parsed_in_child, shape = receive.recv()
    child.join()
    assert parsed_in_child == [path] and shape == (300, 300, 3)
    LoadImageUint8(RASTER)(dict(img_path=path))  # the parent's scene is still open and read
    assert headers_parsed == [path]


def test_no_file_left_unclosed_at_exit(tmp_path):
    """The scenes still open at exit are closed then (no ``unclosed file`` ResourceWarning), and so are those
    dropped from a full cache."""
    paths = [str(tmp_path / f'{i}.tif') for i in range(12)]
    for i, path in enumerate(paths):
        write_scene(path, seed=i, side=80)
    code = ('import gersp_mm.pretrain\n'
            'from gersp_mm.pretrain.datasets import LoadImageUint8\n'
            f'load = LoadImageUint8({RASTER!r})\n'
            f'for path in {paths!r}:\n'
            '    load(dict(img_path=path))\n')
    run = subprocess.run([sys.executable, '-X', 'dev', '-W', 'always::ResourceWarning', '-c', code],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert 'ResourceWarning' not in run.stderr and 'unclosed' not in run.stderr
