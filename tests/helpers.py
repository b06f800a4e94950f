# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Helpers shared by the tests of several folders (the tests folder is on ``sys.path``)."""
import socket
from pathlib import Path
from typing import Dict, Tuple

import torch
import torchvision

from gersp_mm.cls.scene_splits import main as split_scene_classification

ROOT = Path(__file__).resolve().parents[1]
NWPU = ROOT / 'tests' / 'data' / 'cls' / 'nwpu'


def write_nwpu_split(out_dir: Path) -> Tuple[Path, Path]:
    """The 20% train / 80% test lists of the real NWPU sample images (1 / 2 images per class), written by
    the split of ``tools/dataset_converters/split_scene_classification.py``."""
    split_scene_classification(['nwpu45', str(NWPU), '--train-ratio', '0.2', '--out-dir', str(out_dir)])
    return Path(out_dir) / 'train-20p_seed0.txt', Path(out_dir) / 'test-20p_seed0.txt'


def random_resnet50_state_dict(seed: int = 0) -> Dict[str, torch.Tensor]:
    """A torchvision ResNet-50 state dict whose every tensor is distinct from its initialisation: floats drawn
    positive (|N(0, 1)| + 0.1, so no BN variance is 0), integer buffers 7."""
    generator = torch.Generator().manual_seed(seed)
    return {key: (torch.randn(value.shape, generator=generator).abs() + 0.1 if value.is_floating_point()
                  else torch.full_like(value, 7))
            for key, value in torchvision.models.resnet50(weights=None).state_dict().items()}


def free_port() -> int:
    """A TCP port nobody listens on now (for a torchrun rendezvous)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def shrink_to_nwpu_sample(cfg, train_list, test_list, work_dir):
    """The real NWPU sample images with the given lists, 64 px, batch 2, one epoch, no checkpoints."""
    cfg.work_dir = work_dir
    for loader, ann_file in (('train_dataloader', train_list), ('val_dataloader', test_list),
                             ('test_dataloader', test_list)):
        cfg[loader].update(batch_size=2, num_workers=0, persistent_workers=False)
        cfg[loader].dataset.update(data_root=str(NWPU), ann_file=ann_file)
        for transform in cfg[loader].dataset.pipeline:
            if transform.type == 'RandomResizedCrop':
                transform.scale = 64
            elif transform.type == 'Resize':
                transform.scale = (64, 64)
    cfg.train_cfg.update(max_epochs=1, val_interval=1)
    cfg.default_hooks.checkpoint = None
    return cfg
