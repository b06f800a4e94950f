# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Extract the (student) ResNet of a checkpoint and write it in the mm or torchvision layout.

The checkpoint's layout is recognised by :mod:`.checkpoint_layouts`, the tensors are checked by
:mod:`.resnet_tensors`.
"""
from collections import OrderedDict
from typing import Any, Dict, NamedTuple, Optional

import torch

from .checkpoint_layouts import LAYOUTS, checkpoint_state_dict, find_layout
from .resnet_tensors import BackboneExtractionError, check_resnet_tensors


class ExtractedBackbone(NamedTuple):
    """A ResNet backbone taken out of a checkpoint.

    Attributes:
        state_dict (dict): Backbone tensors with torchvision/mm ResNet names (no prefix, no ``fc``).
        layout (str): Name of the recognised source layout (see :data:`LAYOUTS`).
        depth (int): ResNet depth (18, 34, 50, 101 or 152).
        fc (dict, optional): ``{'weight', 'bias'}`` of the layout's classifier on the backbone features
            (torchvision's ``fc``, GeRSP's natural-image classifier), when the checkpoint has one, else None.
    """
    state_dict: Dict[str, torch.Tensor]
    layout: str
    depth: int
    fc: Optional[Dict[str, torch.Tensor]]


def extract_resnet_backbone(checkpoint: dict, source: str = 'checkpoint') -> ExtractedBackbone:
    """Find the student ResNet of a checkpoint and check that it is complete.

    Args:
        checkpoint (dict): A loaded checkpoint (with ``state_dict``/``model``, or a bare state dict).
        source (str): Name of the file, for messages.

    Returns:
        ExtractedBackbone: The backbone tensors, the recognised layout, the depth and any classifier.

    Raises:
        BackboneExtractionError: If no known layout holds a ResNet, or tensors are missing, unexpected or
            of the wrong shape.
    """
    if not isinstance(checkpoint, dict):
        raise BackboneExtractionError(f'{source}: expected a dict checkpoint, got {type(checkpoint).__name__}')
    state_dict = checkpoint_state_dict(checkpoint)
    layout = find_layout(state_dict)
    if layout is None:
        sample = ', '.join(list(state_dict)[:5])
        prefixes = ', '.join(sorted({layout.prefix for layout in LAYOUTS if layout.prefix}))
        raise BackboneExtractionError(
            f'{source}: no ResNet backbone found (looked for {prefixes} prefixes and a bare torchvision state '
            f'dict); first keys: {sample}')
    prefix = layout.prefix
    backbone = {key[len(prefix):]: value for key, value in state_dict.items()
                if key.startswith(prefix) and torch.is_tensor(value) and not key[len(prefix):].startswith('fc.')}
    fc = None
    if layout.classifier is not None and f'{layout.classifier}weight' in state_dict:
        fc = dict(weight=state_dict[f'{layout.classifier}weight'], bias=state_dict[f'{layout.classifier}bias'])
    depth = check_resnet_tensors(backbone, source, f' under prefix {prefix!r} ({layout.name} layout)')
    return ExtractedBackbone(backbone, layout.name, depth, fc)


def to_mm_checkpoint(backbone: ExtractedBackbone, metadata: Dict[str, Any]) -> dict:
    """The mm layout: ``{'state_dict': {'backbone.<name>': tensor}, 'meta': metadata}``.

    Loadable with ``torch.load(..., weights_only=True)`` and by
    ``init_cfg=dict(type='Pretrained', checkpoint=..., prefix='backbone.')``, which reads only ``state_dict``.

    Args:
        backbone (ExtractedBackbone): The backbone.
        metadata (dict): Plain data (see :func:`gersp_mm.export.export_metadata`).
    """
    return dict(state_dict={f'backbone.{key}': value.detach().clone().contiguous()
                            for key, value in backbone.state_dict.items()},
                meta=dict(metadata))


def to_torchvision_state_dict(backbone: ExtractedBackbone,
                              metadata: Optional[Dict[str, Any]] = None,
                              num_classes: int = 1000) -> 'OrderedDict[str, torch.Tensor]':
    """The torchvision layout, accepted by ``torchvision.models.resnetXX().load_state_dict(strict=True)``.

    The ``fc`` classifier is the checkpoint's own when it has one of ``num_classes`` outputs; otherwise
    (self-supervised checkpoints have none) it is written as zeros, to be replaced when fine-tuning.
    ``metadata`` goes where PyTorch keeps a state dict's own metadata: ``state_dict._metadata['gersp_mm']``
    (kept by ``torch.save``/``torch.load(weights_only=True)``; ``load_state_dict`` looks there only for
    module names, and no module is named ``gersp_mm``).

    Args:
        backbone (ExtractedBackbone): The backbone.
        metadata (dict, optional): Plain data (see :func:`gersp_mm.export.export_metadata`).
        num_classes (int): Outputs of ``fc``. Defaults to 1000 (torchvision's ImageNet models).
    """
    state_dict = OrderedDict((key, value.detach().clone().contiguous())
                             for key, value in backbone.state_dict.items())
    width = 512 if backbone.depth < 50 else 2048
    fc = backbone.fc
    if fc is None or tuple(fc['weight'].shape) != (num_classes, width):
        fc = dict(weight=torch.zeros(num_classes, width), bias=torch.zeros(num_classes))
    state_dict['fc.weight'], state_dict['fc.bias'] = fc['weight'].clone(), fc['bias'].clone()
    if metadata is not None:
        state_dict._metadata = OrderedDict(gersp_mm=dict(metadata))  # type: ignore[attr-defined]
    return state_dict
