# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Visualizers that are never shared between two runs of one process.

mmengine keeps one visualizer per *name* for the whole process (``Visualizer.get_instance``): building a
visualizer whose name already exists returns the existing one, with its log folder. mmdet's and mmseg's
configs name theirs ``'visualizer'``, so a second ``Runner`` in a process (a benchmark loop, the demo, a
test) would log into the first run's folder; left without a name, the Runner names it after the run
(config name and start time, to the second), but the host tools that build a visualizer from a config
without a Runner (mmdet's and mmseg's ``browse_dataset.py``) then fail for want of a name.

:class:`PerRunVisualizerMixin` makes both work: a visualizer built from a config gets the name it asks for
(the Runner's run name), or its class name when it asks for none, made unique in the process by a numeric
suffix when taken. The host-specific classes that use it live next to the modules of each host
(:mod:`gersp_mm.det.visualizer`, :mod:`gersp_mm.seg.visualizer`).
"""
import itertools
from typing import Optional

from mmengine.visualization import Visualizer


class PerRunVisualizerMixin:
    """Mixin for a :class:`mmengine.visualization.Visualizer` subclass: every build is a new instance.

    Put it before the visualizer class in the bases. ``get_instance`` (what the registry calls to build a
    visualizer from a config) takes ``name`` as optional and never hands back an existing instance: a name
    already used in the process by any visualizer gets the first free suffix ``-2``, ``-3``, ... The new
    instance is the current one (``Visualizer.get_current_instance()``), which the visualization and
    logger hooks draw on.
    """

    @classmethod
    def get_instance(cls, name: Optional[str] = None, **kwargs) -> Visualizer:
        """Build a visualizer under a name no other visualizer of the process has.

        Args:
            name (str, optional): The name wanted (a Runner passes its run name). Defaults to the class name.
            **kwargs: Arguments of the visualizer class (``vis_backends``, ``save_dir``, ...).

        Returns:
            Visualizer: The new visualizer.
        """
        wanted = name or cls.__name__
        taken = Visualizer._instance_dict
        unique = next(candidate for candidate in itertools.chain(
            [wanted], (f'{wanted}-{number}' for number in itertools.count(2))) if candidate not in taken)
        return super().get_instance(unique, **kwargs)
