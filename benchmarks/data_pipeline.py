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
2. Memory of an ``UnlabeledImageFolder`` holding a one-million-entry file list, in a fresh process each:
   resident-memory growth and peak while building it, serialised (mmengine's ``serialize_data``, our
   default) vs a plain list of dicts; and the private memory that each of 2 forked workers gains by
   reading every entry's metadata (copy-on-access of Python objects' reference counts is what makes
   data-loader workers grow with plain lists).

Example::

    OMP_NUM_THREADS=1 python benchmarks/data_pipeline.py --rounds 5 --samples 16 --entries 1000000
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
from typing import Callable, Dict, List

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


def torchvision_moco_v1(rs_root: str, natural_root: str) -> Callable[[int], object]:
    """MoCo v1's torchvision pipeline (its main_moco.py), two views of each remote-sensing image."""
    import torchvision.transforms as T
    augmentation = T.Compose([
        T.RandomResizedCrop(224, scale=(0.2, 1.)),
        T.RandomGrayscale(p=0.2),
        T.ColorJitter(0.4, 0.4, 0.4, 0.4),
        T.RandomHorizontalFlip(),
        T.ToTensor(),
        T.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ])
    rs_files = sorted(osp.join(rs_root, f) for f in os.listdir(rs_root))
    natural_files = sorted(osp.join(dp, f) for dp, _, fs in os.walk(natural_root) for f in fs)

    def load(path: str) -> Image.Image:  # torchvision's pil_loader
        with open(path, 'rb') as f:
            return Image.open(f).convert('RGB')

    def sample(i: int):
        rs = load(rs_files[i % len(rs_files)])
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
    parser.add_argument('--sets', nargs='+', default=list(IMAGE_SETS), choices=IMAGE_SETS,
                        help='remote-sensing image sets (default: all)')
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
    if args.entries:
        with tempfile.TemporaryDirectory() as tmp:
            report['memory'] = {f'serialize_data={flag}': metadata_memory(tmp, args.entries, flag)
                                for flag in (True, False)}
        report['entries'] = args.entries
    print(json.dumps(report, indent=2))
    if 'torchvision' in args.pipelines:
        print(markdown_table(throughput, args.pipelines))


if __name__ == '__main__':
    main()
