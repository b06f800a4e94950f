# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
from .data_preprocessor import DeviceAugmentDataPreprocessor, DualSourceDataPreprocessor
from .foreach_ema import ForeachExponentialMovingAverage
from .gersp import GeRSP
from .key_queue import KeyQueue

__all__ = ['GeRSP', 'KeyQueue', 'DualSourceDataPreprocessor', 'DeviceAugmentDataPreprocessor',
           'ForeachExponentialMovingAverage']
