# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Extract the ResNet backbone of pre-training checkpoints into the mm or torchvision layout."""
from .resnet_backbone import (
                              LAYOUTS,
                              BackboneExtractionError,
                              ExtractedBackbone,
                              extract_resnet_backbone,
                              to_mm_checkpoint,
                              to_torchvision_state_dict,
)

__all__ = ['LAYOUTS', 'BackboneExtractionError', 'ExtractedBackbone', 'extract_resnet_backbone',
           'to_mm_checkpoint', 'to_torchvision_state_dict']
