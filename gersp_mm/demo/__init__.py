# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The laptop demo of ``tools/demo.py``: synthetic datasets in the real on-disk formats and a progress hook.

Importing it registers :class:`DemoProgressHook` (``custom_imports=dict(imports=['gersp_mm.demo'])``).
"""
from .progress import DemoProgressHook
from .synthetic_scenes import (
    DET_CLASSES,
    NATURAL_CLASSES,
    SCENE_CLASSES,
    DemoDataRoots,
    DemoDataSizes,
    write_demo_datasets,
)

__all__ = ['DemoProgressHook', 'DemoDataSizes', 'DemoDataRoots', 'write_demo_datasets', 'DET_CLASSES',
           'SCENE_CLASSES', 'NATURAL_CLASSES']
