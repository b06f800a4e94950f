# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Backbone checkpoints: extraction into the mm or torchvision layout, export metadata, and the check that a
checkpoint fits the backbone of a config.

- :mod:`.resnet_backbone`: the known checkpoint layouts and the (student) ResNet extraction;
- :mod:`.backbone_export`: a checkpoint's backbone written to a file (``extract_backbone.py``, the demo);
- :mod:`.metadata`: what the backbone expects as input (normalisation, channel order, input size), read from
  the training config saved in the checkpoint;
- :mod:`.checkpoint_fit`: a checkpoint against the backbone a config builds, as one-sentence errors;
- :mod:`.pretrained_init`: ``init_cfg=dict(type='Pretrained', _scope_='gersp_mm')``, which applies that check.
"""
from .backbone_export import EXPORT_LAYOUTS, BackboneExport, export_backbone
from .checkpoint_fit import BackboneMismatchError, backbone_tensors, check_backbone_fits
from .metadata import (
    DEFAULT_PREPROCESSING,
    Preprocessing,
    export_metadata,
    format_metadata,
    parse_config_text,
    read_export_metadata,
    read_preprocessing,
)
from .pretrained_init import CheckedPretrainedInit
from .resnet_backbone import (
    LAYOUTS,
    BackboneExtractionError,
    ExtractedBackbone,
    Layout,
    check_resnet_tensors,
    checkpoint_state_dict,
    extract_resnet_backbone,
    find_layout,
    infer_resnet_depth,
    resnet_reference_shapes,
    to_mm_checkpoint,
    to_torchvision_state_dict,
)

__all__ = [
    'EXPORT_LAYOUTS', 'BackboneExport', 'export_backbone',
    'BackboneMismatchError', 'backbone_tensors', 'check_backbone_fits', 'DEFAULT_PREPROCESSING', 'Preprocessing',
    'export_metadata', 'format_metadata', 'parse_config_text', 'read_export_metadata', 'read_preprocessing',
    'CheckedPretrainedInit', 'LAYOUTS', 'BackboneExtractionError', 'ExtractedBackbone', 'Layout',
    'check_resnet_tensors', 'checkpoint_state_dict', 'extract_resnet_backbone', 'find_layout', 'infer_resnet_depth',
    'resnet_reference_shapes', 'to_mm_checkpoint', 'to_torchvision_state_dict'
]
