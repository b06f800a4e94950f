# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Fabricated mmengine work dirs for the downstream benchmark tests, written with mmengine's own log backend."""
import os
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import torch
from mmengine.config import Config
from mmengine.visualization import LocalVisBackend

from gersp_mm.export import resnet_reference_shapes

#: Minimal configs as mmengine dumps them, for the three kinds of training of the benchmark tasks.
CLS_CFG = dict(train_cfg=dict(by_epoch=True, max_epochs=2, val_interval=1),
               default_hooks=dict(logger=dict(type='LoggerHook', interval=10)),
               val_evaluator=dict(type='Accuracy', topk=(1, 5)))
DET_CFG = dict(train_cfg=dict(type='EpochBasedTrainLoop', max_epochs=24, val_interval=12),
               default_hooks=dict(logger=dict(type='LoggerHook', interval=50)),
               val_evaluator=[dict(type='VOCMetric', metric='mAP'), dict(type='CocoMetric', metric='bbox')])
SEG_CFG = dict(train_cfg=dict(type='IterBasedTrainLoop', max_iters=80000, val_interval=8000),
               default_hooks=dict(logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False)),
               val_evaluator=dict(type='IoUMetric', iou_metrics=['mIoU']))

Record = Tuple[dict, int]


def write_log(work_dir: Path, stamp: str, cfg: dict, records: Sequence[Record], checkpoint: Optional[str] = None,
              backbone_checkpoint: Optional[str] = None) -> Path:
    """One ``<stamp>`` log folder of an mmengine run, written with mmengine's own ``LocalVisBackend``.

    Args:
        work_dir (Path): The run's work dir.
        stamp (str): The log folder, e.g. ``'20260101_000000'``.
        cfg (dict): The run's config (dumped to ``vis_data/config.py``).
        records (Sequence[tuple[dict, int]]): ``(scalars, step)`` in logging order.
        checkpoint (str, optional): Also write ``last_checkpoint`` pointing at this file name.
        backbone_checkpoint (str, optional): ``model.backbone.init_cfg.checkpoint`` of the config.
    """
    cfg = dict(cfg)
    if backbone_checkpoint is not None:
        cfg['model'] = dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=backbone_checkpoint)))
    backend = LocalVisBackend(save_dir=str(work_dir / stamp / 'vis_data'))
    backend.add_config(Config(cfg))
    for scalars, step in records:
        backend.add_scalars(scalars, step=step, file_path=f'{stamp}.json')
    if checkpoint is not None:
        (work_dir / checkpoint).write_bytes(b'')
        (work_dir / 'last_checkpoint').write_text(str(work_dir / checkpoint))
    return work_dir


def train_record(epoch: int) -> Record:
    return dict(lr=0.01, data_time=0.01, loss=1.5, time=0.1, epoch=epoch, iter=epoch * 10), epoch * 10


def cls_run(work_dir: Path, top1_by_epoch: Sequence[float], max_epochs: int = 2, stamp: str = '20260101_000000',
            **kwargs) -> Path:
    """A classification run that validated after each of ``len(top1_by_epoch)`` epochs out of ``max_epochs``."""
    cfg = dict(CLS_CFG, train_cfg=dict(by_epoch=True, max_epochs=max_epochs, val_interval=1))
    records = []
    for epoch, top1 in enumerate(top1_by_epoch, start=1):
        records += [train_record(epoch), ({'accuracy/top1': top1, 'accuracy/top5': 100.0, 'time': 0.1}, epoch)]
    return write_log(work_dir, stamp, cfg, records, **kwargs)


def fake_checkpoint(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b'')
    return os.fspath(path)


def resnet_checkpoint(path: Path, depth: int = 50, prefix: str = 'backbone.') -> str:
    """A checkpoint with the tensor names and shapes of a ResNet-``depth`` under ``prefix``, each tensor a view
    of a one-element storage (a few kB): what the preflight checks, without writing 100 MB."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {prefix + key: torch.zeros(()).expand(shape) for key, shape in resnet_reference_shapes(depth).items()}
    torch.save(dict(meta=dict(epoch=1), state_dict=tensors), path)
    return os.fspath(path)


def scene_data_root(root: Path) -> Path:
    """A data root with the (empty) split lists the NWPU-RESISC45 and EuroSAT configs name."""
    (root / 'meta').mkdir(parents=True, exist_ok=True)
    for split in ('train', 'test'):
        for ratio in ('10p', '20p', '80p'):
            (root / 'meta' / f'{split}-{ratio}_seed0.txt').write_text('')
    return root


def data_options(root: Path) -> List[str]:
    """``--cfg-options`` pointing the training datasets of a config at ``root``."""
    return [f'{loader}.dataset.data_root={root}' for loader in ('train_dataloader', 'val_dataloader')]
