# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Recognise where a checkpoint keeps its (student) ResNet and extract it.

mmdet, mmseg and mmpretrain's ``ResNet`` (``style='pytorch'``) use torchvision's parameter names, so a
backbone is the same set of tensors in every layout; only the key prefix and the wrapping differ.
"""
import re
from collections import OrderedDict
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Tuple

import torch


class Layout(NamedTuple):
    """A checkpoint layout that holds a ResNet.

    Attributes:
        name (str): Short name, printed by the tools and stored in the export's metadata.
        description (str): What writes such checkpoints.
        prefix (str): Key prefix of the student backbone.
        markers (tuple[str]): Keys whose presence identifies the layout.
        classifier (str, optional): Key prefix (``weight``/``bias``) of a linear classifier on the backbone
            features, when the layout has one.
    """
    name: str
    description: str
    prefix: str
    markers: Tuple[str, ...]
    classifier: Optional[str] = None


#: The known layouts, most specific first (the first whose markers are all present is taken).
LAYOUTS: List[Layout] = [
    Layout('gersp_mm', 'GeRSP pre-training checkpoint of gersp_mm (student = backbone.*)', 'backbone.',
           ('teacher.module.0.conv1.weight', 'queue.keys'), classifier='cls_head.fc.'),
    # MoCoGeRSP of the authors' mmselfsup 0.x fork: encoder_q is the student ResNet itself (backbone.* is the
    # same module), encoder_k the teacher, proj_q/proj_k the projectors, pred_q.0 the natural-image classifier.
    Layout('gersp_released', "the authors' released GeRSP checkpoint (mmselfsup 0.x MoCoGeRSP: student "
           'encoder_q.* = backbone.*, teacher encoder_k.*, proj_q/proj_k, classifier pred_q.0, queue)',
           'encoder_q.', ('encoder_q.conv1.weight', 'pred_q.0.weight'), classifier='pred_q.0.'),
    Layout('mmselfsup0_moco', 'MoCo checkpoint of mmselfsup 0.x (encoder_q = [backbone, neck], queue)',
           'backbone.', ('encoder_q.0.conv1.weight', 'queue')),
    Layout('mmpretrain_moco', 'MoCo checkpoint of mmpretrain / mmselfsup 1.x (backbone.*, encoder_k.*, queue)',
           'backbone.', ('encoder_k.module.0.conv1.weight', 'queue')),
    Layout('mm_model', 'OpenMMLab model checkpoint (backbone.*)', 'backbone.', ('backbone.conv1.weight', )),
    Layout('moco_official', 'official MoCo checkpoint (module.encoder_q.*)', 'module.encoder_q.',
           ('module.encoder_q.conv1.weight', )),
    Layout('torchvision_ddp', 'torchvision ResNet state dict saved from DDP (module.*)', 'module.',
           ('module.conv1.weight', 'module.layer1.0.conv1.weight'), classifier='module.fc.'),
    Layout('torchvision', 'torchvision ResNet state dict', '', ('conv1.weight', 'layer1.0.conv1.weight'),
           classifier='fc.'),
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
        fc (dict, optional): ``{'weight', 'bias'}`` of the layout's classifier on the backbone features
            (torchvision's ``fc``, GeRSP's natural-image classifier), when the checkpoint has one, else None.
    """
    state_dict: Dict[str, torch.Tensor]
    layout: str
    depth: int
    fc: Optional[Dict[str, torch.Tensor]]


def checkpoint_state_dict(checkpoint: dict) -> Dict[str, Any]:
    """The state dict of a loaded checkpoint: its ``state_dict`` or ``model`` entry, else the dict itself."""
    for key in ('state_dict', 'model'):
        if isinstance(checkpoint.get(key), dict):
            return checkpoint[key]
    return checkpoint


def find_layout(state_dict: Mapping[str, Any]) -> Optional[Layout]:
    """The first of :data:`LAYOUTS` whose marker keys are all in ``state_dict``, or None."""
    return next((layout for layout in LAYOUTS if all(marker in state_dict for marker in layout.markers)), None)


def _stages(state_dict: Mapping[str, Any]) -> Tuple[Tuple[int, ...], bool]:
    """Blocks per stage (``layer1`` .. ``layer4``) and whether the blocks are Bottlenecks (have ``conv3``)."""
    blocks = []
    for stage in range(1, 5):
        indices = {int(m.group(1)) for key in state_dict for m in [re.match(rf'layer{stage}\.(\d+)\.', key)] if m}
        blocks.append(max(indices) + 1 if indices else 0)
    return tuple(blocks), any(key.endswith('.conv3.weight') for key in state_dict)


def infer_resnet_depth(state_dict: Mapping[str, Any]) -> Optional[int]:
    """The depth of the ResNet whose (unprefixed) tensors are ``state_dict``, from its blocks per stage.

    Returns:
        int, optional: 18, 34, 50, 101 or 152; None if the stages match no standard ResNet.
    """
    return _DEPTHS.get(_stages(state_dict))


def resnet_reference_shapes(depth: int) -> Dict[str, torch.Size]:
    """Names and shapes of the tensors of torchvision's ResNet-``depth`` (= mm ``ResNet``), without ``fc``."""
    import torchvision
    with torch.device('meta'):
        model = getattr(torchvision.models, f'resnet{depth}')()
    return {name: value.shape for name, value in model.state_dict().items() if not name.startswith('fc.')}


def check_resnet_tensors(backbone: Mapping[str, Any], source: str, where: str = '') -> int:
    """Check that ``backbone`` holds exactly the tensors of a standard ResNet; returns its depth.

    Args:
        backbone (Mapping[str, Tensor]): Unprefixed backbone tensors (no ``fc``).
        source (str): Name of the file, for messages.
        where (str): Where the tensors were found, for messages (e.g. ``" under prefix 'backbone.'"``).

    Raises:
        BackboneExtractionError: If the stages match no standard ResNet, or tensors are missing,
            unexpected or of the wrong shape.
    """
    blocks, bottleneck = _stages(backbone)
    depth = _DEPTHS.get((blocks, bottleneck))
    if depth is None:
        raise BackboneExtractionError(
            f'{source}: the ResNet stages{where} hold {list(blocks)} {"Bottleneck" if bottleneck else "BasicBlock"} '
            'blocks, which is no standard ResNet (18/34/50/101/152); the checkpoint is incomplete or not a ResNet')
    expected = resnet_reference_shapes(depth)
    missing = sorted(set(expected) - set(backbone))
    unexpected = sorted(set(backbone) - set(expected))
    wrong = sorted(key for key in set(expected) & set(backbone)
                   if tuple(getattr(backbone[key], 'shape', ())) != tuple(expected[key]))
    if missing or unexpected or wrong:
        details = '; '.join(f'{label}: {", ".join(keys[:5])}{" ..." if len(keys) > 5 else ""}'
                            for label, keys in (('missing', missing), ('unexpected', unexpected),
                                                ('wrong shape', wrong)) if keys)
        raise BackboneExtractionError(f'{source}: incomplete ResNet-{depth}{where}: {details}')
    return depth


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
