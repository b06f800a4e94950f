# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Dataset converters of the detection benchmarks (used by ``tools/dataset_converters/``)."""
from .dota_patches import convert_dota

__all__ = ['convert_dota']
