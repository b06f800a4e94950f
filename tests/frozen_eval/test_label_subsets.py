# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Stratified label fractions: per-class counts, at least one image, reproducible, a pure function of the labels."""
import math

import pytest
import torch

from gersp_mm.frozen_eval import holdout_split, label_subset

# unbalanced classes (as EuroSAT): 3, 40, 7, 1 and 100 images, shuffled
LABELS = torch.tensor([0] * 3 + [1] * 40 + [2] * 7 + [3] * 1 + [4] * 100)
LABELS = LABELS[torch.randperm(len(LABELS), generator=torch.Generator().manual_seed(5))]


@pytest.mark.parametrize('fraction', [0.01, 0.05, 0.1, 0.2, 0.5, 1.0])
def test_each_class_gets_its_fraction_and_at_least_one(fraction):
    subset = label_subset(LABELS, fraction, seed=0)
    assert subset.tolist() == sorted(set(subset.tolist()))  # sorted, no repeats
    for label in range(5):
        size = int((LABELS == label).sum())
        expected = min(size, max(1, math.floor(fraction * size + 0.5)))
        assert int((LABELS[subset] == label).sum()) == expected, (label, fraction)


def test_reproducible_from_the_seed_and_different_across_seeds():
    assert torch.equal(label_subset(LABELS, 0.2, 3), label_subset(LABELS, 0.2, 3))
    assert not torch.equal(label_subset(LABELS, 0.2, 3), label_subset(LABELS, 0.2, 4))
    # the same labels in another tensor (another backbone's feature set) give the same subset
    assert torch.equal(label_subset(LABELS.clone(), 0.2, 3), label_subset(LABELS, 0.2, 3))
    assert torch.equal(label_subset(LABELS, 1.0, 0), torch.arange(len(LABELS)))


@pytest.mark.parametrize('fraction', [0, -0.1, 1.5, True])
def test_bad_fraction_is_refused(fraction):
    with pytest.raises(ValueError, match='label fraction must be in'):
        label_subset(LABELS, fraction, 0)


def test_holdout_keeps_one_image_per_class_for_fitting():
    fit, held_out = holdout_split(LABELS, 0.2, seed=1)
    assert sorted(fit.tolist() + held_out.tolist()) == list(range(len(LABELS)))
    for label, size in zip(range(5), (3, 40, 7, 1, 100)):
        kept = int((LABELS[fit] == label).sum())
        assert kept == max(1, math.floor(0.8 * size + 0.5))
    assert int((LABELS[held_out] == 3).sum()) == 0  # a single image is never held out
