# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
from .dual_source_index import DualSourceIndex
from .dual_source_sampler import DualSourceSampler, mix_seed

__all__ = ['DualSourceIndex', 'DualSourceSampler', 'mix_seed']
