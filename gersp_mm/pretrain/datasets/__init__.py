# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
from .dual_source_dataset import DualSourceDataset, DualSourceIndex
from .encoded_views import EncodedView, LoadEncodedMoCoViews, PackEncodedInputs, SourceImage
from .loading import EncodedImage, ImageDecodeError, LoadImageUint8, decode_uint8_bgr
from .transforms import LoadMoCoViews
from .unlabeled_image_folder import IMAGE_EXTENSIONS, UnlabeledImageFolder, iter_image_files

__all__ = ['DualSourceDataset', 'DualSourceIndex', 'UnlabeledImageFolder', 'LoadImageUint8', 'LoadMoCoViews',
           'EncodedImage', 'ImageDecodeError', 'decode_uint8_bgr', 'iter_image_files', 'IMAGE_EXTENSIONS',
           'LoadEncodedMoCoViews', 'PackEncodedInputs', 'EncodedView', 'SourceImage']
