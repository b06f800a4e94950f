# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
from .dior import DIOR_CLASSES, DIORDataset
from .dota_hbb import DOTA_CLASSES, DOTAHBBDataset

__all__ = ['DIORDataset', 'DIOR_CLASSES', 'DOTAHBBDataset', 'DOTA_CLASSES']
