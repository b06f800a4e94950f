# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
from .moco_views import LoadMoCoViews, jpeg_reduction
from .view_params import ViewParams
from .view_rendering import apply_view_params, apply_view_params_pil
from .view_sampling import MoCoViewConfig, draw_view_params, generator_from_global_rng

__all__ = ['LoadMoCoViews', 'jpeg_reduction', 'MoCoViewConfig', 'ViewParams', 'apply_view_params',
           'apply_view_params_pil', 'draw_view_params', 'generator_from_global_rng']
