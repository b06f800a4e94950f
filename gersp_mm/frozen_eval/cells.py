# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The cells of an evaluation: one backbone, protocol, label fraction and seed; their predictions, resumably.

A cell trains its protocol on the seed's stratified label subset (:func:`~.label_subsets.label_subset`, the
same for every backbone) of the training features and predicts every test image. Its predictions are saved
(atomically) in ``<work_dir>/predictions/<backbone>/<protocol>/fraction<F>_seed<S>.pt`` with the key of the
features they come from: a rerun (after an interruption, or with more fractions, seeds, protocols or
backbones) reuses every cell whose file holds the same key and computes only the others. The k-NN cells of a
backbone are computed together (:func:`~.knn_sweep.knn_sweep`), identical subsets (every seed at 100 %) once.
"""
import hashlib
import os.path as osp
from dataclasses import dataclass
from typing import Dict, Optional, Sequence

import torch

from ..fileio import atomic_write
from .feature_cache import FeatureSet
from .knn_sweep import knn_sweep
from .label_subsets import label_subset
from .linear_probe import train_linear_probe
from .protocols import KNN_PROTOCOLS


@dataclass(frozen=True)
class Cell:
    """One evaluation cell.

    Attributes:
        backbone (str): Backbone label.
        protocol (str): A name of :data:`~.protocols.PROTOCOLS`.
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


def predict_cells(cells: Sequence[Cell], train: FeatureSet, test: FeatureSet, num_classes: int,
                  device: Optional[torch.device] = None) -> Dict[Cell, torch.Tensor]:
    """Predicted classes (N, ) of the test images for each cell (of one backbone), computed here.

    Args:
        cells (Sequence[Cell]): Cells of the backbone of ``train`` / ``test``.
        train (FeatureSet): Its training features.
        test (FeatureSet): Its test features.
        num_classes (int): Number of classes.
        device (torch.device, optional): Where the protocols run. Defaults to the CPU.

    Returns:
        dict: Cell -> int64 predictions (N, ) on the CPU.
    """
    device = device or torch.device('cpu')
    train_feats, train_labels = train.features.to(device), train.labels.to(device)
    test_feats = test.features.to(device)
    subsets = {(cell.fraction, cell.seed): label_subset(train.labels, cell.fraction, cell.seed) for cell in cells}
    predictions = {}
    knn_cells = [cell for cell in cells if cell.protocol in KNN_PROTOCOLS]
    if knn_cells:
        distinct = {}  # identical subsets (every seed at 100 %) once
        for cell in knn_cells:
            distinct.setdefault(subsets[cell.fraction, cell.seed].numpy().tobytes(), subsets[cell.fraction, cell.seed])
        protocols = sorted({cell.protocol for cell in knn_cells})
        swept = knn_sweep(train_feats, train_labels, test_feats, distinct, protocols, num_classes)
        for cell in knn_cells:
            predictions[cell] = swept[subsets[cell.fraction, cell.seed].numpy().tobytes(), cell.protocol]
    for cell in cells:
        if cell.protocol == 'linear':
            subset = subsets[cell.fraction, cell.seed].to(device)
            probe = train_linear_probe(train_feats[subset], train_labels[subset], num_classes, seed=cell.seed)
            predictions[cell] = probe.scores(test_feats).argmax(dim=1).cpu()
    return predictions


def cell_predictions(cells: Sequence[Cell], train: FeatureSet, test: FeatureSet, num_classes: int,
                     work_dir: Optional[str], device: Optional[torch.device] = None) -> Dict[Cell, torch.Tensor]:
    """The cells' predictions: read from their files when these hold the same key, the others computed and saved.

    Args:
        cells (Sequence[Cell]): Cells of the backbone of ``train`` / ``test``.
        train (FeatureSet): Its training features.
        test (FeatureSet): Its test features.
        num_classes (int): Number of classes.
        work_dir (str, optional): The evaluation's work dir; None: nothing read or saved.
        device (torch.device, optional): Where the protocols run. Defaults to the CPU.

    Returns:
        dict: Cell -> int64 predictions (N, ).
    """
    keys = {cell: cell_key(cell, train, test) for cell in cells}
    found = {}
    for cell in cells:
        path = cell.file(work_dir) if work_dir is not None and keys[cell] else None
        if path is not None and osp.isfile(path):
            stored = torch.load(path, map_location='cpu', weights_only=True)
            if isinstance(stored, dict) and stored.get('key') == keys[cell]:
                found[cell] = stored['predictions'].long()
    missing = [cell for cell in cells if cell not in found]
    computed = predict_cells(missing, train, test, num_classes, device) if missing else {}
    for cell, predictions in computed.items():
        if work_dir is not None and keys[cell]:
            with atomic_write(cell.file(work_dir)) as file:
                torch.save(dict(key=keys[cell], predictions=predictions.to(torch.int32)), file)
    return {cell: found[cell] if cell in found else computed[cell] for cell in cells}
