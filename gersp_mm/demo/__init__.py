# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The main job (``tools/demo.py``): GeRSP against each of its sources alone and random init, on synthetic data.

- :mod:`.synthetic_scenes`: the datasets, in the on-disk formats of the real ones;
- :mod:`.demo_data`: the datasets' sizes (full demo, ``--quick``) and what each holds;
- :mod:`.plan`: the inits and downstream tasks compared (the downstream suite's :class:`~gersp_mm.downstream.Init` and
  :class:`~gersp_mm.downstream.TaskSpec`, with titles);
- :mod:`.run_configs`: how each run's config differs from its file in configs/demo;
- :mod:`.runs`: config files, in-process training, backbone export;
- :mod:`.pipeline`: the stages from data to results (:func:`run_demo`);
- :mod:`.work_dir`: the work dir's layout, its cleaning, the results as CSV and JSON;
- :mod:`.report`: the results table, what it shows, the caveats;
- :mod:`.figures`, :mod:`.detections`: training curves with the k-NN monitor, the detection grid;
- :mod:`.progress`: the console progress (:class:`DemoProgressHook`, registered on import) and the time left.
"""
from .pipeline import run_demo
from .progress import DemoProgressHook
from .synthetic_scenes import (
    DET_CLASSES,
    NATURAL_CLASSES,
    SCENE_CLASSES,
    DemoDataRoots,
    DemoDataSizes,
    write_demo_datasets,
)

__all__ = ['run_demo', 'DemoProgressHook', 'DemoDataSizes', 'DemoDataRoots', 'write_demo_datasets', 'DET_CLASSES',
           'SCENE_CLASSES', 'NATURAL_CLASSES']
