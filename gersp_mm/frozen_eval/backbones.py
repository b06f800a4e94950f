# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The backbones an evaluation compares: given on the command line, loaded as frozen ResNets, hashed by content.

A backbone is ``random`` (mmpretrain's default ResNet initialisation, seeded), ``imagenet`` (torchvision's
ImageNet-1k ResNet-50, from the torch hub cache: never downloaded here), or a checkpoint ``PATH`` or
``LABEL=PATH`` in any layout :func:`gersp_mm.export.extract_resnet_backbone` recognises (gersp_mm's, the
authors' released GeRSP checkpoints, MoCo/mmselfsup/mmpretrain, OpenMMLab models, torchvision). Its
``content_hash`` is the SHA-256 of its tensors (names, shapes, dtypes, bytes): two files holding the same
backbone in different layouts have the same hash, and the feature cache is keyed by it.
"""
import hashlib
import logging
import os.path as osp
import re
from dataclasses import dataclass
from typing import Optional, Tuple

import torch
from mmengine.logging import MMLogger
from torch import nn

from ..export import extract_resnet_backbone
from ..fileio import load_checkpoint_file

#: Backbones that are not files.
NAMED_BACKBONES = ('imagenet', 'random')
_LABEL = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._+-]*$')


@dataclass(frozen=True)
class BackboneSpec:
    """A backbone to evaluate.

    Attributes:
        label (str): Its name in the reports and cache files.
        source (str): ``'checkpoint'``, ``'imagenet'`` or ``'random'``.
        path (str, optional): The checkpoint file of a ``'checkpoint'`` backbone.
    """
    label: str
    source: str
    path: Optional[str] = None


def parse_backbone(spec: str) -> BackboneSpec:
    """Parse ``imagenet``, ``random``, ``PATH`` (labelled with the file name) or ``LABEL=PATH`` (also
    ``LABEL=imagenet`` / ``LABEL=random``).

    Raises:
        ValueError: If the label is not letters, digits and ``._+-``.
    """
    label, sep, rest = spec.partition('=')
    if not (sep and _LABEL.match(label)):
        label, rest = (spec if spec in NAMED_BACKBONES else osp.splitext(osp.basename(spec.rstrip('/')))[0]), spec
    if not _LABEL.match(label):
        raise ValueError(f'backbone label {label!r} (from {spec!r}) must be letters, digits and ._+- '
                         '(give one with LABEL=PATH)')
    if rest in NAMED_BACKBONES:
        return BackboneSpec(label, rest)
    return BackboneSpec(label, 'checkpoint', rest)


def content_hash(module: nn.Module) -> str:
    """SHA-256 (hex) of a module's state dict: every tensor's name, dtype, shape and bytes, in name order.

    BN's ``num_batches_tracked`` counters are left out: they do not change the features (a copy of a backbone
    whose counters differ, e.g. saved at another point of a frozen fine-tuning, has the same features).
    """
    digest = hashlib.sha256()
    for name, tensor in sorted(module.state_dict().items()):
        if name.endswith('num_batches_tracked'):
            continue
        tensor = tensor.detach().cpu().contiguous()
        digest.update(f'{name}|{tensor.dtype}|{tuple(tensor.shape)}|'.encode())
        digest.update(tensor.view(torch.uint8).numpy().tobytes() if tensor.numel() else b'')
    return digest.hexdigest()


def build_resnet(depth: int) -> nn.Module:
    """mmpretrain's ResNet of ``depth`` (plain stem, ``style='pytorch'``), its last stage as output."""
    from mmpretrain.models import ResNet

    return ResNet(depth=depth, out_indices=(3, ))


def torchvision_resnet50_file() -> str:
    """Where torch hub keeps torchvision's ImageNet ResNet-50 (the file ``torchvision://resnet50`` loads)."""
    from mmengine.runner.checkpoint import get_torchvision_models

    url = get_torchvision_models()['resnet50']
    return osp.join(torch.hub.get_dir(), 'checkpoints', osp.basename(url))


def load_backbone(spec: BackboneSpec, depth: int = 50, seed: int = 0, unsafe: bool = False) -> Tuple[nn.Module, str]:
    """Build a backbone in eval mode without gradients, and its content hash.

    Args:
        spec (BackboneSpec): The backbone.
        depth (int): ResNet depth of a ``random`` backbone (a checkpoint's depth is its own). Defaults to 50.
        seed (int): Seed of a ``random`` backbone's initialisation. Defaults to 0.
        unsafe (bool): Unpickle arbitrary objects of a trusted checkpoint (see
            :func:`gersp_mm.fileio.load_checkpoint_file`). Defaults to False.

    Returns:
        tuple[nn.Module, str]: The backbone (outputs a tuple with the last stage's map) and its hash.

    Raises:
        CheckpointLoadError: A checkpoint file does not load (the message names it).
        BackboneExtractionError: A checkpoint holds no complete ResNet.
        FileNotFoundError: ``imagenet`` is not in the torch hub cache.
    """
    if spec.source == 'random':
        backbone = build_resnet(depth)
        logger = MMLogger.get_current_instance()
        level = logger.level
        logger.setLevel(logging.WARNING)  # init_weights logs every tensor's initialisation
        try:
            with torch.random.fork_rng():
                torch.manual_seed(seed)
                backbone.init_weights()
        finally:
            logger.setLevel(level)
    else:
        if spec.source == 'imagenet':
            path = torchvision_resnet50_file()
            if not osp.isfile(path):
                raise FileNotFoundError(
                    f"imagenet: torchvision's ResNet-50 is not in the torch hub cache ({path}); this tool downloads "
                    "nothing: fetch it once with `python -c \"import torchvision; "
                    "torchvision.models.resnet50(weights='IMAGENET1K_V1')\"` or give the file as in1k=PATH")
        else:
            path = spec.path
        extracted = extract_resnet_backbone(load_checkpoint_file(path, unsafe=unsafe), path)
        backbone = build_resnet(extracted.depth)
        backbone.load_state_dict(extracted.state_dict, strict=True)
    backbone.eval()  # mmpretrain's ResNet.train returns None: no chaining
    backbone.requires_grad_(False)
    return backbone, content_hash(backbone)
