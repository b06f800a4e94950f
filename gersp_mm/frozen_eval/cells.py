# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The cells of an evaluation: one backbone, protocol, label fraction and seed; their predictions, resumably.

A cell trains its protocol on the seed's stratified label subset (:func:`~.label_subsets.label_subset`, the
same for every backbone) of the training features and predicts every test image. Its predictions are saved
(atomically) in ``<work_dir>/predictions/<backbone>/<protocol>/fraction<F>_seed<S>.pt`` with the key of the
features they come from: a rerun (after an interruption, or with more fractions, seeds, protocols or
backbones) reuses every cell whose file holds the same key and computes only the others. At 100 % every
seed has the same subset; the k-NN protocols are then computed once and shared by the seeds.
"""
import hashlib
import os.path as osp
from dataclasses import dataclass
from typing import Optional

import torch

from ..fileio import atomic_write
from .feature_cache import FeatureSet
from .label_subsets import label_subset
from .protocols import PROTOCOLS


@dataclass(frozen=True)
class Cell:
    """One evaluation cell.

    Attributes:
        backbone (str): Backbone label.
        protocol (str): A key of :data:`~.protocols.PROTOCOLS`.
        fraction (float): Label fraction in (0, 1].
        seed (int): Seed of the label subset (and of the linear probe's held-out split).
    """
    backbone: str
    protocol: str
    fraction: float
    seed: int

    def file(self, work_dir: str) -> str:
        """Its predictions file below ``work_dir``."""
        return osp.join(work_dir, 'predictions', self.backbone, self.protocol,
                        f'fraction{self.fraction:g}_seed{self.seed}.pt')


def cell_key(cell: Cell, train: FeatureSet, test: FeatureSet) -> str:
    """Key of a cell's predictions: its protocol, fraction, seed and the keys of its features ('' if uncached)."""
    if not (train.key and test.key):
        return ''
    text = f'{train.key}|{test.key}|{cell.protocol}|{cell.fraction!r}|{cell.seed}'
    return hashlib.sha256(text.encode()).hexdigest()


def predict_cell(cell: Cell, train: FeatureSet, test: FeatureSet, num_classes: int,
                 device: Optional[torch.device] = None) -> torch.Tensor:
    """Predicted classes (N, ) of the test images by the cell's protocol trained on its label subset."""
    subset = label_subset(train.labels, cell.fraction, cell.seed)
    device = device or torch.device('cpu')
    train_feats = train.features[subset].to(device)
    return PROTOCOLS[cell.protocol](train_feats, train.labels[subset].to(device), test.features.to(device),
                                    num_classes, cell.seed).cpu()


def cell_predictions(cell: Cell, train: FeatureSet, test: FeatureSet, num_classes: int, work_dir: Optional[str],
                     device: Optional[torch.device] = None,
                     shared: Optional[torch.Tensor] = None) -> torch.Tensor:
    """The cell's predictions (N, ): read from its file when it holds the same key, else computed and saved.

    Args:
        cell (Cell): The cell.
        train (FeatureSet): Training features of the backbone.
        test (FeatureSet): Test features of the backbone.
        num_classes (int): Number of classes.
        work_dir (str, optional): The evaluation's work dir; None: nothing read or saved.
        device (torch.device, optional): Where the protocol runs. Defaults to the CPU.
        shared (Tensor, optional): Predictions known to be the cell's (another seed's at 100 %): saved, not computed.

    Returns:
        Tensor: int64 predictions (N, ).
    """
    key = cell_key(cell, train, test)
    path = cell.file(work_dir) if work_dir is not None else None
    if key and path is not None and osp.isfile(path):
        stored = torch.load(path, map_location='cpu', weights_only=True)
        if isinstance(stored, dict) and stored.get('key') == key:
            return stored['predictions'].long()
    predictions = shared if shared is not None else predict_cell(cell, train, test, num_classes, device)
    if key and path is not None:
        with atomic_write(path) as file:
            torch.save(dict(key=key, predictions=predictions.to(torch.int32)), file)
    return predictions
