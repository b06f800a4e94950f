# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Backbone checkpoints: extraction into the mm or torchvision layout, export metadata, and the check that a
checkpoint fits the backbone of a config.

- :mod:`.checkpoint_layouts`: the known checkpoint layouts and where each keeps its (student) ResNet;
- :mod:`.resnet_tensors`: the tensors of a standard ResNet, its depth, and the check that a backbone is complete;
- :mod:`.resnet_backbone`: the (student) ResNet extraction and its mm and torchvision output layouts;
- :mod:`.backbone_export`: a checkpoint's backbone written to a file (``extract_backbone.py``, the demo);
- :mod:`.preprocessing`: what the backbone expects as input (normalisation, channel order, input size), read
  from the training config saved in the checkpoint (parsed, never executed: :mod:`.config_literals`);
- :mod:`.metadata`: the metadata written with an exported backbone, read back and printed;
- :mod:`.checkpoint_fit`: a checkpoint against the backbone a config builds, as one-sentence errors;
- :mod:`.pretrained_init`: ``init_cfg=dict(type='Pretrained', _scope_='gersp_mm')``, which applies that check.
- :mod:`.extract_backbone`: the command line of ``tools/model_converters/extract_backbone.py``.
"""
from .backbone_export import EXPORT_LAYOUTS, BackboneExport, export_backbone
from .checkpoint_fit import BackboneMismatchError, backbone_tensors, check_backbone_fits
from .checkpoint_layouts import LAYOUTS, Layout, checkpoint_state_dict, find_layout
from .config_literals import parse_config_text
from .metadata import export_metadata, format_metadata, read_export_metadata
from .preprocessing import DEFAULT_PREPROCESSING, Preprocessing, read_preprocessing
from .pretrained_init import CheckedPretrainedInit, NonFinitePretrainedError
from .resnet_backbone import ExtractedBackbone, extract_resnet_backbone, to_mm_checkpoint, to_torchvision_state_dict
from .resnet_tensors import BackboneExtractionError, check_resnet_tensors, infer_resnet_depth, resnet_reference_shapes

__all__ = [
    'EXPORT_LAYOUTS', 'BackboneExport', 'export_backbone',
    'BackboneMismatchError', 'backbone_tensors', 'check_backbone_fits', 'DEFAULT_PREPROCESSING', 'Preprocessing',
    'export_metadata', 'format_metadata', 'parse_config_text', 'read_export_metadata', 'read_preprocessing',
    'CheckedPretrainedInit', 'NonFinitePretrainedError', 'LAYOUTS', 'BackboneExtractionError', 'ExtractedBackbone',
    'Layout',
    'check_resnet_tensors', 'checkpoint_state_dict', 'extract_resnet_backbone', 'find_layout', 'infer_resnet_depth',
    'resnet_reference_shapes', 'to_mm_checkpoint', 'to_torchvision_state_dict'
]
