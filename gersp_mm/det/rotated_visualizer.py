# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
from mmrotate.registry import VISUALIZERS
from mmrotate.visualization import RotLocalVisualizer

from ..engine import PerRunVisualizerMixin


@VISUALIZERS.register_module()
class PerRunRotLocalVisualizer(PerRunVisualizerMixin, RotLocalVisualizer):
    """mmrotate's :class:`RotLocalVisualizer` (rotated boxes painted as polygons), one instance per build:
    each Runner of a process logs into its own folder, and host tools build it from a config without a name
    (see :mod:`gersp_mm.engine.visualizer`).

    Args:
        **kwargs: Arguments of :class:`mmrotate.visualization.RotLocalVisualizer`.
    """
