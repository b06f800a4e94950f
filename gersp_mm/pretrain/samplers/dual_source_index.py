# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The index that :class:`DualSourceSampler` yields and :class:`DualSourceDataset` is read with."""
from typing import NamedTuple


class DualSourceIndex(NamedTuple):
    """One GeRSP sample as chosen by :class:`DualSourceSampler`.

    Attributes:
        rs (int): Index into the remote-sensing dataset.
        natural (int): Index into the natural-image dataset.
        seed (int): Seed of the sample's augmentations (a function of the sampler seed and the sample's
            position), so that augmentations do not depend on the number of workers or on a resume.
    """
    rs: int
    natural: int
    seed: int
