# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
from .class_subset_iou_metric import ClassSubsetIoUMetric

__all__ = ['ClassSubsetIoUMetric']
