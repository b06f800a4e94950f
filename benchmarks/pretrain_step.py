# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Time one GeRSP training iteration against the steps it is made of.

Compares, on the same per-process batch of ``b`` remote-sensing + ``b`` natural images at 224x224:

- GeRSP (ResNet-50): one student forward/backward on 2b images, one teacher forward on b images;
- (a) mmpretrain's MoCo v2 step on the b remote-sensing images + a supervised ImageClassifier step on the
  b natural images (what GeRSP replaces by one joint step);
- (b) a plain supervised ResNet-50 step on 2b images: the FLOP floor of GeRSP is 7/6 of it
  (student fwd+bwd on 2b images ~ 3 x 2b forwards, plus the teacher's b forwards).

Each variant is a full ``model.train_step`` (data preprocessor, forward, backward, SGD step).

Example::

    python benchmarks/pretrain_step.py --batch-size 16 --iters 3
"""
import argparse
import json
import time

import torch
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import gersp_mm.pretrain  # noqa: F401

BACKBONE = dict(type='ResNet', depth=50, zero_init_residual=True)
NECK = dict(type='MoCoV2Neck', in_channels=2048, hid_channels=2048, out_channels=128, with_avg_pool=True)
HEAD = dict(type='ContrastiveHead', loss=dict(type='CrossEntropyLoss'), temperature=0.07)
CLS_HEAD = dict(type='LinearClsHead', num_classes=1000, in_channels=2048, loss=dict(type='CrossEntropyLoss'))
NORM = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)


def images(num: int, size: int) -> torch.Tensor:
    return torch.randint(0, 256, (num, 3, size, size), dtype=torch.uint8)


def labelled(num: int) -> list:
    return [DataSample().set_gt_label(i % 1000) for i in range(num)]


def variants(batch: int, size: int) -> dict:
    """Model configs and batches of each compared variant (lists of train steps per iteration)."""
    gersp = dict(type='GeRSP', backbone=BACKBONE, neck=dict(type='MoCoV2Neck', with_avg_pool=False), head=HEAD,
                 cls_head=CLS_HEAD, data_preprocessor=dict(type='DualSourceDataPreprocessor', **NORM))
    moco = dict(type='MoCo', backbone=BACKBONE, neck=NECK, head=HEAD, queue_len=65536, feat_dim=128,
                momentum=0.001, data_preprocessor=dict(type='SelfSupDataPreprocessor', **NORM))
    classifier = dict(type='ImageClassifier', backbone=BACKBONE, neck=dict(type='GlobalAveragePooling'),
                      head=CLS_HEAD, data_preprocessor=dict(type='ClsDataPreprocessor', **NORM))
    return {
        'gersp': [(gersp, dict(inputs=[images(batch, size) for _ in range(3)], data_samples=labelled(batch)))],
        'moco_plus_supervised': [
            (moco, dict(inputs=[images(batch, size), images(batch, size)], data_samples=labelled(batch))),
            (classifier, dict(inputs=images(batch, size), data_samples=labelled(batch))),
        ],
        'supervised_2b': [(classifier, dict(inputs=images(2 * batch, size), data_samples=labelled(2 * batch)))],
    }


def time_variant(steps: list, iters: int, warmup: int) -> float:
    """Median seconds per iteration (all steps of the variant) after ``warmup`` iterations."""
    runs = []
    for cfg, data in steps:
        model = MODELS.build(cfg)
        model.init_weights()
        model.train()
        optim = build_optim_wrapper(model, dict(optimizer=dict(type='SGD', lr=0.007, momentum=0.9,
                                                               weight_decay=5e-4)))
        runs.append((model, optim, data))
    timings = []
    for it in range(warmup + iters):
        start = time.perf_counter()
        for model, optim, data in runs:
            model.train_step(data, optim)
        if it >= warmup:
            timings.append(time.perf_counter() - start)
    return sorted(timings)[len(timings) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--batch-size', type=int, default=16, help='b: images per source and process')
    parser.add_argument('--size', type=int, default=224)
    parser.add_argument('--iters', type=int, default=3)
    parser.add_argument('--warmup', type=int, default=1)
    args = parser.parse_args()
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    results = {name: time_variant(steps, args.iters, args.warmup)
               for name, steps in variants(args.batch_size, args.size).items()}
    report = dict(
        batch_size=args.batch_size, size=args.size, threads=torch.get_num_threads(),
        seconds_per_iter=results,
        gersp_over_moco_plus_supervised=results['gersp'] / results['moco_plus_supervised'],
        gersp_over_supervised_2b=results['gersp'] / results['supervised_2b'],
        flop_floor_over_supervised_2b=7 / 6)
    print(json.dumps(report, indent=2))


if __name__ == '__main__':
    main()
