# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Frozen-backbone evaluation with few labels and confidence intervals (``tools/frozen_eval.py``).

Does checkpoint A give a better backbone than checkpoint B, and how sure are we? In minutes instead of
fine-tuning runs: frozen features, cheap classifiers on a few labels, bootstrap intervals, paired differences.

- :mod:`.backbones`: the backbones compared (checkpoints of any known layout, ``imagenet``, ``random``) and their
  content hash;
- :mod:`.feature_extraction`: pooled features of a config's train / test images with its test pipeline;
- :mod:`.feature_cache`: those features on disk, keyed by backbone content, images and pipeline;
- :mod:`.label_subsets`: stratified label fractions reproducible from a seed, the same for every backbone;
- :mod:`.linear_probe`: L-BFGS logistic regression with its L2 strength chosen on held-out labels;
- :mod:`.protocols`: the protocols (weighted k-NN, majority k-NN, linear probe);
- :mod:`.knn_sweep`: the k-NN protocols for many label subsets with one similarity matrix;
- :mod:`.cells`: the predictions of one backbone, protocol, fraction and seed, kept for resuming;
- :mod:`.bootstrap`: percentile bootstrap intervals and the paired bootstrap of a difference;
- :mod:`.results`: accuracies with intervals and spread over seeds, paired differences;
- :mod:`.evaluation`: the whole evaluation of several backbones on a config;
- :mod:`.report`: CSV, JSON, Markdown and the plot with confidence bands;
- :mod:`.cli`: the command line of ``tools/frozen_eval.py``.
"""
from .backbones import NAMED_BACKBONES, BackboneSpec, content_hash, load_backbone, parse_backbone
from .bootstrap import LEVEL, NUM_RESAMPLES, Interval, bootstrap_accuracy, difference_sentence, paired_difference
from .cells import Cell, cell_predictions, predict_cells
from .evaluation import FRACTIONS, Evaluation, Settings, evaluate_backbones, evaluate_features
from .feature_cache import FeatureSet, cached_features, feature_key
from .feature_extraction import build_split, compute_features, files_and_labels, normalisation, split_features
from .knn_sweep import knn_sweep
from .label_subsets import holdout_split, label_subset
from .linear_probe import L2_GRID, LinearProbe, fit_logistic_regression, train_linear_probe
from .protocols import KNN_PROTOCOLS, PROTOCOLS, expand_protocols
from .report import format_markdown, plot, write_csv, write_json
from .results import AccuracyResult, DifferenceResult, summarise

__all__ = [
    'NAMED_BACKBONES', 'BackboneSpec', 'content_hash', 'load_backbone', 'parse_backbone', 'LEVEL', 'NUM_RESAMPLES',
    'Interval', 'bootstrap_accuracy', 'difference_sentence', 'paired_difference', 'Cell', 'cell_predictions',
    'predict_cells', 'FRACTIONS', 'Evaluation', 'Settings', 'evaluate_backbones', 'evaluate_features', 'FeatureSet',
    'cached_features', 'feature_key', 'build_split', 'compute_features', 'files_and_labels', 'normalisation',
    'split_features', 'knn_sweep', 'holdout_split', 'label_subset', 'L2_GRID', 'LinearProbe',
    'fit_logistic_regression', 'train_linear_probe', 'KNN_PROTOCOLS', 'PROTOCOLS', 'expand_protocols',
    'format_markdown', 'plot', 'write_csv', 'write_json', 'AccuracyResult', 'DifferenceResult', 'summarise'
]
