# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
from .coco_max_dets_metric import CocoMaxDetsMetric

__all__ = ['CocoMaxDetsMetric']
