# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Frozen features on disk, computed once: keyed by the backbone's content, the images and the pipeline.

The key is the SHA-256 of the backbone's :func:`~.backbones.content_hash`, the split's image files and
labels in order, the test pipeline and the normalisation: a change of any of them is another key, so a
stale file is never read; the same backbone under another label or file layout, another protocol, fraction
or seed reuses the file. Files are written atomically (:func:`gersp_mm.fileio.atomic_write`): an interrupted
extraction leaves no half-written cache file.
"""
import hashlib
import json
import os.path as osp
from typing import Any, Callable, NamedTuple, Sequence

import torch

from ..fileio import atomic_write


class FeatureSet(NamedTuple):
    """The frozen features of one split.

    Attributes:
        features (Tensor): (N, C) float32 features, on the CPU.
        labels (Tensor): (N, ) int64 labels.
        files (tuple[str]): The N image files, in order.
        key (str): Its :func:`feature_key`; ``''`` when computed without the cache.
    """
    features: torch.Tensor
    labels: torch.Tensor
    files: tuple
    key: str = ''


def feature_key(backbone_hash: str, files: Sequence[str], labels: Sequence[int], pipeline: Any,
                normalisation: Any) -> str:
    """The cache key (hex SHA-256) of a backbone's features of a split.

    Args:
        backbone_hash (str): :func:`~.backbones.content_hash` of the backbone.
        files (Sequence[str]): The image files in order.
        labels (Sequence[int]): Their labels.
        pipeline: The test pipeline (plain data: a list of transform dicts).
        normalisation: Mean, std and channel conversion (plain data).
    """
    description = json.dumps(dict(backbone=backbone_hash, files=list(files), labels=[int(v) for v in labels],
                                  pipeline=pipeline, normalisation=normalisation), sort_keys=True, default=repr)
    return hashlib.sha256(description.encode()).hexdigest()


def cache_file(cache_dir: str, key: str) -> str:
    """The file of a key in ``cache_dir``."""
    return osp.join(cache_dir, f'{key[:32]}.pt')


def cached_features(cache_dir: str, key: str, compute: Callable[[], FeatureSet]) -> FeatureSet:
    """The features of ``key``: read from ``cache_dir`` if there, else computed by ``compute`` and saved.

    Args:
        cache_dir (str): The cache folder (created when needed).
        key (str): From :func:`feature_key`.
        compute (callable): Computes the features (called only on a cache miss).

    Returns:
        FeatureSet: The features.

    Raises:
        ValueError: If the cache file holds another key or is not a feature file (the message names it).
    """
    path = cache_file(cache_dir, key)
    if osp.isfile(path):
        try:
            stored = torch.load(path, map_location='cpu', weights_only=True)
        except Exception as err:  # noqa: BLE001 - any unreadable file gets the same advice
            raise ValueError(f'{path}: unreadable feature cache file ({type(err).__name__}: {err}); '
                             'delete it to compute the features again') from err
        if not isinstance(stored, dict) or stored.get('key') != key:
            raise ValueError(f'{path}: a feature cache file of another key; delete it to compute the features again')
        return FeatureSet(stored['features'], stored['labels'], tuple(stored['files']), key)
    feature_set = compute()._replace(key=key)
    with atomic_write(path) as file:
        torch.save(dict(key=key, features=feature_set.features.float().cpu().contiguous(),
                        labels=feature_set.labels.cpu(), files=list(feature_set.files)), file)
    return feature_set
