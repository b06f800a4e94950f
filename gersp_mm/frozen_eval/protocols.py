# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The evaluation protocols on frozen features: two k-NN classifiers and the linear probe.

==========  ====================================================================  ============================
name        classifier                                                            source of the defaults
==========  ====================================================================  ============================
``knn20``   cosine k-NN, k = 20, votes ``exp(similarity / 0.07)``                 InstDisc (Wu et al. 2018),
                                                                                  DINO, mmselfsup, solo-learn
``knn5``    cosine k-NN, k = 5, one vote per neighbour                            torchgeo-bench (k = 5)
``linear``  multinomial logistic regression, L-BFGS, standardised features,       torchgeo-bench, SimCLR/BYOL
            L2 chosen on held-out labelled images (:mod:`.linear_probe`)          logistic-regression probes
==========  ====================================================================  ============================

The k-NN classifiers are :func:`gersp_mm.pretrain.evaluation.knn_classify`, the pre-training monitor's.
Each protocol maps labelled features to the predicted class of every test feature.
"""
from typing import Callable, Dict, Tuple

import torch

from ..pretrain.evaluation import knn_classify
from .linear_probe import train_linear_probe

#: A protocol: (train feats (M, C), train labels (M, ), test feats (N, C), num classes, seed) -> predictions (N, ).
Protocol = Callable[[torch.Tensor, torch.Tensor, torch.Tensor, int, int], torch.Tensor]


def weighted_knn(train_feats: torch.Tensor, train_labels: torch.Tensor, test_feats: torch.Tensor,
                 num_classes: int, seed: int = 0) -> torch.Tensor:
    """Predictions of the weighted cosine k-NN (k = 20, T = 0.07); ``seed`` is unused (deterministic)."""
    return knn_classify(test_feats, train_feats, train_labels, num_classes, k=20, temperature=0.07,
                        voting='weighted').argmax(dim=1)


def majority_knn(train_feats: torch.Tensor, train_labels: torch.Tensor, test_feats: torch.Tensor,
                 num_classes: int, seed: int = 0) -> torch.Tensor:
    """Predictions of the majority-vote cosine k-NN (k = 5, ties to the larger similarity sum); ``seed`` unused."""
    return knn_classify(test_feats, train_feats, train_labels, num_classes, k=5, voting='majority').argmax(dim=1)


def linear(train_feats: torch.Tensor, train_labels: torch.Tensor, test_feats: torch.Tensor,
           num_classes: int, seed: int = 0) -> torch.Tensor:
    """Predictions of the L-BFGS linear probe; ``seed`` draws its held-out split."""
    return train_linear_probe(train_feats, train_labels, num_classes, seed=seed).scores(test_feats).argmax(dim=1)


#: The protocols by name, in the order of the reports.
PROTOCOLS: Dict[str, Protocol] = {'knn20': weighted_knn, 'knn5': majority_knn, 'linear': linear}
#: Names that stand for several protocols on the command line.
PROTOCOL_GROUPS: Dict[str, Tuple[str, ...]] = {'knn': ('knn20', 'knn5'), 'all': tuple(PROTOCOLS)}


def expand_protocols(names) -> Tuple[str, ...]:
    """Protocol names with the groups (``knn``, ``all``) expanded, in :data:`PROTOCOLS` order, without repeats."""
    chosen = set()
    for name in names:
        if name not in PROTOCOLS and name not in PROTOCOL_GROUPS:
            raise ValueError(f'unknown protocol {name!r}; choose from {", ".join([*PROTOCOLS, *PROTOCOL_GROUPS])}')
        chosen.update(PROTOCOL_GROUPS.get(name, (name, )))
    return tuple(name for name in PROTOCOLS if name in chosen)
