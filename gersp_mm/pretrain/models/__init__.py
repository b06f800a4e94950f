# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
from .data_preprocessor import DualSourceDataPreprocessor
from .gersp import GeRSP
from .key_queue import KeyQueue

__all__ = ['GeRSP', 'KeyQueue', 'DualSourceDataPreprocessor']
