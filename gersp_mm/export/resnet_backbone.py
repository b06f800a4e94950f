# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Recognise where a checkpoint keeps its (student) ResNet and extract it.

mmdet, mmseg and mmpretrain's ``ResNet`` (``style='pytorch'``) use torchvision's parameter names, so a
backbone is the same set of tensors in every layout; only the key prefix and the wrapping differ.
"""
import re
from typing import Dict, List, NamedTuple, Optional, Tuple

import torch

# (name, description, key prefix of the student backbone, keys whose presence identifies the layout)
LAYOUTS: List[Tuple[str, str, str, Tuple[str, ...]]] = [
    ('gersp_mm', 'GeRSP pre-training checkpoint of gersp_mm (student = backbone.*)', 'backbone.',
     ('teacher.module.0.conv1.weight', 'queue.keys')),
    ('gersp_released', 'released GeRSP / mmselfsup 0.x MoCo checkpoint (backbone.*, encoder_q/k, queue)',
     'backbone.', ('encoder_q.0.conv1.weight', 'queue')),
    ('mmpretrain_moco', 'MoCo checkpoint of mmpretrain / mmselfsup 1.x (backbone.*, encoder_k.*, queue)',
     'backbone.', ('encoder_k.module.0.conv1.weight', 'queue')),
    ('mm_model', 'OpenMMLab model checkpoint (backbone.*)', 'backbone.', ('backbone.conv1.weight', )),
    ('moco_official', 'official MoCo checkpoint (module.encoder_q.*)', 'module.encoder_q.',
     ('module.encoder_q.conv1.weight', )),
    ('torchvision_ddp', 'torchvision ResNet state dict saved from DDP (module.*)', 'module.',
     ('module.conv1.weight', 'module.layer1.0.conv1.weight')),
    ('torchvision', 'torchvision ResNet state dict', '', ('conv1.weight', 'layer1.0.conv1.weight')),
]
# Blocks per stage -> depth; BasicBlock (no conv3) for 18/34.
_DEPTHS = {((2, 2, 2, 2), False): 18, ((3, 4, 6, 3), False): 34, ((3, 4, 6, 3), True): 50,
           ((3, 4, 23, 3), True): 101, ((3, 8, 36, 3), True): 152}


class BackboneExtractionError(ValueError):
    """The checkpoint holds no ResNet backbone, or an incomplete one."""


class ExtractedBackbone(NamedTuple):
    """A ResNet backbone taken out of a checkpoint.

    Attributes:
        state_dict (dict): Backbone tensors with torchvision/mm ResNet names (no prefix, no ``fc``).
        layout (str): Name of the recognised source layout (see :data:`LAYOUTS`).
        depth (int): ResNet depth (18, 34, 50, 101 or 152).
        fc (dict, optional): ``{'weight', 'bias'}`` of a classifier on the backbone features found in the
            checkpoint (torchvision's ``fc``, or GeRSP's natural-image classifier), else None.
    """
    state_dict: Dict[str, torch.Tensor]
    layout: str
    depth: int
    fc: Optional[Dict[str, torch.Tensor]]


def _unwrap(checkpoint: dict) -> Dict[str, torch.Tensor]:
    for key in ('state_dict', 'model'):
        if isinstance(checkpoint.get(key), dict):
            return checkpoint[key]
    return checkpoint


def _infer_depth(state_dict: Dict[str, torch.Tensor], source: str) -> int:
    blocks = []
    for stage in range(1, 5):
        indices = {int(m.group(1)) for key in state_dict
                   for m in [re.match(rf'layer{stage}\.(\d+)\.', key)] if m}
        blocks.append(max(indices) + 1 if indices else 0)
    bottleneck = any(key.endswith('.conv3.weight') for key in state_dict)
    depth = _DEPTHS.get((tuple(blocks), bottleneck))
    if depth is None:
        raise BackboneExtractionError(
            f'{source}: the ResNet stages hold {blocks} {"Bottleneck" if bottleneck else "BasicBlock"} blocks, '
            'which is no standard ResNet (18/34/50/101/152); the checkpoint is incomplete or not a ResNet')
    return depth


def _reference_shapes(depth: int) -> Dict[str, torch.Size]:
    import torchvision
    with torch.device('meta'):
        model = getattr(torchvision.models, f'resnet{depth}')()
    return {name: value.shape for name, value in model.state_dict().items() if not name.startswith('fc.')}


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
    state_dict = _unwrap(checkpoint)
    found = next(((name, prefix) for name, _, prefix, markers in LAYOUTS
                  if all(marker in state_dict for marker in markers)), None)
    if found is None:
        sample = ', '.join(list(state_dict)[:5])
        raise BackboneExtractionError(
            f'{source}: no ResNet backbone found (looked for {", ".join(sorted({p for _, _, p, _ in LAYOUTS if p}))}'
            f' prefixes and a bare torchvision state dict); first keys: {sample}')
    layout, prefix = found
    backbone = {key[len(prefix):]: value for key, value in state_dict.items()
                if key.startswith(prefix) and torch.is_tensor(value)}
    fc = None
    if 'fc.weight' in backbone:  # torchvision: the ImageNet classifier
        fc = dict(weight=backbone.pop('fc.weight'), bias=backbone.pop('fc.bias'))
    elif 'cls_head.fc.weight' in state_dict:  # GeRSP: the natural-image classifier
        fc = dict(weight=state_dict['cls_head.fc.weight'], bias=state_dict['cls_head.fc.bias'])
    backbone = {key: value for key, value in backbone.items() if not key.startswith('fc.')}
    depth = _infer_depth(backbone, source)
    expected = _reference_shapes(depth)
    missing = sorted(set(expected) - set(backbone))
    unexpected = sorted(set(backbone) - set(expected))
    wrong = sorted(key for key in set(expected) & set(backbone) if backbone[key].shape != expected[key])
    if missing or unexpected or wrong:
        details = '; '.join(f'{label}: {", ".join(keys[:5])}{" ..." if len(keys) > 5 else ""}'
                            for label, keys in (('missing', missing), ('unexpected', unexpected),
                                                ('wrong shape', wrong)) if keys)
        raise BackboneExtractionError(
            f'{source}: incomplete ResNet-{depth} under prefix {prefix!r} ({layout} layout): {details}')
    return ExtractedBackbone(backbone, layout, depth, fc)


def to_mm_checkpoint(backbone: ExtractedBackbone, source: str) -> dict:
    """The mm layout: ``{'state_dict': {'backbone.<name>': tensor}, 'meta': {...}}``.

    Loadable with ``torch.load(..., weights_only=True)`` and by
    ``init_cfg=dict(type='Pretrained', checkpoint=..., prefix='backbone.')``.
    """
    return dict(state_dict={f'backbone.{key}': value.detach().clone().contiguous()
                            for key, value in backbone.state_dict.items()},
                meta=dict(source=source, source_layout=backbone.layout, arch=f'resnet{backbone.depth}'))


def to_torchvision_state_dict(backbone: ExtractedBackbone, num_classes: int = 1000) -> Dict[str, torch.Tensor]:
    """The torchvision layout, accepted by ``torchvision.models.resnetXX().load_state_dict(strict=True)``.

    The ``fc`` classifier is the checkpoint's own when it has one of ``num_classes`` outputs; otherwise
    (self-supervised checkpoints have none) it is written as zeros, to be replaced when fine-tuning.
    """
    state_dict = {key: value.detach().clone().contiguous() for key, value in backbone.state_dict.items()}
    width = 512 if backbone.depth < 50 else 2048
    fc = backbone.fc
    if fc is None or tuple(fc['weight'].shape) != (num_classes, width):
        fc = dict(weight=torch.zeros(num_classes, width), bias=torch.zeros(num_classes))
    state_dict['fc.weight'], state_dict['fc.bias'] = fc['weight'].clone(), fc['bias'].clone()
    return state_dict
