# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Remote-sensing semantic segmentation, built on mmsegmentation. Modules register into mmseg's registries.

Use it from a config with ``custom_imports=dict(imports=['gersp_mm', 'gersp_mm.seg'])`` and
``default_scope='mmseg'``. :class:`~gersp_mm.seg.visualizer.PerRunSegLocalVisualizer` is mmseg's visualizer,
one per run of a process.
"""
from .metrics import *  # noqa: F401,F403
from .visualizer import PerRunSegLocalVisualizer  # noqa: F401
