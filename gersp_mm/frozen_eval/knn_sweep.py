# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The k-NN protocols for many label subsets at once: one similarity matrix, one neighbour search per subset.

The similarities of the test images to ALL training images are computed once per chunk of test images; each
label subset takes its columns and its nearest neighbours there, and each k-NN protocol votes with its first
``k`` of them (:func:`gersp_mm.pretrain.evaluation.knn_votes`). The result equals
:func:`gersp_mm.pretrain.evaluation.knn_classify` on each subset alone (up to the order of exactly equal
similarities), for one matrix product instead of one per subset and protocol.
"""
from typing import Dict, Hashable, Mapping, Sequence

import torch
import torch.nn.functional as F

from ..pretrain.evaluation import knn_votes
from .protocols import KNN_PROTOCOLS


def knn_sweep(train_feats: torch.Tensor,
              train_labels: torch.Tensor,
              test_feats: torch.Tensor,
              subsets: Mapping[Hashable, torch.Tensor],
              protocols: Sequence[str],
              num_classes: int,
              chunk_size: int = 1024) -> Dict[tuple, torch.Tensor]:
    """Predictions of k-NN protocols for several label subsets of the training images.

    Args:
        train_feats (Tensor): (M, C) training features.
        train_labels (Tensor): (M, ) their labels.
        test_feats (Tensor): (N, C) test features.
        subsets (Mapping): Subset key -> indices into the training images (each non-empty).
        protocols (Sequence[str]): Keys of :data:`~.protocols.KNN_PROTOCOLS`.
        num_classes (int): Number of classes.
        chunk_size (int): Test images per similarity matrix (bounds its (chunk, M) memory). Defaults to 1024.

    Returns:
        dict: ``(subset key, protocol)`` -> predicted classes (N, ) on the CPU.
    """
    memory = F.normalize(train_feats.float(), dim=1)
    train_labels = train_labels.to(memory.device)
    subsets = {key: indices.to(memory.device) for key, indices in subsets.items()}
    largest_k = {key: min(max(KNN_PROTOCOLS[p]['k'] for p in protocols), len(indices))
                 for key, indices in subsets.items()}
    predictions: Dict[tuple, list] = {(key, protocol): [] for key in subsets for protocol in protocols}
    for queries in F.normalize(test_feats.float(), dim=1).split(chunk_size):
        sims = queries @ memory.t()
        for key, indices in subsets.items():
            top_sims, top = sims[:, indices].topk(largest_k[key], dim=1)  # sorted, most similar first
            top_labels = train_labels[indices][top]
            for protocol in protocols:
                settings = KNN_PROTOCOLS[protocol]
                k = min(settings['k'], top.size(1))
                scores = knn_votes(top_sims[:, :k], top_labels[:, :k], num_classes, settings['temperature'],
                                   settings['voting'])
                predictions[key, protocol].append(scores.argmax(dim=1).cpu())
    return {name: torch.cat(chunks) for name, chunks in predictions.items()}
