# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
from .view_params import MoCoViewConfig, ViewParams, apply_view_params, apply_view_params_pil, draw_view_params

__all__ = ['MoCoViewConfig', 'ViewParams', 'apply_view_params', 'apply_view_params_pil', 'draw_view_params']
