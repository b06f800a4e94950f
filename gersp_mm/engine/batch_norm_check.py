# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Refusing a segmentation run whose heads' BatchNorm would see one image per iteration in total.

What the host gets wrong: the image-pooling branches of mmseg's heads (ASPP in DeepLabV3+, the pyramid pooling
of UPerNet) normalise a map pooled to 1x1. With one image per iteration in total (``batch_size=1`` on one
process, where mmengine turns ``SyncBN`` into ``BN``), BatchNorm then has one value per channel and the run
fails at its first iteration with ``Expected more than 1 value per channel when training``, naming no
config key; with more processes, ``SyncBN`` gathers the statistics of all of them and works.
"""
from typing import Optional

from mmengine.model import is_model_wrapper
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm


class BatchNormBatchError(ValueError):
    """A training batch too small for the model's BatchNorm layers (the message names the config keys)."""


def check_batch_norm_batch(model: nn.Module, batch_size: Optional[int], world_size: int) -> None:
    """Raise when a segmentor's decode or auxiliary head has BatchNorm layers and one image per iteration in
    total would reach them.

    Args:
        model (nn.Module): The model (or its wrapper); only segmentors (with a ``decode_head``) are checked.
        batch_size (int, optional): ``train_dataloader.batch_size`` (per process).
        world_size (int): The number of training processes.

    Raises:
        BatchNormBatchError: Naming ``train_dataloader.batch_size``, a BatchNorm layer and what to do.
    """
    module = model.module if is_model_wrapper(model) else model
    if not isinstance(batch_size, int) or batch_size * world_size > 1 or not hasattr(module, 'decode_head'):
        return
    heads = {name: getattr(module, name) for name in ('decode_head', 'auxiliary_head')
             if isinstance(getattr(module, name, None), nn.Module)}
    norms = [f'{head}.{name}' for head, layer in heads.items() for name, norm in layer.named_modules()
             if isinstance(norm, _BatchNorm)]
    if norms:
        raise BatchNormBatchError(
            f'train_dataloader.batch_size={batch_size} on {world_size} process: the {len(norms)} BatchNorm/SyncBN '
            f'layers of the heads (e.g. {norms[0]}) normalise over the images of an iteration, and the pooled 1x1 '
            'branch would have one value per channel (PyTorch: "Expected more than 1 value per channel when '
            'training"). Train with at least 2 images per iteration in total: a larger train_dataloader.batch_size, '
            'or several processes (SyncBN gathers their statistics)')
