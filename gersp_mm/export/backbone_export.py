# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Export the (student) ResNet backbone of a checkpoint to a file: what ``extract_backbone.py`` and the demo do."""
import os.path as osp
from typing import NamedTuple

import torch

from ..engine import find_non_finite, summarize_non_finite
from ..fileio import atomic_write, load_checkpoint_file
from .metadata import export_metadata
from .preprocessing import read_preprocessing
from .resnet_backbone import (
    BackboneExtractionError,
    ExtractedBackbone,
    extract_resnet_backbone,
    to_mm_checkpoint,
    to_torchvision_state_dict,
)

EXPORT_LAYOUTS = ('mm', 'torchvision')


class BackboneExport(NamedTuple):
    """What :func:`export_backbone` wrote.

    Attributes:
        backbone (ExtractedBackbone): The backbone taken out of the checkpoint (layout, depth, tensors).
        metadata (dict): The export metadata written with it.
        num_tensors (int): Tensors in the written state dict.
        zero_fc (bool): The torchvision layout's ``fc`` was written as zeros (no 1000-way classifier).
    """

    backbone: ExtractedBackbone
    metadata: dict
    num_tensors: int
    zero_fc: bool


def export_backbone(src: str, dst: str, layout: str = 'mm', unsafe: bool = False) -> BackboneExport:
    """Write the student ResNet of checkpoint ``src`` to ``dst``, atomically, with its export metadata.

    Args:
        src (str): A checkpoint of any recognised layout (see :data:`LAYOUTS`).
        dst (str): The output file (nothing is left under this name unless complete).
        layout (str): ``'mm'`` (``backbone.*`` for ``init_cfg=Pretrained``) or ``'torchvision'``.
        unsafe (bool): Load ``src`` with ``weights_only=False`` (trusted files only).

    Returns:
        BackboneExport: What was written.

    Raises:
        CheckpointLoadError: If ``src`` cannot be loaded (the message names the file and why).
        BackboneExtractionError: If it holds no complete ResNet, or non-finite tensors.
        OSError: If ``dst`` cannot be written (the message names it).
    """
    if layout not in EXPORT_LAYOUTS:
        raise ValueError(f'layout must be one of {EXPORT_LAYOUTS}, got {layout!r}')
    checkpoint = load_checkpoint_file(src, map_location='cpu', unsafe=unsafe)
    backbone = extract_resnet_backbone(checkpoint, source=src)
    metadata = export_metadata(layout, osp.basename(src), backbone.layout, backbone.depth,
                               read_preprocessing(checkpoint))
    if layout == 'mm':
        output = to_mm_checkpoint(backbone, metadata)
        num_tensors, zero_fc = len(output['state_dict']), False
    else:
        output = to_torchvision_state_dict(backbone, metadata)
        num_tensors = len(output)
        zero_fc = backbone.fc is None or tuple(backbone.fc['weight'].shape) != tuple(output['fc.weight'].shape)
    non_finite = find_non_finite(output)
    if non_finite:
        raise BackboneExtractionError(
            f'refusing to export {src}: {summarize_non_finite(non_finite, total=num_tensors)} '
            '(the training diverged: export an earlier checkpoint)')
    with atomic_write(dst) as file:
        torch.save(output, file)
    return BackboneExport(backbone, metadata, num_tensors, zero_fc)
