# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
from typing import List, Optional

import numpy as np
from mmengine.structures import PixelData
from mmseg.registry import VISUALIZERS
from mmseg.visualization import SegLocalVisualizer

from ..engine import PerRunVisualizerMixin


@VISUALIZERS.register_module()
class PerRunSegLocalVisualizer(PerRunVisualizerMixin, SegLocalVisualizer):
    """mmseg's :class:`SegLocalVisualizer`, one instance per build: each Runner of a process logs into its
    own folder, and host tools build it from a config without a name (see :mod:`gersp_mm.engine.visualizer`).

    Also draws on images that are not C-contiguous: mmseg's ``browse_dataset.py`` passes a channel-reversed
    view of the packed tensor, on which mmseg's label drawing (``cv2.rectangle`` on a mask made with
    ``np.zeros_like(image)``) fails with "Layout of the output array img is incompatible with cv::Mat".

    Args:
        **kwargs: Arguments of :class:`mmseg.visualization.SegLocalVisualizer`.
    """

    def _draw_sem_seg(self, image: np.ndarray, sem_seg: PixelData, classes: Optional[List],
                      palette: Optional[List], with_labels: Optional[bool] = True) -> np.ndarray:
        return super()._draw_sem_seg(np.ascontiguousarray(image), sem_seg, classes, palette, with_labels)
