# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The tensors of a standard ResNet (18/34/50/101/152): its depth from its blocks, and the check that a set
of tensors is exactly one."""
import re
from typing import Any, Dict, Mapping, Optional, Tuple

import torch

# Blocks per stage -> depth; BasicBlock (no conv3) for 18/34.
_DEPTHS = {((2, 2, 2, 2), False): 18, ((3, 4, 6, 3), False): 34, ((3, 4, 6, 3), True): 50,
           ((3, 4, 23, 3), True): 101, ((3, 8, 36, 3), True): 152}


class BackboneExtractionError(ValueError):
    """The checkpoint holds no ResNet backbone, or an incomplete one."""


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
