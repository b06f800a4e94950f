# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Backbone features of dataset images for an evaluation: normalised like the model's inputs, sharded over ranks.

Used by :class:`~gersp_mm.pretrain.hooks.KNNMonitorHook` and the frozen evaluation
(:mod:`gersp_mm.frozen_eval`); call it under ``torch.no_grad`` with the backbone
in the mode wanted (eval for BN running statistics).
"""
import math
from typing import Callable, List, Optional, Sequence, Union

import torch
from mmengine.dataset import pseudo_collate
from mmengine.dist import all_gather, get_dist_info
from torch import nn
from torch.utils.data import DataLoader, Subset


def extract_features(backbone: nn.Module,
                     dataset,
                     indices: List[int],
                     batch_size: int,
                     num_workers: int = 0,
                     mean: Optional[torch.Tensor] = None,
                     std: Optional[torch.Tensor] = None,
                     to_rgb: bool = False,
                     progress: Optional[Callable[[int], None]] = None) -> torch.Tensor:
    """Features (len(indices), C) of the images ``indices`` of ``dataset``, sharded over the ranks.

    Rank ``r`` of ``W`` extracts positions ``r, r + W, ...`` of the list filled up (by repeating it)
    to a multiple of ``W``; the gathered shards are interleaved back and cut to the list's length.
    Each batch of uint8 images (the dataset's ``inputs``, all of one size) is converted to float,
    BGR -> RGB when ``to_rgb``, normalised by ``mean``/``std`` when given, and reduced to (N, C) by
    :func:`pooled_features`.

    Args:
        backbone (nn.Module): The backbone; the images go to the device of its parameters.
        dataset: A dataset whose samples hold ``inputs`` (3, H, W) (e.g. ending with ``PackInputs``).
        indices (list[int]): The samples to extract, in order.
        batch_size (int): Images per forward.
        num_workers (int): Data-loading workers. Defaults to 0.
        mean (Tensor, optional): Per-channel mean (3, 1, 1), after ``to_rgb``. None: no normalisation.
        std (Tensor, optional): Per-channel std (3, 1, 1), given with ``mean``.
        to_rgb (bool): Reverse the channels (BGR -> RGB) first. Defaults to False.
        progress (callable, optional): Called with the number of images of each batch once it is done
            (e.g. a progress bar's ``update``).

    Returns:
        Tensor: Features (len(indices), C) on the backbone's device, identical on every rank.
    """
    rank, world_size = get_dist_info()
    per_rank = math.ceil(len(indices) / world_size)
    filled = [indices[i % len(indices)] for i in range(per_rank * world_size)]
    loader = DataLoader(Subset(dataset, filled[rank::world_size]), batch_size=batch_size,
                        num_workers=num_workers, collate_fn=pseudo_collate)
    device = next(backbone.parameters()).device
    feats = []
    for batch in loader:
        shapes = {tuple(image.shape) for image in batch['inputs']}
        if len(shapes) != 1:
            raise ValueError(f'feature extraction: images of different sizes {sorted(shapes)} in one batch; end '
                             'the pipeline (the k-NN monitor\'s, or the test pipeline of a frozen evaluation) with a '
                             'fixed-size Resize/CenterCrop before PackInputs')
        images = torch.stack(batch['inputs']).to(device).float()
        if to_rgb:
            images = images[:, [2, 1, 0]]
        if mean is not None:
            images = (images - mean.to(device)) / std.to(device)
        feats.append(pooled_features(backbone(images)))
        if progress is not None:
            progress(len(images))
    gathered = all_gather(torch.cat(feats))
    return torch.stack(gathered, dim=1).flatten(0, 1)[:len(indices)]


def pooled_features(outputs: Union[torch.Tensor, Sequence[torch.Tensor]]) -> torch.Tensor:
    """The backbone's last output as (N, C): global-average-pooled when it is a (N, C, H, W) map."""
    feats = outputs[-1] if isinstance(outputs, (tuple, list)) else outputs
    if feats.dim() == 4:
        feats = feats.mean(dim=(2, 3))
    if feats.dim() != 2:
        raise ValueError(f'feature extraction expects backbone features (N, C) or (N, C, H, W), got '
                         f'{tuple(feats.shape)}')
    return feats
