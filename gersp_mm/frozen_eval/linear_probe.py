# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The linear probe: multinomial logistic regression on standardised frozen features, fitted with L-BFGS.

The protocol of torchgeo-bench and of the SSL linear evaluations that fit a logistic regression on
frozen features (rather than SGD on augmented crops): features standardised with the mean and standard
deviation of the labelled images, a softmax classifier ``W x + b`` minimising

    mean cross-entropy + l2 / 2 * ||W||^2        (the bias is not penalised)

which is scikit-learn's ``LogisticRegression(C=1 / (l2 * n))`` for ``n`` labelled images. The L2 strength is
chosen on a held-out part of the labelled images (:func:`~.label_subsets.holdout_split`) from
:data:`L2_GRID`, then the classifier is refitted on all of them. Written in torch so that it runs on the
GPU where the features are, and fits the whole regularisation path warm-started.
"""
from typing import NamedTuple, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F

from .label_subsets import holdout_split

#: The L2 strengths tried, strongest first (each fit starts from the previous solution).
L2_GRID: Tuple[float, ...] = (10.0, 1.0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5)
#: Fraction of each class held out to choose the L2 strength.
HOLDOUT = 0.2
#: L2 strength used when no image can be held out (every class has at most two labelled images).
DEFAULT_L2 = 1e-3
#: L-BFGS stops when the largest gradient entry is below it (on the synthetic features of
#: benchmarks/frozen_eval_protocols.py, 1e-4 gave the top-1 of 1e-6 within 0.05 points in half the time).
TOLERANCE = 1e-4


class LinearProbe(NamedTuple):
    """A fitted linear probe.

    Attributes:
        weight (Tensor): (K, C) class weights on standardised features.
        bias (Tensor): (K, ) class biases.
        mean (Tensor): (C, ) feature mean of the labelled images.
        std (Tensor): (C, ) feature standard deviation of the labelled images (1 where it is 0).
        l2 (float): The chosen L2 strength.
    """
    weight: torch.Tensor
    bias: torch.Tensor
    mean: torch.Tensor
    std: torch.Tensor
    l2: float

    def scores(self, feats: torch.Tensor) -> torch.Tensor:
        """Class scores (N, K) of features (N, C)."""
        return standardise(feats, self.mean, self.std) @ self.weight.t() + self.bias


def standardise(feats: torch.Tensor, mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """``(feats - mean) / std`` in the dtype of ``mean``."""
    return (feats.to(mean) - mean) / std


def feature_statistics(feats: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """Per-feature mean and (population) standard deviation of (N, C) features; a std of 0 becomes 1
    (as scikit-learn's ``StandardScaler``)."""
    mean = feats.mean(dim=0)
    std = feats.std(dim=0, unbiased=False)
    return mean, torch.where(std > 0, std, torch.ones_like(std))


def fit_logistic_regression(feats: torch.Tensor,
                            labels: torch.Tensor,
                            num_classes: int,
                            l2: float,
                            init: Optional[Tuple[torch.Tensor, torch.Tensor]] = None,
                            max_iter: int = 100,
                            tolerance: float = TOLERANCE) -> Tuple[torch.Tensor, torch.Tensor]:
    """Minimise the mean cross-entropy plus ``l2 / 2 * ||W||^2`` with L-BFGS (strong Wolfe line search).

    Args:
        feats (Tensor): (N, C) features (already standardised), float32 or float64.
        labels (Tensor): (N, ) labels in ``[0, num_classes)``.
        num_classes (int): Number of classes K.
        l2 (float): L2 strength on the weights (not the bias).
        init (tuple[Tensor, Tensor], optional): Starting weight (K, C) and bias (K, ); zeros by default.
        max_iter (int): Maximum L-BFGS iterations. Defaults to 100.
        tolerance (float): Stop when the largest gradient entry is below it. Defaults to :data:`TOLERANCE`.

    Returns:
        tuple[Tensor, Tensor]: The weight (K, C) and bias (K, ).
    """
    if init is None:
        weight = feats.new_zeros(num_classes, feats.size(1))
        bias = feats.new_zeros(num_classes)
    else:
        weight, bias = (tensor.detach().clone().to(feats) for tensor in init)
    weight.requires_grad_(True)
    bias.requires_grad_(True)
    labels = labels.to(feats.device)
    optimizer = torch.optim.LBFGS([weight, bias], lr=1, max_iter=max_iter, history_size=10,
                                  tolerance_grad=tolerance, tolerance_change=1e-12, line_search_fn='strong_wolfe')

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = F.cross_entropy(feats @ weight.t() + bias, labels) + l2 / 2 * weight.pow(2).sum()
        loss.backward()
        return loss

    with torch.enable_grad():
        optimizer.step(closure)
    return weight.detach(), bias.detach()


def train_linear_probe(feats: torch.Tensor,
                       labels: torch.Tensor,
                       num_classes: int,
                       seed: int = 0,
                       l2_grid: Sequence[float] = L2_GRID,
                       holdout: float = HOLDOUT,
                       max_iter: int = 100) -> LinearProbe:
    """Fit the linear probe on labelled features, its L2 strength chosen on held-out labelled images.

    The features are standardised with the statistics of all labelled images. For each L2 strength of
    ``l2_grid`` (strongest first, warm-started) a classifier is fitted on the fitting part of
    :func:`~.label_subsets.holdout_split` and scored on the held-out part: the highest held-out top-1
    wins, ties broken by the lower held-out cross-entropy. The winner is refitted on all labelled images.
    When nothing can be held out (no class has three images), :data:`DEFAULT_L2` is used.

    Args:
        feats (Tensor): (N, C) features of the labelled images.
        labels (Tensor): (N, ) their labels.
        num_classes (int): Number of classes K.
        seed (int): Seed of the held-out split. Defaults to 0.
        l2_grid (Sequence[float]): L2 strengths tried. Defaults to :data:`L2_GRID`.
        holdout (float): Fraction of each class held out. Defaults to :data:`HOLDOUT`.
        max_iter (int): L-BFGS iterations per fit. Defaults to 100.

    Returns:
        LinearProbe: The refitted probe.
    """
    if not l2_grid:
        raise ValueError('l2_grid is empty: give at least one L2 strength')
    mean, std = feature_statistics(feats if feats.dtype == torch.float64 else feats.float())
    inputs = standardise(feats, mean, std)
    labels = labels.to(inputs.device)
    fit, held_out = holdout_split(labels.cpu(), holdout, seed)
    fit, held_out = fit.to(inputs.device), held_out.to(inputs.device)
    l2, start = DEFAULT_L2, None
    if len(held_out) > 0:
        best = None
        for strength in sorted(l2_grid, reverse=True):
            start = fit_logistic_regression(inputs[fit], labels[fit], num_classes, strength, start, max_iter)
            scores = inputs[held_out] @ start[0].t() + start[1]
            accuracy = (scores.argmax(dim=1) == labels[held_out]).float().mean().item()
            loss = F.cross_entropy(scores, labels[held_out]).item()
            if best is None or (accuracy, -loss) > best[0]:
                best = ((accuracy, -loss), strength, start)
        _, l2, start = best
    weight, bias = fit_logistic_regression(inputs, labels, num_classes, l2, start, max_iter)
    return LinearProbe(weight, bias, mean, std, l2)
