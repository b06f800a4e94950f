# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The k-nearest-neighbour evaluation of a representation: cosine k-NN votes and a seeded per-class split.

Used by :class:`~gersp_mm.pretrain.hooks.KNNMonitorHook`; plain tensor functions, usable on their own.
"""
import math
from typing import List, Optional, Tuple, Union

import torch
import torch.nn.functional as F

VOTINGS = ('weighted', 'majority')


def knn_classify(query_feats: torch.Tensor,
                 memory_feats: torch.Tensor,
                 memory_labels: torch.Tensor,
                 num_classes: int,
                 k: int = 20,
                 temperature: float = 0.07,
                 voting: str = 'weighted',
                 chunk_size: int = 1024) -> torch.Tensor:
    """Class scores of a cosine-similarity k-nearest-neighbour classifier.

    Each query's ``min(k, M)`` most cosine-similar memory features vote for their labels:

    - ``'weighted'``: the SSL k-NN protocol (Wu et al. 2018, InstDisc; DINO): a neighbour of
      similarity ``s`` adds ``exp(s / temperature)`` to its class;
    - ``'majority'``: each neighbour adds one vote; classes with as many votes are ranked by the sum of
      their neighbours' similarities (each neighbour adds ``1 + (1 + s) / (2k + 1)``: the fraction sums to
      less than one vote).

    Classes without a neighbour among the ``k`` score 0.

    Args:
        query_feats (Tensor): Query features, (Q, C); normalised here.
        memory_feats (Tensor): Memory bank features, (M, C); normalised here.
        memory_labels (Tensor): Labels of the memory bank, (M, ), in ``[0, num_classes)``.
        num_classes (int): Number of classes (width of the scores).
        k (int): Number of neighbours. Defaults to 20.
        temperature (float): Temperature of the ``'weighted'`` votes. Defaults to 0.07.
        voting (str): ``'weighted'`` or ``'majority'``. Defaults to ``'weighted'``.
        chunk_size (int): Queries compared with the memory bank at once (bounds the (chunk, M)
            similarity matrix). Defaults to 1024.

    Returns:
        Tensor: Scores (Q, num_classes); the predicted class is the argmax.
    """
    if voting not in VOTINGS:
        raise ValueError(f'voting must be one of {VOTINGS}, got {voting!r}')
    if memory_feats.size(0) == 0 or memory_feats.size(0) != memory_labels.size(0):
        raise ValueError(f'Need a non-empty memory bank with one label per feature, got {memory_feats.size(0)} '
                         f'features and {memory_labels.size(0)} labels')
    k = min(k, memory_feats.size(0))
    memory_feats = F.normalize(memory_feats.float(), dim=1)
    scores = []
    for queries in F.normalize(query_feats.float(), dim=1).split(chunk_size):
        sims, neighbours = (queries @ memory_feats.t()).topk(k, dim=1)
        scores.append(knn_votes(sims, memory_labels[neighbours], num_classes, temperature, voting))
    return torch.cat(scores) if scores else query_feats.new_zeros(0, num_classes)


def knn_votes(sims: torch.Tensor, neighbour_labels: torch.Tensor, num_classes: int, temperature: float = 0.07,
              voting: str = 'weighted') -> torch.Tensor:
    """Class scores from the ``k`` nearest neighbours of each query (the votes of :func:`knn_classify`).

    Args:
        sims (Tensor): Cosine similarities (Q, k) of each query's neighbours.
        neighbour_labels (Tensor): Their labels (Q, k).
        num_classes (int): Number of classes.
        temperature (float): Temperature of the ``'weighted'`` votes. Defaults to 0.07.
        voting (str): ``'weighted'`` or ``'majority'``. Defaults to ``'weighted'``.

    Returns:
        Tensor: Scores (Q, num_classes).
    """
    if voting == 'weighted':
        weights = (sims / temperature).exp()
    else:
        weights = 1 + (1 + sims) / (2 * sims.size(1) + 1)
    return sims.new_zeros(sims.size(0), num_classes).scatter_add_(1, neighbour_labels, weights)


def split_per_class(labels: torch.Tensor,
                    memory_per_class: Union[int, float],
                    query_per_class: Optional[Union[int, float]] = None,
                    seed: int = 0) -> Tuple[List[int], List[int]]:
    """Split a labeled set per class into memory bank and query indices, reproducibly.

    The samples of each class are permuted with a generator seeded by ``seed`` (classes in label order);
    the first ``m`` go to the memory bank and the next ``q`` are queries, where a float is a fraction
    of the class size (rounded half up) and ``m`` is at least 1 and at most the class size.

    Args:
        labels (Tensor): Labels (N, ).
        memory_per_class (int | float): Memory images per class: a count or a fraction.
        query_per_class (int | float, optional): Query images per class, a count or a fraction;
            None takes all the others.
        seed (int): Seed of the permutations. Defaults to 0.

    Returns:
        tuple[list[int], list[int]]: Memory and query indices into ``labels``, each sorted.
    """
    generator = torch.Generator().manual_seed(seed)
    memory, query = [], []
    for label in labels.unique().tolist():
        members = (labels == label).nonzero().flatten()
        members = members[torch.randperm(len(members), generator=generator)].tolist()
        num_memory = min(max(_count(memory_per_class, len(members)), 1), len(members))
        rest = members[num_memory:]
        num_query = len(rest) if query_per_class is None else _count(query_per_class, len(members))
        memory += members[:num_memory]
        query += rest[:num_query]
    return sorted(memory), sorted(query)


def _count(per_class: Union[int, float], class_size: int) -> int:
    return per_class if isinstance(per_class, int) else math.floor(per_class * class_size + 0.5)
