# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
from .scene_classification import (
    EUROSAT_CLASSES,
    IMAGE_EXTENSIONS,
    NWPU_RESISC45_CLASSES,
    NWPURESISC45,
    EuroSAT,
    SceneClassificationDataset,
    scan_class_folders,
)

__all__ = ['NWPURESISC45', 'EuroSAT', 'SceneClassificationDataset', 'scan_class_folders',
           'NWPU_RESISC45_CLASSES', 'EUROSAT_CLASSES', 'IMAGE_EXTENSIONS']
