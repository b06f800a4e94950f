# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The frozen-backbone evaluation of several backbones on a classification config, end to end.

For each backbone: its frozen features of the config's train and test images (cached,
:mod:`.feature_extraction`); for each protocol, label fraction and seed: the predictions of the test images
(resumable, :mod:`.cells`); then the top-1 with bootstrap intervals and the paired differences
(:mod:`.results`).
"""
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.config import Config

from .backbones import BackboneSpec, load_backbone
from .bootstrap import LEVEL, NUM_RESAMPLES
from .cells import Cell, cell_predictions
from .feature_cache import FeatureSet
from .feature_extraction import build_split, split_features
from .label_subsets import check_fraction
from .protocols import PROTOCOLS
from .results import AccuracyResult, DifferenceResult, summarise

#: Label fractions by default (torchgeo-bench's partitions from 1 % to 100 %).
FRACTIONS = (0.01, 0.05, 0.1, 0.2, 0.5, 1.0)


@dataclass(frozen=True)
class Settings:
    """What an evaluation measures.

    Attributes:
        protocols (tuple[str]): Protocol names (:data:`~.protocols.PROTOCOLS`).
        fractions (tuple[float]): Label fractions in (0, 1].
        seeds (tuple[int]): Seeds of the label subsets.
        num_resamples (int): Bootstrap resamples.
        bootstrap_seed (int): Seed of the bootstrap.
        level (float): Confidence level of the intervals.
    """
    protocols: Tuple[str, ...] = tuple(PROTOCOLS)
    fractions: Tuple[float, ...] = FRACTIONS
    seeds: Tuple[int, ...] = (0, 1, 2)
    num_resamples: int = NUM_RESAMPLES
    bootstrap_seed: int = 0
    level: float = LEVEL

    def __post_init__(self):
        unknown = [name for name in self.protocols if name not in PROTOCOLS]
        if unknown or not self.protocols:
            raise ValueError(f'unknown or no protocols {unknown}; choose from {", ".join(PROTOCOLS)}')
        if not self.fractions or not self.seeds:
            raise ValueError('give at least one label fraction and one seed')
        for fraction in self.fractions:
            check_fraction(fraction)
        for name, values in (('fractions', self.fractions), ('seeds', self.seeds)):
            if len(set(values)) != len(values):
                raise ValueError(f'{name} repeat: {list(values)}')


@dataclass
class Evaluation:
    """The results of an evaluation.

    Attributes:
        accuracies (list[AccuracyResult]): Per backbone, protocol and fraction.
        differences (list[DifferenceResult]): Per pair of backbones, protocol and fraction.
        num_train (int): Training images (the 100 % subset).
        num_test (int): Test images.
        num_classes (int): Classes.
        backbones (dict): Backbone label -> content hash (when the backbones were loaded here).
    """
    accuracies: List[AccuracyResult]
    differences: List[DifferenceResult]
    num_train: int
    num_test: int
    num_classes: int
    backbones: Dict[str, str] = field(default_factory=dict)


def evaluate_features(features: Dict[str, Tuple[FeatureSet, FeatureSet]], settings: Settings,
                      work_dir: Optional[str] = None, device: Optional[torch.device] = None,
                      num_classes: Optional[int] = None) -> Evaluation:
    """Evaluate the (cached) features of several backbones.

    Args:
        features (dict): Backbone label -> (train, test) features; every backbone on the same images.
        settings (Settings): Protocols, fractions, seeds and bootstrap settings.
        work_dir (str, optional): Where cell predictions are kept (resumable); None keeps nothing.
        device (torch.device, optional): Where the protocols run. Defaults to the CPU.
        num_classes (int, optional): Number of classes; by default 1 + the largest label.

    Returns:
        Evaluation: Accuracies and paired differences.

    Raises:
        ValueError: If the backbones' features are not of the same images and labels.
    """
    if not features:
        raise ValueError('no backbone to evaluate')
    (first_train, first_test), *others = features.values()
    for label, (train, test) in features.items():
        for name, mine, theirs in (('train', train, first_train), ('test', test, first_test)):
            if mine.files != theirs.files or not torch.equal(mine.labels, theirs.labels):
                raise ValueError(f'backbone {label!r}: its {name} features are not of the same images and labels '
                                 'as the first backbone\'s')
    if num_classes is None:
        num_classes = int(max(first_train.labels.max(), first_test.labels.max())) + 1
    test_labels = first_test.labels.numpy()
    correct: Dict[Tuple[str, str, float], np.ndarray] = {}
    for label, (train, test) in features.items():
        cells = [Cell(label, protocol, fraction, seed) for protocol in settings.protocols
                 for fraction in settings.fractions for seed in settings.seeds]
        predictions = cell_predictions(cells, train, test, num_classes, work_dir, device)
        for protocol in settings.protocols:
            for fraction in settings.fractions:
                correct[label, protocol, fraction] = np.stack(
                    [predictions[Cell(label, protocol, fraction, seed)].numpy() == test_labels
                     for seed in settings.seeds])
    accuracies, differences = summarise(correct, settings.seeds, settings.num_resamples, settings.bootstrap_seed,
                                        settings.level)
    return Evaluation(accuracies, differences, len(first_train.labels), len(first_test.labels), num_classes)


def evaluate_backbones(cfg: Config, specs: Sequence[BackboneSpec], settings: Settings, work_dir: Optional[str],
                       cache_dir: Optional[str] = None, batch_size: int = 64, num_workers: int = 0,
                       device: Optional[torch.device] = None, unsafe: bool = False, progress: bool = True,
                       depth: Optional[int] = None) -> Evaluation:
    """Extract (or read) the features of every backbone on a config's images and evaluate them.

    Args:
        cfg (Config): A classification config (its train / test datasets, test pipeline, normalisation).
        specs (Sequence[BackboneSpec]): The backbones, in report order.
        settings (Settings): What to measure.
        work_dir (str, optional): The evaluation's work dir (cell predictions).
        cache_dir (str, optional): The feature cache; None: no cache.
        batch_size (int): Images per forward. Defaults to 64.
        num_workers (int): Data-loading workers. Defaults to 0.
        device (torch.device, optional): Where features and protocols are computed. Defaults to the CPU.
        unsafe (bool): Load trusted checkpoints with arbitrary objects. Defaults to False.
        progress (bool): Progress bars while extracting. Defaults to True.
        depth (int, optional): Depth of ``random`` backbones; by default the config's ``model.backbone.depth``
            (50 if it has none).

    Returns:
        Evaluation: The results, with ``backbones`` mapping each label to its content hash.
    """
    labels = [spec.label for spec in specs]
    if len(set(labels)) != len(labels):
        raise ValueError(f'backbone labels must differ, got {labels}: label checkpoints with LABEL=PATH')
    if depth is None:
        depth = int(cfg.get('model', {}).get('backbone', {}).get('depth', 50))
    device = device or torch.device('cpu')
    datasets = [build_split(cfg, split) for split in ('train', 'test')]
    features, hashes = {}, {}
    for spec in specs:
        backbone, backbone_hash = load_backbone(spec, depth=depth, unsafe=unsafe)
        backbone.to(device)
        features[spec.label] = tuple(
            split_features(cfg, dataset, backbone, backbone_hash, cache_dir, batch_size, num_workers, progress)
            for dataset in datasets)
        hashes[spec.label] = backbone_hash
        del backbone
    evaluation = evaluate_features(features, settings, work_dir, device)
    evaluation.backbones = hashes
    return evaluation
