# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
from mmdet.registry import VISUALIZERS
from mmdet.visualization import DetLocalVisualizer

from ..engine import PerRunVisualizerMixin


@VISUALIZERS.register_module()
class PerRunDetLocalVisualizer(PerRunVisualizerMixin, DetLocalVisualizer):
    """mmdet's :class:`DetLocalVisualizer`, one instance per build: each Runner of a process logs into its
    own folder, and host tools build it from a config without a name (see :mod:`gersp_mm.engine.visualizer`).

    Args:
        **kwargs: Arguments of :class:`mmdet.visualization.DetLocalVisualizer`.
    """
