# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The evaluation protocols on frozen features: two k-NN classifiers and the linear probe.

==========  ====================================================================  ============================
name        classifier                                                            source of the defaults
==========  ====================================================================  ============================
``knn20``   cosine k-NN, k = 20, votes ``exp(similarity / 0.07)``                 InstDisc (Wu et al. 2018),
                                                                                  DINO, mmselfsup, solo-learn
``knn5``    cosine k-NN, k = 5, one vote per neighbour (ties: larger similarity)  torchgeo-bench (k = 5)
``linear``  multinomial logistic regression, L-BFGS, standardised features,       torchgeo-bench, SimCLR/BYOL
            L2 chosen on held-out labelled images (:mod:`.linear_probe`)          logistic-regression probes
==========  ====================================================================  ============================

The k-NN votes are those of the pre-training monitor (:func:`gersp_mm.pretrain.evaluation.knn_votes`), computed
for many label subsets at once by :func:`~.knn_sweep.knn_sweep`.
"""
from typing import Dict, Iterable, Tuple

#: The k-NN protocols: ``k``, ``temperature`` (of weighted votes) and ``voting``.
KNN_PROTOCOLS: Dict[str, dict] = {
    'knn20': dict(k=20, temperature=0.07, voting='weighted'),
    'knn5': dict(k=5, temperature=0.07, voting='majority'),
}
#: Every protocol, in the order of the reports.
PROTOCOLS: Tuple[str, ...] = (*KNN_PROTOCOLS, 'linear')
#: Names that stand for several protocols on the command line.
PROTOCOL_GROUPS: Dict[str, Tuple[str, ...]] = {'knn': tuple(KNN_PROTOCOLS), 'all': PROTOCOLS}


def expand_protocols(names: Iterable[str]) -> Tuple[str, ...]:
    """Protocol names with the groups (``knn``, ``all``) expanded, in :data:`PROTOCOLS` order, without repeats."""
    chosen = set()
    for name in names:
        if name not in PROTOCOLS and name not in PROTOCOL_GROUPS:
            raise ValueError(f'unknown protocol {name!r}; choose from {", ".join([*PROTOCOLS, *PROTOCOL_GROUPS])}')
        chosen.update(PROTOCOL_GROUPS.get(name, (name, )))
    return tuple(name for name in PROTOCOLS if name in chosen)
