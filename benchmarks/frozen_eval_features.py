# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Frozen features of 1,000 real 256-px images with a ResNet-50 on one CPU core, against one forward per image.

The images: 150 distinct 256x256 tiles of the real remote-sensing images in ../shared/data (the six NWPU-RESISC45
JPEGs as they are; the 800x800 DIOR JPEG cut into 3x3 tiles at offsets 0, 272, 544; the three DOTA PNGs,
2304x1792, 1610x1358 and 1599x1903, cut into every whole 256x256 tile from the top-left corner), each also
rotated by 90, 180 and 270 degrees and mirrored (8 variants), of which the first 1,000 are written as JPEG
(quality 90) into class folders (one per source) of a temporary folder.

Timed on the same images in alternating rounds (``--rounds``; the order swaps each round, so that the load of
other processes hits both alike), one torch thread, data loading in this process; reported: the totals, and the
median over rounds of the within-round time ratio (robust to a round disturbed by other processes):

- ``frozen_eval``: :func:`gersp_mm.frozen_eval.compute_features` with the test pipeline of the NWPU-RESISC45
  config (mmcv decoding, ``Resize`` to 224x224, ``PackInputs``), batches of ``--batch-size``;
- ``per_image``: the yardstick: for each file, OpenCV decoding, resize to 224x224, normalisation and one forward
  of the same ResNet-50 (batch of 1) with global average pooling.

Example::

    OMP_NUM_THREADS=1 python benchmarks/frozen_eval_features.py --images 1000 --rounds 4
"""
import argparse
import glob
import os
import os.path as osp
import tempfile
import time

import cv2
import numpy as np
import torch
from mmengine.config import Config

from gersp_mm.frozen_eval import BackboneSpec, build_split, compute_features, load_backbone, normalisation

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHARED = osp.join(osp.dirname(ROOT), 'shared', 'data')
CONFIG = osp.join(ROOT, 'configs', 'cls', 'nwpu45', 'resnet50-gersp_8xb32_nwpu45-20p.py')


def tiles():
    """(source, 256x256x3 BGR tile) of the real images."""
    for path in sorted(glob.glob(osp.join(SHARED, 'nwpu', '*', '*.jpg'))):
        yield 'nwpu', cv2.imread(path)
    dior = cv2.imread(osp.join(SHARED, 'dior', 'JPEGImages-trainval', '00001.jpg'))
    for y in (0, 272, 544):
        for x in (0, 272, 544):
            yield 'dior', dior[y:y + 256, x:x + 256]
    for path in sorted(glob.glob(osp.join(SHARED, 'dota', 'images', '*.png'))):
        image = cv2.imread(path)
        for y in range(0, image.shape[0] - 255, 256):
            for x in range(0, image.shape[1] - 255, 256):
                yield 'dota', image[y:y + 256, x:x + 256]


def write_images(folder: str, count: int) -> list:
    """The first ``count`` tile variants as JPEGs in ``folder/<source>/``; returns their paths."""
    base = list(tiles())
    paths = []
    for variant in range(8):
        for index, (source, tile) in enumerate(base):
            if len(paths) == count:
                return paths
            image = np.rot90(tile, variant % 4)
            image = np.ascontiguousarray(image[:, ::-1] if variant >= 4 else image)
            path = osp.join(folder, source, f'{source}_{variant}_{index:03d}.jpg')
            os.makedirs(osp.dirname(path), exist_ok=True)
            cv2.imwrite(path, image, [cv2.IMWRITE_JPEG_QUALITY, 90])
            paths.append(path)
    raise ValueError(f'only {len(paths)} tile variants for {count} images')


def per_image(backbone, paths, norm) -> float:
    mean, std = np.array(norm['mean']), np.array(norm['std'])
    start = time.perf_counter()
    with torch.no_grad():
        for path in paths:
            image = cv2.resize(cv2.imread(path), (224, 224))[:, :, ::-1]
            inputs = torch.from_numpy(((image - mean) / std).transpose(2, 0, 1).copy()).float()[None]
            backbone(inputs)[-1].mean(dim=(2, 3))
    return time.perf_counter() - start


def frozen_eval(backbone, cfg, folder, paths, norm, batch_size) -> float:
    cfg = cfg.copy()
    cfg.test_dataloader.dataset = dict(type='CustomDataset', data_root=folder, ann_file='', with_label=True,
                                       pipeline=cfg.test_dataloader.dataset.pipeline)
    cfg.train_dataloader.dataset = cfg.test_dataloader.dataset
    dataset = build_split(cfg, 'test')
    chosen = {osp.abspath(path) for path in paths}
    dataset.data_list = [info for info in dataset.data_list if osp.abspath(info['img_path']) in chosen]
    start = time.perf_counter()
    compute_features(backbone, dataset, norm, batch_size=batch_size, num_workers=0, progress=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--images', type=int, default=1000)
    parser.add_argument('--rounds', type=int, default=4)
    parser.add_argument('--batch-size', type=int, default=32)
    args = parser.parse_args()
    torch.set_num_threads(1)
    cfg = Config.fromfile(CONFIG)
    norm = normalisation(cfg)
    backbone, _ = load_backbone(BackboneSpec('r50', 'random'), depth=50)
    with tempfile.TemporaryDirectory() as folder:
        paths = write_images(folder, args.images)
        per_round = np.array_split(np.array(paths), args.rounds)
        totals = dict(frozen_eval=0.0, per_image=0.0)
        ratios = []
        for index, chunk in enumerate(per_round):
            seconds_of = {}
            order = ['frozen_eval', 'per_image'] if index % 2 == 0 else ['per_image', 'frozen_eval']
            for name in order:
                if name == 'per_image':
                    seconds = per_image(backbone, list(chunk), norm)
                else:
                    seconds = frozen_eval(backbone, cfg, folder, list(chunk), norm, args.batch_size)
                totals[name] += seconds
                seconds_of[name] = seconds
                print(f'round {index}: {name} {len(chunk)} images in {seconds:.1f} s', flush=True)
            ratios.append(seconds_of['frozen_eval'] / seconds_of['per_image'])
    print(f'{args.images} images, 1 thread: frozen_eval {totals["frozen_eval"]:.1f} s '
          f'({args.images / totals["frozen_eval"]:.2f} img/s), per-image forward + decoding '
          f'{totals["per_image"]:.1f} s ({args.images / totals["per_image"]:.2f} img/s); ratio '
          f'{totals["frozen_eval"] / totals["per_image"]:.2f}; median of the per-round ratios '
          f'{float(np.median(ratios)):.2f}', flush=True)


if __name__ == '__main__':
    main()
