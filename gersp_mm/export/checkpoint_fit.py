# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Does a backbone checkpoint fit the backbone a config builds? One sentence when it does not.

mmengine's ``init_cfg=dict(type='Pretrained')`` loads with ``strict=False``: a ResNet-18 checkpoint given to a
ResNet-50 detector only logs "The model and loaded state dict do not match exactly" with a list of missing
keys and size mismatches, and training goes on with a partly random backbone. Here the same comparison is an
error that says what is wrong (the depth, or which tensors are missing or of another shape).
"""
import re
from typing import Any, Dict, List, Mapping, Optional

from torch import nn

from .checkpoint_layouts import checkpoint_state_dict, find_layout
from .resnet_tensors import infer_resnet_depth


class BackboneMismatchError(ValueError):
    """A backbone checkpoint does not fit the backbone of the config."""


def _shape(value: Any) -> tuple:
    return tuple(getattr(value, 'shape', ()))


def _examples(keys: List[str], limit: int = 3) -> str:
    return ', '.join(keys[:limit]) + (', ...' if len(keys) > limit else '')


def backbone_tensors(checkpoint: Mapping[str, Any], prefix: Optional[str], source: str) -> Dict[str, Any]:
    """The tensors of a loaded checkpoint that ``init_cfg=dict(type='Pretrained', prefix=...)`` would load.

    Args:
        checkpoint (Mapping): A loaded checkpoint (a dict with ``state_dict``, or a bare state dict).
        prefix (str, optional): Key prefix of the backbone, e.g. ``'backbone.'``; None: the whole state dict
            (DDP's ``module.`` removed), as mmengine's ``load_checkpoint``.
        source (str): Name of the checkpoint, for messages.

    Returns:
        dict: The tensors with the prefix removed (mmengine's ``_metadata`` kept when there is no prefix).

    Raises:
        BackboneMismatchError: If nothing is under ``prefix``; names the layout found instead.
    """
    state_dict = checkpoint['state_dict'] if 'state_dict' in checkpoint else checkpoint
    if prefix is None:
        tensors = type(state_dict)((re.sub(r'^module\.', '', key), value) for key, value in state_dict.items())
        if hasattr(state_dict, '_metadata'):
            tensors._metadata = state_dict._metadata
        return tensors
    prefix = prefix if prefix.endswith('.') else prefix + '.'
    tensors = {key[len(prefix):]: value for key, value in state_dict.items() if key.startswith(prefix)}
    if not tensors:
        layout = find_layout(checkpoint_state_dict(dict(checkpoint)))
        found = (f'it is a {layout.name} checkpoint with its backbone under {layout.prefix!r}' if layout is not None
                 else f'its first keys are {_examples(list(state_dict))}')
        raise BackboneMismatchError(
            f'{source} holds no tensors under the prefix {prefix!r} of init_cfg ({found}): export its backbone '
            'with tools/model_converters/extract_backbone.py or set init_cfg.prefix.')
    return tensors


def check_backbone_fits(backbone: nn.Module, tensors: Mapping[str, Any], source: str) -> None:
    """Check that ``tensors`` initialise every parameter and buffer of ``backbone`` with the right shape.

    Tensors the backbone does not have (e.g. torchvision's ``fc``) are allowed, as are missing BN
    ``num_batches_tracked`` counters (mmengine skips them too).

    Args:
        backbone (nn.Module): The module the checkpoint is loaded into.
        tensors (Mapping[str, Tensor]): Checkpoint tensors, named as in ``backbone.state_dict()``.
        source (str): Name of the checkpoint, for messages.

    Raises:
        BackboneMismatchError: One sentence: the ResNet depths when they differ, else how many tensors are
            missing or of another shape, with examples.
    """
    expected = backbone.state_dict()
    missing = [key for key in expected if key not in tensors and not key.endswith('num_batches_tracked')]
    wrong = [key for key in expected if key in tensors and _shape(tensors[key]) != _shape(expected[key])]
    if not (missing or wrong):
        return
    model_depth = getattr(backbone, 'depth', None)
    checkpoint_depth = infer_resnet_depth(tensors)
    name = type(backbone).__name__ + (f'-{model_depth}' if isinstance(model_depth, int) else '')
    if isinstance(model_depth, int) and checkpoint_depth is not None and checkpoint_depth != model_depth:
        raise BackboneMismatchError(
            f'{source} holds a ResNet-{checkpoint_depth} backbone but the config builds a {name} '
            f'(model.backbone.depth={model_depth}): use a ResNet-{model_depth} checkpoint or a config made for '
            f'ResNet-{checkpoint_depth}.')
    problems = []
    if missing:
        problems.append(f'{len(missing)} of its {len(expected)} tensors are missing from the checkpoint '
                        f'({_examples(missing)})')
    if wrong:
        key = wrong[0]
        problems.append(f'{len(wrong)} have another shape ({key}: {_shape(tensors[key])} in the checkpoint, '
                        f'{_shape(expected[key])} in the model{", ..." if len(wrong) > 1 else ""})')
    raise BackboneMismatchError(f'{source} does not fit the {name} backbone of the config: '
                                f'{" and ".join(problems)}.')
