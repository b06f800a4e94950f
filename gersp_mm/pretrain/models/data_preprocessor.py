# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
from typing import List, Optional, Sequence

import torch
from mmpretrain.models.utils import SelfSupDataPreprocessor
from mmpretrain.registry import MODELS


@MODELS.register_module()
class DualSourceDataPreprocessor(SelfSupDataPreprocessor):
    """Normalises the views of both GeRSP sources, each with its own statistics.

    The batch from :class:`DualSourceDataset` holds ``inputs = [rs_view_1, rs_view_2, natural]``: each
    view either stacked (uint8, (N, 3, H, W), from ``default_collate``) or as N tensors (3, H, W) from the
    Runner's default ``pseudo_collate``, which this preprocessor stacks. The remote-sensing views are
    normalised with ``mean``/``std`` and the natural view with ``natural_mean``/``natural_std`` (defaults:
    the same statistics), after the optional BGR -> RGB conversion. A single-source batch of two views
    (the MoCo baselines) is normalised with ``mean``/``std``.

    Args:
        mean (Sequence[float]): Per-channel mean of the remote-sensing images (after ``to_rgb``).
        std (Sequence[float]): Per-channel std of the remote-sensing images.
        natural_mean (Sequence[float], optional): Per-channel mean of the natural images.
            Defaults to ``mean``.
        natural_std (Sequence[float], optional): Per-channel std of the natural images.
            Defaults to ``std``.
        to_rgb (bool): Convert BGR (as decoded) to RGB. Defaults to True.
    """

    def __init__(self,
                 mean: Sequence[float] = (123.675, 116.28, 103.53),
                 std: Sequence[float] = (58.395, 57.12, 57.375),
                 natural_mean: Optional[Sequence[float]] = None,
                 natural_std: Optional[Sequence[float]] = None,
                 to_rgb: bool = True) -> None:
        super().__init__(mean=mean, std=std, to_rgb=to_rgb)
        natural_mean = mean if natural_mean is None else natural_mean
        natural_std = std if natural_std is None else natural_std
        self.register_buffer('natural_mean', torch.tensor(natural_mean).view(-1, 1, 1), False)
        self.register_buffer('natural_std', torch.tensor(natural_std).view(-1, 1, 1), False)

    def forward(self, data: dict, training: bool = False) -> dict:
        """Normalise a collated batch.

        Args:
            data (dict): ``inputs`` (a list of views, each a uint8 tensor (N, 3, H, W) or a sequence of N
                uint8 tensors (3, H, W)) and ``data_samples``.
            training (bool): Unused; kept for the mmengine interface.

        Returns:
            dict: ``inputs`` as a list of float tensors in the same order, and ``data_samples``.
        """
        inputs, data_samples = self.cast_data([data['inputs'], data.get('data_samples')])
        if not isinstance(inputs, list) or len(inputs) not in (2, 3):
            raise ValueError('DualSourceDataPreprocessor expects inputs=[rs_view_1, rs_view_2(, natural)], '
                             f'got {type(inputs).__name__} of length {len(inputs)}')
        views: List[torch.Tensor] = []
        for index, view in enumerate(inputs):
            if not isinstance(view, torch.Tensor):
                view = torch.stack(list(view))
            if self._channel_conversion:
                view = view[:, [2, 1, 0], ...]
            mean, std = (self.natural_mean, self.natural_std) if index == 2 else (self.mean, self.std)
            views.append((view.float() - mean) / std)
        return dict(inputs=views, data_samples=data_samples)
