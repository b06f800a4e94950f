# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The real EuroSAT sample (tests/data/cls/eurosat, 10 images per class) as a classification config of 64 px images
with a ResNet-18, and ResNet-18 weights."""
from pathlib import Path
from typing import Dict

import torch

from gersp_mm.frozen_eval import BackboneSpec, load_backbone
from tests.helpers import ROOT

EUROSAT = ROOT / 'tests' / 'data' / 'cls' / 'eurosat'
CLASSES = sorted(path.name for path in EUROSAT.iterdir() if path.is_dir())
NUM_TRAIN = 3  # images 1-3 of each class are the training split, 4-10 the test split
CONFIG = """\
default_scope = 'mmpretrain'
custom_imports = dict(imports=['gersp_mm', 'gersp_mm.cls'], allow_failed_imports=False)
data_preprocessor = dict(num_classes=10, mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)
model = dict(backbone=dict(depth=18))
test_pipeline = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]
train_dataloader = dict(dataset=dict(type='EuroSAT', data_root='{root}', ann_file='{train}',
                                     pipeline=[dict(type='LoadImageFromFile'), dict(type='RandomFlip', prob=0.5),
                                               dict(type='PackInputs')]))
test_dataloader = dict(dataset=dict(type='EuroSAT', data_root='{root}', ann_file='{test}', pipeline=test_pipeline))
"""


def write_eurosat_config(folder: Path) -> Path:
    """A config of the EuroSAT sample: 3 training and 7 test images per class, ResNet-18 depth for random init."""
    lists = {'train': [], 'test': []}
    for label, name in enumerate(CLASSES):
        for index in range(1, 11):
            lists['train' if index <= NUM_TRAIN else 'test'].append(f'{name}/{name}_{index}.jpg {label}')
    for split, lines in lists.items():
        (folder / f'{split}.txt').write_text('\n'.join(lines) + '\n')
    path = folder / 'eurosat_r18.py'
    path.write_text(CONFIG.format(root=EUROSAT, train=folder / 'train.txt', test=folder / 'test.txt'))
    return path


def resnet18_state(seed: int = 0) -> Dict[str, torch.Tensor]:
    """The state dict of a randomly initialised (seeded) ResNet-18."""
    backbone, _ = load_backbone(BackboneSpec('r18', 'random'), depth=18, seed=seed)
    return backbone.state_dict()
