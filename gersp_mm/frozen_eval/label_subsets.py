# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The labelled images of a few-label evaluation: a stratified fraction of each class, reproducible from a seed.

The subsets depend only on the labels of the training split, the fraction and the seed, never on the
backbone: every backbone of an evaluation is trained on the same images. Both functions are
:func:`gersp_mm.pretrain.evaluation.split_per_class` (the pre-training monitor's seeded per-class split)
applied to a fraction.
"""
import torch

from ..pretrain.evaluation import split_per_class


def check_fraction(fraction: float) -> float:
    """``fraction`` as a float in (0, 1]; a ValueError naming the value otherwise."""
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 < fraction <= 1:
        raise ValueError(f'a label fraction must be in (0, 1], got {fraction!r}')
    return float(fraction)


def label_subset(labels: torch.Tensor, fraction: float, seed: int) -> torch.Tensor:
    """A stratified subset of the training images: ``fraction`` of each class, at least one image.

    Per class, ``round(fraction * n)`` images (half up, at least 1, at most ``n``), the first of a
    permutation of the class drawn from a generator seeded with ``seed`` (classes in label order).

    Args:
        labels (Tensor): Labels (N, ) of the training split.
        fraction (float): Fraction in (0, 1] of each class.
        seed (int): Seed of the subset.

    Returns:
        Tensor: Sorted indices (M, ) into ``labels``.
    """
    subset, _ = split_per_class(labels, check_fraction(fraction), seed=seed)
    return torch.tensor(subset, dtype=torch.long)


def holdout_split(labels: torch.Tensor, holdout: float, seed: int) -> tuple:
    """Split labelled images per class into a fitting part and a held-out part (for choosing a hyperparameter).

    Per class ``round((1 - holdout) * n)`` images (half up, at least 1) are fitted, the others held out: a
    class of one or two images keeps them all for fitting.

    Args:
        labels (Tensor): Labels (M, ) of the labelled images.
        holdout (float): Fraction in (0, 1) of each class to hold out.
        seed (int): Seed of the split.

    Returns:
        tuple[Tensor, Tensor]: Sorted indices into ``labels`` of the fitting and the held-out images.
    """
    if not 0 < holdout < 1:
        raise ValueError(f'the held-out fraction must be in (0, 1), got {holdout!r}')
    fit, held_out = split_per_class(labels, 1.0 - holdout, seed=seed)
    return torch.tensor(fit, dtype=torch.long), torch.tensor(held_out, dtype=torch.long)
