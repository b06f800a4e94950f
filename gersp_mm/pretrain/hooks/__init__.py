# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
from .fast_forward_sampler_hook import FastForwardSamplerHook
from .knn_monitor_hook import KNNMonitorHook

__all__ = ['FastForwardSamplerHook', 'KNNMonitorHook']
