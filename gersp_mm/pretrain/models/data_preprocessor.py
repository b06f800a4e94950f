# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
import warnings
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.model import BaseDataPreprocessor
from mmpretrain.models.utils import SelfSupDataPreprocessor
from mmpretrain.registry import MODELS

from ..datasets.encoded_views import EncodedView, SourceImage
from ..datasets.loading import EncodedImage, ImageDecodeError
from .view_augment import apply_views


@MODELS.register_module()
class DualSourceDataPreprocessor(SelfSupDataPreprocessor):
    """Normalises the views of both GeRSP sources, each with its own statistics.

    The batch from :class:`DualSourceDataset` holds ``inputs = [rs_view_1, rs_view_2, natural]``: each
    view either stacked (uint8, (N, 3, H, W), from ``default_collate``) or as N tensors (3, H, W) from the
    Runner's default ``pseudo_collate``, which this preprocessor stacks. The remote-sensing views are
    normalised with ``mean``/``std`` and the natural view with ``natural_mean``/``natural_std`` (defaults:
    the same statistics), after the optional BGR -> RGB conversion. A single-source batch of two views
    (the MoCo baselines) is normalised with ``mean``/``std``.

    Args:
        mean (Sequence[float]): Per-channel mean of the remote-sensing images (after ``to_rgb``).
        std (Sequence[float]): Per-channel std of the remote-sensing images.
        natural_mean (Sequence[float], optional): Per-channel mean of the natural images.
            Defaults to ``mean``.
        natural_std (Sequence[float], optional): Per-channel std of the natural images.
            Defaults to ``std``.
        to_rgb (bool): Convert BGR (as decoded) to RGB. Defaults to True.
    """

    def __init__(self,
                 mean: Sequence[float] = (123.675, 116.28, 103.53),
                 std: Sequence[float] = (58.395, 57.12, 57.375),
                 natural_mean: Optional[Sequence[float]] = None,
                 natural_std: Optional[Sequence[float]] = None,
                 to_rgb: bool = True) -> None:
        super().__init__(mean=mean, std=std, to_rgb=to_rgb)
        natural_mean = mean if natural_mean is None else natural_mean
        natural_std = std if natural_std is None else natural_std
        self.register_buffer('natural_mean', torch.tensor(natural_mean).view(-1, 1, 1), False)
        self.register_buffer('natural_std', torch.tensor(natural_std).view(-1, 1, 1), False)

    def forward(self, data: dict, training: bool = False) -> dict:
        """Normalise a collated batch.

        Args:
            data (dict): ``inputs`` (a list of views, each a uint8 tensor (N, 3, H, W) or a sequence of N
                uint8 tensors (3, H, W)) and ``data_samples``.
            training (bool): Unused; kept for the mmengine interface.

        Returns:
            dict: ``inputs`` as a list of float tensors in the same order, and ``data_samples``.
        """
        inputs, data_samples = self.cast_data([data['inputs'], data.get('data_samples')])
        if not isinstance(inputs, list) or len(inputs) not in (2, 3):
            raise ValueError('DualSourceDataPreprocessor expects inputs=[rs_view_1, rs_view_2(, natural)], '
                             f'got {type(inputs).__name__} of length {len(inputs)}')
        views: List[torch.Tensor] = []
        for index, view in enumerate(inputs):
            if not isinstance(view, torch.Tensor):
                view = torch.stack(list(view))
            if self._channel_conversion:
                view = view[:, [2, 1, 0], ...]
            mean, std = (self.natural_mean, self.natural_std) if index == 2 else (self.mean, self.std)
            views.append((view.float() - mean) / std)
        return dict(inputs=views, data_samples=data_samples)


def decode_source_images(images: Sequence[SourceImage], device: torch.device) -> List[torch.Tensor]:
    """Decode the images of a batch on ``device``, in input order.

    On a CUDA device the encoded JPEGs are decoded together by nvjpeg (``torchvision.io.decode_jpeg`` on a
    list); a batch that nvjpeg refuses is retried image by image, and an image it refuses is decoded by
    Pillow. Elsewhere Pillow decodes them (:class:`EncodedImage`, the CPU path's decoder). Images decoded
    in the worker are moved to ``device``.

    Args:
        images (Sequence[SourceImage]): The batch's images, each once.
        device (torch.device): Where to decode (and keep) them.

    Returns:
        list[Tensor]: (3, H, W) uint8 RGB images on ``device``, ``(H, W)`` as each header announced.

    Raises:
        ImageDecodeError: If an image cannot be decoded (naming the file), or decodes to another size
            than its header announced.
    """
    decoded: Dict[int, torch.Tensor] = {}
    encoded = [index for index, image in enumerate(images) if image.is_encoded]
    if device.type == 'cuda' and encoded:
        decoded.update(_decode_jpegs_cuda([images[index] for index in encoded], encoded, device))
    for index, image in enumerate(images):
        if index in decoded:
            continue
        if image.is_encoded:
            rgb, _ = EncodedImage(image.data.numpy().tobytes(), image.path).decode_rgb()
            pixels = torch.from_numpy(np.ascontiguousarray(np.asarray(rgb).transpose(2, 0, 1)))
        else:
            pixels = image.data
        decoded[index] = pixels.to(device, non_blocking=True)
    for index, image in enumerate(images):
        if tuple(decoded[index].shape[-2:]) != tuple(image.size_hw):
            raise ImageDecodeError(f'{image.path} decoded to (height, width) {tuple(decoded[index].shape[-2:])} '
                                   f'but its header says {tuple(image.size_hw)}')
    return [decoded[index] for index in range(len(images))]


def _decode_jpegs_cuda(images: Sequence[SourceImage], indices: Sequence[int],
                       device: torch.device) -> Dict[int, torch.Tensor]:
    """nvjpeg decoding of a list of JPEGs; the images nvjpeg refuses are left out of the result."""
    from torchvision.io import ImageReadMode, decode_jpeg
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)  # torchvision >= 0.29 points to torchcodec
        try:
            return dict(zip(indices, decode_jpeg([image.data for image in images], mode=ImageReadMode.RGB,
                                                 device=device)))
        except RuntimeError:
            result = {}
            for index, image in zip(indices, images):
                try:
                    result[index] = decode_jpeg(image.data, mode=ImageReadMode.RGB, device=device)
                except RuntimeError:
                    continue  # Pillow decodes it, or reports it
            return result


@MODELS.register_module()
class DeviceAugmentDataPreprocessor(BaseDataPreprocessor):
    """Decodes and augments GeRSP's views on the model's device: the device side of the GPU data path.

    The data-loader workers only read the files and draw each view's :class:`ViewParams`
    (:class:`LoadEncodedMoCoViews`); this preprocessor decodes the batch's images once each on its device
    (:func:`decode_source_images`: nvjpeg on CUDA, Pillow elsewhere), cuts and augments every view there
    (:func:`.view_augment.apply_views`, the semantics of the CPU pipeline's ``apply_view_params``) and
    normalises the remote-sensing views with ``mean``/``std`` and the natural view with
    ``natural_mean``/``natural_std`` (RGB order), as :class:`DualSourceDataPreprocessor` does for the CPU
    path. It is excluded from ``torch.compile`` (per-view shapes vary).

    Args:
        mean (Sequence[float]): Per-channel (RGB) mean of the remote-sensing images.
        std (Sequence[float]): Per-channel (RGB) std of the remote-sensing images.
        natural_mean (Sequence[float], optional): Of the natural images. Defaults to ``mean``.
        natural_std (Sequence[float], optional): Of the natural images. Defaults to ``std``.
    """

    def __init__(self,
                 mean: Sequence[float] = (123.675, 116.28, 103.53),
                 std: Sequence[float] = (58.395, 57.12, 57.375),
                 natural_mean: Optional[Sequence[float]] = None,
                 natural_std: Optional[Sequence[float]] = None) -> None:
        super().__init__()
        natural_mean = mean if natural_mean is None else natural_mean
        natural_std = std if natural_std is None else natural_std
        for name, value in (('mean', mean), ('std', std), ('natural_mean', natural_mean),
                            ('natural_std', natural_std)):
            self.register_buffer(name, torch.tensor(value, dtype=torch.float32).view(-1, 1, 1), False)

    @torch.compiler.disable
    def forward(self, data: dict, training: bool = False) -> dict:
        """Decode, augment and normalise a collated batch.

        Args:
            data (dict): ``inputs``, a list of 2 or 3 views (``[rs_view_1, rs_view_2(, natural)]``), each a
                sequence of N :class:`EncodedView` (``pseudo_collate``); and ``data_samples``.
            training (bool): Unused; kept for the mmengine interface.

        Returns:
            dict: ``inputs`` as a list of float tensors (N, 3, S, S) in the same order, and
            ``data_samples`` on the device.
        """
        inputs = data['inputs']
        if (not isinstance(inputs, (list, tuple)) or len(inputs) not in (2, 3)
                or not all(isinstance(view, EncodedView) for group in inputs for view in group)):
            raise ValueError('DeviceAugmentDataPreprocessor expects inputs=[rs_view_1, rs_view_2(, natural)], '
                             'each a list of EncodedView (from LoadEncodedMoCoViews + PackEncodedInputs)')
        data_samples = self.cast_data(data.get('data_samples'))
        views = [view for group in inputs for view in group]
        sources = list({id(view.image): view.image for view in views}.values())
        position = {id(image): index for index, image in enumerate(sources)}
        decoded = decode_source_images(sources, self.device)
        batch = apply_views([decoded[position[id(view.image)]] for view in views], [view.params for view in views])
        outputs = []
        for index, group in enumerate(batch.split([len(group) for group in inputs])):
            mean, std = (self.natural_mean, self.natural_std) if index == 2 else (self.mean, self.std)
            outputs.append((group - mean) / std)
        return dict(inputs=outputs, data_samples=data_samples)
