# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Data-side costs of GeRSP pre-training: pipeline throughput per worker, and dataset metadata memory.

1. GeRSP samples per second of ONE data-loader worker (this process, one thread; a sample is two
   remote-sensing views + one natural view at 224 px with MoCo-v1 augmentation) on REAL images: the
   800x800 DIOR aerial JPEG shipped in tests/data (original file), that image enlarged to 1600 and 3200 px
   (bicubic, JPEG q=90), the real DOTA images in ../shared/data/dota/images (1.6-2.3 kpx PNGs, re-encoded
   as JPEG q=90), with the real ImageNet JPEGs of ../shared/data/imagenet/imagenet_sample_images as the
   natural source. Pipelines, measured alternately in rounds (the order rotates each round) so that
   load from other processes hits all of them alike:

   - ``previous``: ``LoadImageUint8`` + ``MultiView`` of mmpretrain/mmcv ``RandomResizedCrop``,
     ``RandomGrayscale``, ``ColorJitter``, ``RandomFlip`` (the configs' pipeline before ``LoadMoCoViews``);
   - ``fast``: the pipeline of configs/pretrain/_base_/datasets/maid_imagenet_bs32.py (``LoadMoCoViews``);
   - ``gpu_worker``: the GPU path's worker side (configs/pretrain/gersp_r50_gpu-aug.py,
     ``LoadEncodedMoCoViews``: read the file and its header, draw the views; the device decodes and
     augments, see gpu_throughput.py);
   - ``torchvision``: the yardstick, MoCo v1's own torchvision pipeline (PIL loader, ``RandomResizedCrop
     (224, scale=(0.2, 1.))``, ``RandomGrayscale(0.2)``, ``ColorJitter(0.4, 0.4, 0.4, 0.4)``,
     ``RandomHorizontalFlip``, ``ToTensor``, ``Normalize``), one decode per image, two views of it.

   Ratios to the yardstick are taken within each round, and the medians over rounds are reported.
2. With ``--raster-side N`` (e.g. 10000): remote-sensing samples (2 views at 224 px, ``LoadMoCoViews``) per
   second of one worker from an N-px scene built from the real DOTA and DIOR images (tiled into a mosaic,
   flipped and rotated variants), stored as GDAL writes it: a 16-bit 4-band (R, G, B, NIR at 12 bits)
   GeoTIFF, pixel-interleaved, 256 px tiles, uncompressed (GDAL's default), uncompressed with internal
   overviews at 2, 4, 8 (``gdaladdo``; what a Cloud Optimized GeoTIFF has), and LZW with them; read by 1,000 px
   windows (``window_size=1000``, ``raster=dict(bands=(1, 2, 3), bit_depth=12)``), next to the same scene
   as one 8-bit JPEG (q=90, the same windows: decoded whole at a reduced scale) and a 1,000 px JPEG chip of
   it (views of the whole chip), with MoCo v1's torchvision pipeline on that chip as the yardstick (each file
   is read through once before its timing in each round, so that it is in the page cache: decoding is
   timed, not the disk); and the
   peak memory a worker gains reading 20 samples by windows, from the N-px scene and from an N/4-px one.
3. Memory of an ``UnlabeledImageFolder`` holding a one-million-entry file list, in a fresh process each:
   resident-memory growth and peak while building it, serialised (mmengine's ``serialize_data``, our
   default) vs a plain list of dicts; and the private memory that each of 2 forked workers gains by
   reading every entry's metadata (copy-on-access of Python objects' reference counts is what makes
   data-loader workers grow with plain lists).

Example::

    OMP_NUM_THREADS=1 python benchmarks/data_pipeline.py --rounds 5 --samples 16 --entries 1000000
    # windows of a 10,000 px 16-bit 4-band GeoTIFF scene next to JPEGs (only that part)
    OMP_NUM_THREADS=1 python benchmarks/data_pipeline.py --sets --raster-side 10000 --entries 0
    # one pipeline only, e.g. to profile it
    python -m cProfile -s tottime benchmarks/data_pipeline.py --sets 3200 --pipelines previous --rounds 1 \\
        --entries 0
"""
import argparse
import json
import os
import os.path as osp
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Callable, Dict, List, Optional

import cv2
import numpy as np
import torch
from benchmark_data import DIOR_IMAGE, ROOT, dual_source_dataset, save_dior_jpeg
from PIL import Image

SHARED = osp.join(osp.dirname(ROOT), 'shared', 'data')
DOTA_IMAGES = osp.join(SHARED, 'dota', 'images')
IMAGENET_IMAGES = osp.join(SHARED, 'imagenet', 'imagenet_sample_images')
IMAGE_SETS = ('800', '1600', '3200', 'dota')
VIEW_PIPELINE = [
    dict(type='RandomResizedCrop', scale=224, crop_ratio_range=(0.2, 1.0), backend='pillow'),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True, channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.4, hue=0.4),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
]


def write_image_set(name: str, folder: str) -> str:
    """Write one set of remote-sensing images; returns a description with the sizes."""
    os.makedirs(folder)
    if name == '800':
        shutil.copy(DIOR_IMAGE, osp.join(folder, '00001.jpg'))
        return 'DIOR 00001.jpg, 800x800 (original file)'
    if name == 'dota':
        sizes = []
        for file in sorted(os.listdir(DOTA_IMAGES)):
            with Image.open(osp.join(DOTA_IMAGES, file)) as image:
                image.convert('RGB').save(osp.join(folder, osp.splitext(file)[0] + '.jpg'), quality=90)
                sizes.append(f'{image.width}x{image.height}')
        return f'DOTA {", ".join(sizes)} (JPEG q=90)'
    side = int(name)
    save_dior_jpeg(osp.join(folder, '00001.jpg'), side)
    return f'DIOR 00001.jpg enlarged to {side}x{side} (bicubic, JPEG q=90)'


def write_natural_images(folder: str) -> None:
    """The real ImageNet sample JPEGs in ImageNet's train/<wnid>/ layout."""
    for file in sorted(os.listdir(IMAGENET_IMAGES)):
        wnid = file.split('_')[0]
        os.makedirs(osp.join(folder, 'train', wnid), exist_ok=True)
        shutil.copy(osp.join(IMAGENET_IMAGES, file), osp.join(folder, 'train', wnid, file))


def build_dual_source(rs_root: str, natural_root: str, rs_pipeline: list, natural_pipeline: list):
    from mmpretrain.registry import DATASETS
    return DATASETS.build(dual_source_dataset(rs_root, natural_root, rs_pipeline, natural_pipeline))


def torchvision_moco_v1(rs_root: str, natural_root: str, rs_files: Optional[List[str]] = None,
                        natural_files: Optional[List[str]] = None) -> Callable[[int], object]:
    """MoCo v1's torchvision pipeline (its main_moco.py), two views of each remote-sensing image (and one
    of a natural image, unless ``natural_files`` is empty)."""
    import torchvision.transforms as T
    augmentation = T.Compose([
        T.RandomResizedCrop(224, scale=(0.2, 1.)),
        T.RandomGrayscale(p=0.2),
        T.ColorJitter(0.4, 0.4, 0.4, 0.4),
        T.RandomHorizontalFlip(),
        T.ToTensor(),
        T.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ])
    if rs_files is None:
        rs_files = sorted(osp.join(rs_root, f) for f in os.listdir(rs_root))
    if natural_files is None:
        natural_files = sorted(osp.join(dp, f) for dp, _, fs in os.walk(natural_root) for f in fs)

    def load(path: str) -> Image.Image:  # torchvision's pil_loader
        with open(path, 'rb') as f:
            return Image.open(f).convert('RGB')

    def sample(i: int):
        rs = load(rs_files[i % len(rs_files)])
        if not natural_files:
            return augmentation(rs), augmentation(rs)
        return augmentation(rs), augmentation(rs), augmentation(load(natural_files[(i * 7) % len(natural_files)]))
    return sample


def build_pipelines(rs_root: str, natural_root: str, names: List[str]) -> Dict[str, Callable[[int], object]]:
    """name -> function(i) producing the i-th GeRSP sample (new pipelines are added here)."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import gersp_mm.pretrain  # noqa: F401
    from gersp_mm.pretrain.datasets import DualSourceIndex
    init_default_scope('mmpretrain')

    def dual_source(rs_pipeline, natural_pipeline):
        dataset = build_dual_source(rs_root, natural_root, rs_pipeline, natural_pipeline)
        num_rs, num_natural = len(dataset.rs), len(dataset.natural)
        return lambda i: dataset[DualSourceIndex(i % num_rs, (i * 7) % num_natural, i)]

    builders = {
        'previous': lambda: dual_source(
            [dict(type='LoadImageUint8'), dict(type='MultiView', num_views=2, transforms=[VIEW_PIPELINE]),
             dict(type='PackInputs')],
            [dict(type='LoadImageUint8'), *VIEW_PIPELINE, dict(type='PackInputs')]),
        'fast': lambda: dual_source(
            *(Config.fromfile(osp.join(ROOT, 'configs', 'pretrain', '_base_', 'datasets', 'maid_imagenet_bs32.py'))
              [key] for key in ('rs_pipeline', 'natural_pipeline'))),
        'torchvision': lambda: torchvision_moco_v1(rs_root, natural_root),
        'gpu_worker': lambda: dual_source(
            *(Config.fromfile(osp.join(ROOT, 'configs', 'pretrain', 'gersp_r50_gpu-aug.py'))[key]
              for key in ('rs_pipeline', 'natural_pipeline'))),
    }
    unknown = set(names) - set(builders)
    if unknown:
        raise ValueError(f'unknown pipelines {sorted(unknown)}; known: {sorted(builders)}')
    return {name: builders[name]() for name in names}


def pipeline_throughput(image_set: str, names: List[str], rounds: int, samples: int) -> dict:
    """Samples/s of each pipeline per round on one image set, and per-round ratios to the yardstick."""
    with tempfile.TemporaryDirectory() as tmp:
        description = write_image_set(image_set, osp.join(tmp, 'rs'))
        write_natural_images(osp.join(tmp, 'natural'))
        pipelines = build_pipelines(osp.join(tmp, 'rs'), osp.join(tmp, 'natural'), names)
        rates: Dict[str, List[float]] = {name: [] for name in names}
        for sample in pipelines.values():  # warm-up: caches, lazy imports
            sample(0)
        for round_index in range(rounds):
            order = names[round_index % len(names):] + names[:round_index % len(names)]
            for name in order:
                start = time.perf_counter()
                for i in range(samples):
                    pipelines[name](round_index * samples + i)
                rates[name].append(samples / (time.perf_counter() - start))
    result = dict(images=description, samples_per_second={n: statistics.median(r) for n, r in rates.items()},
                  rounds=rates)
    if 'torchvision' in names:
        result['ratio_to_torchvision'] = {
            n: statistics.median(a / b for a, b in zip(r, rates['torchvision'])) for n, r in rates.items()}
    return result


RASTER_MAPPING = dict(bands=(1, 2, 3), bit_depth=12)
RASTER_WINDOW = 1000
OVERVIEWS = (2, 4, 8)


def real_mosaic(side: int) -> np.ndarray:
    """A ``side x side`` RGB mosaic of the real DOTA and DIOR images (and their flips and rotations), cut
    into 1000 px blocks placed in turn."""
    sources = [np.asarray(Image.open(osp.join(DOTA_IMAGES, f)).convert('RGB')) for f in sorted(os.listdir(DOTA_IMAGES))]
    sources.append(np.asarray(Image.open(DIOR_IMAGE).convert('RGB').resize((1000, 1000), Image.Resampling.BICUBIC)))
    blocks = [np.rot90(image[:1000, :1000], k)[:, ::flip] for k in range(4) for flip in (1, -1) for image in sources]
    mosaic = np.empty((side, side, 3), np.uint8)
    for index, (top, left) in enumerate((t, x) for t in range(0, side, 1000) for x in range(0, side, 1000)):
        block = blocks[index % len(blocks)]
        mosaic[top:top + 1000, left:left + 1000] = block[:side - top, :side - left]
    return mosaic


def write_geotiff_scene(path: str, mosaic: np.ndarray, compression, overviews=()) -> None:
    """R, G, B, NIR (green) at 12 bits (v * 16 + v % 16) in a 16-bit pixel-interleaved GeoTIFF of 256 px
    tiles, written tile by tile; with internal overviews of the given factors (as ``gdaladdo -r average``:
    means of blocks, here of the 8-bit mosaic, with Pillow's ``Image.reduce``)."""
    import tifffile

    def tiles(image: np.ndarray):
        for top in range(0, image.shape[0], 256):
            for left in range(0, image.shape[1], 256):
                block = np.zeros((256, 256, 4), np.uint16)
                part = image[top:top + 256, left:left + 256].astype(np.uint16)
                rgbn = np.dstack([part, part[..., 1]])
                block[:part.shape[0], :part.shape[1]] = rgbn * 16 + rgbn % 16
                yield block

    options = dict(dtype=np.uint16, tile=(256, 256), photometric='minisblack', planarconfig='contig',
                   compression=compression)
    with tifffile.TiffWriter(path, bigtiff=mosaic.size * 8 // 3 > 2**31) as tif:
        tif.write(tiles(mosaic), shape=(*mosaic.shape[:2], 4), **options)
        for factor in overviews:
            level = np.asarray(Image.fromarray(mosaic).reduce(factor))
            tif.write(tiles(level), shape=(*level.shape[:2], 4), subfiletype=1, **options)


def raster_transform(**kwargs) -> Callable[[str, int], object]:
    from mmpretrain.registry import TRANSFORMS

    import gersp_mm.pretrain  # noqa: F401
    transform = TRANSFORMS.build(dict(type='LoadMoCoViews', num_views=2, output_size=224, crop_scale=(0.2, 1.0),
                                      **kwargs))

    def sample(path: str, i: int):
        np.random.seed(i)
        return transform(dict(img_path=path))
    return sample


WINDOW_MEMORY_PROBE = r'''
import json, numpy as np, sys
sys.path.insert(0, {benchmarks!r})
from data_pipeline import raster_transform
def peak():
    with open('/proc/self/status') as f:
        return int(dict(l.split(':', 1) for l in f if ':' in l)['VmHWM'].split()[0]) / 1024
sample = raster_transform(window_size={window}, raster={mapping!r})
sample({path!r}, 0)
before = peak()
for i in range(1, 21):
    sample({path!r}, i)
print(json.dumps(dict(peak_mb=peak(), growth_mb=peak() - before)))
'''


def window_memory(path: str) -> dict:
    """Peak memory of a fresh worker process reading 20 samples of ``path`` by windows."""
    code = WINDOW_MEMORY_PROBE.format(benchmarks=osp.dirname(osp.abspath(__file__)), window=RASTER_WINDOW,
                                      mapping=RASTER_MAPPING, path=path)
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def read_through(path: str) -> None:
    """Read a file once, so that it is in the page cache."""
    with open(path, 'rb') as f:
        while f.read(1 << 24):
            pass


def raster_throughput(side: int, rounds: int, samples: int) -> dict:
    """Samples/s of windows of a ``side`` px GeoTIFF scene vs the same scene as a JPEG and a 1,000 px JPEG
    chip of it (per round, alternating), and the memory of window reads at two scene sizes. OpenCV (the
    16-bit to 8-bit mapping) runs on one thread, as everything else here."""
    cv2.setNumThreads(1)
    with tempfile.TemporaryDirectory() as tmp:
        mosaic = real_mosaic(side)
        paths = dict(geotiff=osp.join(tmp, 'scene.tif'), geotiff_ovr=osp.join(tmp, 'scene_ovr.tif'),
                     geotiff_lzw_ovr=osp.join(tmp, 'scene_lzw_ovr.tif'), jpeg_scene=osp.join(tmp, 'scene.jpg'),
                     jpeg_chip=osp.join(tmp, 'chip.jpg'), small_geotiff=osp.join(tmp, 'small.tif'))
        write_geotiff_scene(paths['geotiff'], mosaic, None)
        write_geotiff_scene(paths['geotiff_ovr'], mosaic, None, OVERVIEWS)
        write_geotiff_scene(paths['geotiff_lzw_ovr'], mosaic, 'lzw', OVERVIEWS)
        write_geotiff_scene(paths['small_geotiff'], mosaic[:side // 4, :side // 4], None)
        Image.fromarray(mosaic).save(paths['jpeg_scene'], quality=90)
        Image.fromarray(mosaic[:RASTER_WINDOW, :RASTER_WINDOW]).save(paths['jpeg_chip'], quality=90)
        del mosaic
        windowed = raster_transform(window_size=RASTER_WINDOW, raster=RASTER_MAPPING)
        whole = raster_transform()
        chip_files = [paths['jpeg_chip']]
        torchvision_sample = torchvision_moco_v1(tmp, tmp, rs_files=chip_files, natural_files=[])
        pipelines = {
            'geotiff_window': lambda i: windowed(paths['geotiff'], i),
            'geotiff_ovr_window': lambda i: windowed(paths['geotiff_ovr'], i),
            'geotiff_lzw_ovr_window': lambda i: windowed(paths['geotiff_lzw_ovr'], i),
            'jpeg_scene_window': lambda i: windowed(paths['jpeg_scene'], i),
            'jpeg_chip': lambda i: whole(paths['jpeg_chip'], i),
            'torchvision_chip': torchvision_sample,
        }
        files = dict(geotiff_window='geotiff', geotiff_ovr_window='geotiff_ovr',
                     geotiff_lzw_ovr_window='geotiff_lzw_ovr', jpeg_scene_window='jpeg_scene')
        rates: Dict[str, List[float]] = {name: [] for name in pipelines}
        names = list(pipelines)
        for sample in pipelines.values():
            sample(0)
        for round_index in range(rounds):
            order = names[round_index % len(names):] + names[:round_index % len(names)]
            for name in order:
                if name in files:  # in the page cache, as the chip is: decoding is timed, not the disk
                    read_through(paths[files[name]])
                start = time.perf_counter()
                for i in range(samples):
                    pipelines[name](round_index * samples + i + 1)
                rates[name].append(samples / (time.perf_counter() - start))
        memory = {f'{side} px': window_memory(paths['geotiff']),
                  f'{side // 4} px': window_memory(paths['small_geotiff'])}
        sizes = {name: os.path.getsize(path) for name, path in paths.items()}
    return dict(scene=f'{side}x{side} px mosaic of the real DOTA/DIOR images', file_bytes=sizes,
                samples_per_second={n: statistics.median(r) for n, r in rates.items()},
                ratio_to_jpeg_chip={n: statistics.median(a / b for a, b in zip(r, rates['jpeg_chip']))
                                    for n, r in rates.items()},
                window_memory=memory, rounds=rates)


MEMORY_PROBE = r'''
import gc, json, os
def status(field, path='/proc/self/status'):
    with open(path) as f:
        fields = dict(line.split(':', 1) for line in f if ':' in line)
    return int(fields[field].split()[0]) / 1024
from gersp_mm.pretrain.datasets import UnlabeledImageFolder
before = status('VmRSS')
peak_before = status('VmHWM')
dataset = UnlabeledImageFolder(data_root={root_dir!r}, ann_file={ann!r}, serialize_data={serialize})
gc.collect()
after = status('VmRSS')
peak = status('VmHWM')
def worker(write_end):
    start = status('Private_Dirty', '/proc/self/smaps_rollup')
    for i in range(len(dataset)):
        dataset.get_data_info(i)
    grown = status('Private_Dirty', '/proc/self/smaps_rollup') - start
    os.write(write_end, json.dumps(grown).encode())
    os._exit(0)
growth = []
for _ in range(2):
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        worker(write_end)
    os.waitpid(pid, 0)
    growth.append(json.loads(os.read(read_end, 100)))
print(json.dumps(dict(dataset_rss_mb=after - before, peak_growth_mb=max(peak - peak_before, 0),
                      worker_private_growth_mb=growth)))
'''


def metadata_memory(tmp: str, entries: int, serialize: bool) -> dict:
    ann = osp.join(tmp, 'list.txt')
    if not osp.exists(ann):
        with open(ann, 'w') as f:
            for i in range(entries):
                f.write(f'train/l1_{i % 51:02d}/l2_{i % 7}/l3_{i % 3}/P{i:07d}.jpg\n')
    code = MEMORY_PROBE.format(root_dir=tmp, ann=ann, serialize=serialize)
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def markdown_table(results: Dict[str, dict], names: List[str]) -> str:
    compared = [n for n in names if n != 'torchvision']
    header = ['images', *(f'{n} (samples/s)' for n in names), *(f'{n} / torchvision' for n in compared)]
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    for result in results.values():
        cells = [result['images'], *(f'{result["samples_per_second"][n]:.1f}' for n in names),
                 *(f'{result["ratio_to_torchvision"][n]:.2f}' for n in compared)]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--sets', nargs='*', default=list(IMAGE_SETS), choices=IMAGE_SETS,
                        help='remote-sensing image sets (default: all; none with a bare --sets)')
    parser.add_argument('--raster-side', type=int, default=0,
                        help='side of the GeoTIFF scene read by windows (e.g. 10000; default 0: skip it)')
    parser.add_argument('--pipelines', nargs='+', default=['previous', 'fast', 'gpu_worker', 'torchvision'],
                        help='pipelines to time (default: previous fast gpu_worker torchvision)')
    parser.add_argument('--rounds', type=int, default=5, help='alternating rounds per image set')
    parser.add_argument('--samples', type=int, default=16, help='GeRSP samples per pipeline per round')
    parser.add_argument('--entries', type=int, default=1_000_000,
                        help='file-list entries for the memory test (0: skip it)')
    args = parser.parse_args()
    torch.set_num_threads(1)
    np.random.seed(0)
    throughput = {s: pipeline_throughput(s, args.pipelines, args.rounds, args.samples) for s in args.sets}
    report = dict(throughput=throughput)
    if args.raster_side:
        report['raster_windows'] = raster_throughput(args.raster_side, args.rounds, args.samples)
    if args.entries:
        with tempfile.TemporaryDirectory() as tmp:
            report['memory'] = {f'serialize_data={flag}': metadata_memory(tmp, args.entries, flag)
                                for flag in (True, False)}
        report['entries'] = args.entries
    print(json.dumps(report, indent=2))
    if 'torchvision' in args.pipelines and throughput:
        print(markdown_table(throughput, args.pipelines))


if __name__ == '__main__':
    main()
