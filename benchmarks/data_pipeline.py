# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Data-side costs of GeRSP pre-training: pipeline throughput per worker, and dataset metadata memory.

1. Samples per second of ONE data-loader worker (the dual-source pipeline in the calling process: two
   remote-sensing views + one natural view at 224 px, MoCo-v1 augmentation) on generated JPEGs of the
   size of Million-AID/ImageNet images.
2. Memory of an ``UnlabeledImageFolder`` holding a one-million-entry file list, in a fresh process each:
   resident-memory growth and peak while building it, serialised (mmengine's ``serialize_data``, our
   default) vs a plain list of dicts; and the private memory that each of 2 forked workers gains by
   reading every entry's metadata (copy-on-access of Python objects' reference counts is what makes
   data-loader workers grow with plain lists).

Example::

    python benchmarks/data_pipeline.py --images 64 --samples 64 --entries 1000000
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

VIEWS = [
    dict(type='RandomResizedCrop', scale=224, crop_ratio_range=(0.2, 1.0), backend='pillow'),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True, channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.4, hue=0.4),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
]


def write_images(folder: str, count: int, size: tuple) -> None:
    rng = np.random.RandomState(0)
    os.makedirs(folder, exist_ok=True)
    for i in range(count):
        # smooth random texture: JPEG sizes close to real photos
        small = rng.randint(0, 256, (size[1] // 16, size[0] // 16, 3), dtype=np.uint8)
        Image.fromarray(small).resize(size, Image.BICUBIC).save(os.path.join(folder, f'{i:05d}.jpg'), quality=90)


def pipeline_throughput(tmp: str, num_images: int, num_samples: int) -> float:
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import DATASETS

    import gersp_mm.pretrain  # noqa: F401
    from gersp_mm.pretrain.datasets import DualSourceIndex
    init_default_scope('mmpretrain')
    write_images(os.path.join(tmp, 'rs'), num_images, (600, 600))  # Million-AID images are ~600 px
    write_images(os.path.join(tmp, 'natural', 'train', 'n0'), num_images, (500, 375))  # typical ImageNet
    dataset = DATASETS.build(dict(
        type='DualSourceDataset',
        rs=dict(type='UnlabeledImageFolder', data_root=os.path.join(tmp, 'rs'),
                pipeline=[dict(type='LoadImageUint8'), dict(type='MultiView', num_views=2, transforms=[VIEWS]),
                          dict(type='PackInputs')]),
        natural=dict(type='CustomDataset', data_root=os.path.join(tmp, 'natural'), data_prefix='train',
                     pipeline=[dict(type='LoadImageUint8'), *VIEWS, dict(type='PackInputs')])))
    dataset[DualSourceIndex(0, 0, 0)]
    start = time.perf_counter()
    for i in range(num_samples):
        dataset[DualSourceIndex(i % num_images, (i * 7) % num_images, i)]
    return num_samples / (time.perf_counter() - start)


MEMORY_PROBE = r'''
import gc, json, os, sys
sys.path.insert(0, {root!r})
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
    ann = os.path.join(tmp, 'list.txt')
    if not os.path.exists(ann):
        with open(ann, 'w') as f:
            for i in range(entries):
                f.write(f'train/l1_{i % 51:02d}/l2_{i % 7}/l3_{i % 3}/P{i:07d}.jpg\n')
    code = MEMORY_PROBE.format(root=ROOT, root_dir=tmp, ann=ann, serialize=serialize)
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--images', type=int, default=64, help='generated images per source')
    parser.add_argument('--samples', type=int, default=64, help='GeRSP samples timed')
    parser.add_argument('--entries', type=int, default=1_000_000, help='file-list entries for the memory test')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        throughput = pipeline_throughput(tmp, args.images, args.samples)
    with tempfile.TemporaryDirectory() as tmp:
        memory = {f'serialize_data={flag}': metadata_memory(tmp, args.entries, flag) for flag in (True, False)}
    print(json.dumps(dict(samples_per_second_per_worker=throughput, entries=args.entries, memory=memory),
                     indent=2))


if __name__ == '__main__':
    main()
