# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The worker side of the GPU data path: read the encoded image, draw its views, decode nothing.

A data-loader worker reads each image's bytes and header and draws the parameters of its views exactly as
:class:`LoadMoCoViews` does (same generator, same seeding, same draw order), but ships the encoded JPEG and
the :class:`ViewParams` instead of decoded views; the model's data preprocessor
(``DeviceAugmentDataPreprocessor``) decodes the batch on its device and applies the views there.
"""
import io
from dataclasses import dataclass
from typing import Optional, Tuple

import numpy as np
import torch
from mmpretrain.datasets.transforms import PackInputs
from mmpretrain.registry import TRANSFORMS
from PIL import Image

from ...raster.raster_image import is_tiff_path
from .loading import EncodedImage, open_image, read_image_bytes
from .transforms import LoadMoCoViews, ViewParams, generator_from_global_rng
from .transforms.moco_views import decode_views
from .transforms.view_sampling import draw_views

#: JPEG colour layouts that nvjpeg decodes to RGB (CMYK/YCCK JPEGs are decoded by Pillow in the worker).
DEVICE_DECODABLE_MODES = ('RGB', 'L')
_JPEG_END = b'\xff\xd9'


@dataclass(eq=False)
class SourceImage:
    """One image as it leaves a worker on the GPU path.

    Attributes:
        data (Tensor): The encoded JPEG as a 1-D uint8 tensor, or, for files the device decoder does not
            take (other formats, CMYK, EXIF-rotated or possibly truncated JPEGs), the (3, H, W) uint8 RGB
            pixels decoded in the worker (with :class:`EncodedImage`'s conversions).
        size_hw (tuple[int, int]): Full-resolution (height, width) after the EXIF orientation.
        path (str): The file, for error messages.
    """
    data: torch.Tensor
    size_hw: Tuple[int, int]
    path: str

    @property
    def is_encoded(self) -> bool:
        """Whether :attr:`data` still has to be decoded (a JPEG)."""
        return self.data.dim() == 1


@dataclass(eq=False)
class EncodedView:
    """One view to be cut on the device: its image (shared by the views of that image) and parameters."""
    image: SourceImage
    params: ViewParams


def decodes_on_device(encoded: EncodedImage, content: bytes) -> bool:
    """Whether a file travels encoded, to be decoded by the device's JPEG decoder (nvjpeg on CUDA).

    The device decoder gives :class:`EncodedImage`'s RGB pixels without its conversions, so this is true
    only for a JPEG stored upright (:meth:`EncodedImage.can_reduce`) with 1 or 3 colour components that
    ends with the JPEG end-of-image marker (a truncated file is left to the worker's decoder, which reports
    it as :class:`ImageDecodeError`, so that ``bad_image_policy`` applies).
    """
    if not encoded.can_reduce() or not content.rstrip(b'\0').endswith(_JPEG_END):
        return False
    with Image.open(io.BytesIO(content)) as image:
        return image.mode in DEVICE_DECODABLE_MODES


@TRANSFORMS.register_module()
class LoadEncodedMoCoViews(LoadMoCoViews):
    """Read an image's bytes and draw ``num_views`` MoCo-v1 views of it, without decoding it.

    The views are drawn exactly as :class:`LoadMoCoViews` draws them (same seeding, generator and draw
    order from the header's size), so a sample gets the same parameters on the CPU and the GPU path.
    JPEGs travel encoded (a worker spends a file read and a header parse per image); other files are
    decoded here at full resolution (see :class:`SourceImage`), rasters (GeoTIFF, 16-bit, multi-band;
    ``raster``) only in the part the views need (the :class:`SourceImage` is then that part, the views'
    crops relative to it; ``view_params`` stay in full-resolution pixels of the file).

    Required keys: ``img_path``. Added keys: ``img`` (one :class:`EncodedView`, or a list of ``num_views``
    sharing one :class:`SourceImage`), ``img_shape`` ((S, S)), ``ori_shape`` (full-resolution (H, W)),
    ``view_params`` (list of :meth:`ViewParams.to_dict`).

    Args:
        num_views (int): Views per image (2 for the contrastive source, 1 for the natural one).
        backend_args (dict, optional): mmengine file backend arguments. Defaults to None.
        **view_cfg: The view distribution, as :class:`LoadMoCoViews` takes it (``output_size``,
            ``crop_scale``, ``crop_ratio``, ``max_attempts``, ``grayscale_prob``, ``brightness``,
            ``contrast``, ``saturation``, ``hue``, ``flip_prob``), ``window_size`` and ``raster``.
    """

    def __init__(self, num_views: int = 1, backend_args: Optional[dict] = None, **view_cfg) -> None:
        if 'jpeg_draft' in view_cfg:
            raise TypeError('LoadEncodedMoCoViews decodes nothing: jpeg_draft does not apply')
        super().__init__(num_views=num_views, jpeg_draft=False, backend_args=backend_args, **view_cfg)

    def transform(self, results: dict) -> dict:
        path = results['img_path']
        content = None if is_tiff_path(path) else read_image_bytes(path, self.backend_args)
        with open_image(path, self.backend_args, self.mapping, self.window_size, content) as image:
            rng = generator_from_global_rng()
            views = draw_views(rng, image.size_hw, self.cfg, self.num_views, self.window_size)
            if content is not None and isinstance(image, EncodedImage) and decodes_on_device(image, content):
                data = torch.from_numpy(np.frombuffer(content, dtype=np.uint8).copy())
                size_hw, local = image.size_hw, views
            else:
                rgb, _, local = decode_views(image, views)
                data = torch.from_numpy(np.ascontiguousarray(np.asarray(rgb).transpose(2, 0, 1)))
                size_hw = (rgb.height, rgb.width)
        source = SourceImage(data=data, size_hw=size_hw, path=path)
        packed = [EncodedView(image=source, params=view) for view in local]
        results['img'] = packed if self.num_views > 1 else packed[0]
        results['img_shape'] = (self.cfg.output_size, self.cfg.output_size)
        results['ori_shape'] = image.size_hw
        results['view_params'] = [view.to_dict() for view in views]
        return results


@TRANSFORMS.register_module()
class PackEncodedInputs(PackInputs):
    """mmpretrain's ``PackInputs`` that also passes :class:`EncodedView` inputs (and lists of them) through.

    Args: as ``PackInputs``.
    """

    @staticmethod
    def format_input(input_):
        if isinstance(input_, EncodedView):
            return input_
        if isinstance(input_, list) and input_ and all(isinstance(item, EncodedView) for item in input_):
            return input_
        return PackInputs.format_input(input_)
