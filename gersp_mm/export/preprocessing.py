# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""What a backbone expects as input, read from the training config saved in its checkpoint.

A backbone is only as good as the preprocessing it is fed with: the normalisation statistics, the channel
order and the image size it was trained at. Training checkpoints keep their config as text: mmengine in
``meta['cfg']``, mmcv 1.x / mmselfsup 0.x (the authors' released code) in ``meta['config']``. That text is
parsed, never executed (:func:`~.config_literals.parse_config_text`), and only literal values are read. What
the config does not say is filled from :data:`DEFAULT_PREPROCESSING` (GeRSP's recipe) and listed in
``defaults``.

Conventions: ``mean``/``std`` per channel on the 0-255 pixel scale (as mmdet / mmseg / mmpretrain data
preprocessors take them; the 0-1 statistics of torchvision-style pipelines are multiplied by 255), in the
channel order ``channel_order`` that the network sees ('RGB' or 'BGR'), and ``input_size``, the side of the
square training crop (``RandomResizedCrop`` or ``LoadMoCoViews``), in pixels.
"""
from typing import Any, Dict, Iterator, List, Mapping, NamedTuple, Optional, Tuple

from .config_literals import parse_config_text

#: GeRSP's pre-training preprocessing: ImageNet statistics on RGB images, 224 px crops.
DEFAULT_PREPROCESSING = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], channel_order='RGB',
                             input_size=224)

# Data preprocessors whose network input is RGB without a ``to_rgb``/``bgr_to_rgb`` key: gersp_mm's
# DualSourceDataPreprocessor (to_rgb=True by default) and DeviceAugmentDataPreprocessor (decodes to RGB). mm's
# own preprocessors do not convert mmcv's BGR decoding by default.
_RGB_BY_DEFAULT = {'DualSourceDataPreprocessor', 'DeviceAugmentDataPreprocessor'}


class Preprocessing(NamedTuple):
    """The input a backbone was trained with.

    Attributes:
        mean (list[float]): Per-channel mean, 0-255 scale, in ``channel_order``.
        std (list[float]): Per-channel std, 0-255 scale, in ``channel_order``.
        channel_order (str): ``'RGB'`` or ``'BGR'``: the order of the channels the network sees.
        input_size (int | list[int]): Side of the square training crop, or the crop size as the config gives it.
        defaults (tuple[str]): The fields above that the checkpoint did not say (taken from
            :data:`DEFAULT_PREPROCESSING`).
    """
    mean: List[float]
    std: List[float]
    channel_order: str
    input_size: Any
    defaults: Tuple[str, ...]


def _dicts(value: Any) -> Iterator[dict]:
    """Every dict in ``value``, depth first, in order."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _dicts(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _dicts(item)


def _type_name(cfg: dict) -> str:
    kind = cfg.get('type')
    return kind.split('.')[-1] if isinstance(kind, str) else ''


def _numbers(value: Any) -> Optional[List[float]]:
    if isinstance(value, (list, tuple)) and len(value) in (1, 3) and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return [float(v) for v in value]
    return None


def _normalisation(variables: Mapping[str, Any]) -> Optional[Tuple[List[float], List[float], Optional[str]]]:
    """``(mean, std, channel order or None)`` from the config variables, or None."""
    model = variables.get('model')
    candidates = [model.get('data_preprocessor') if isinstance(model, dict) else None,
                  variables.get('data_preprocessor'), variables.get('img_norm_cfg')]
    # mmcv 1.x / mmselfsup 0.x: a Normalize transform in the pipelines (images decoded as RGB by PIL)
    candidates += [cfg for cfg in _dicts(list(variables.values())) if _type_name(cfg) == 'Normalize']
    for cfg in candidates:
        if not isinstance(cfg, dict):
            continue
        mean, std = _numbers(cfg.get('mean')), _numbers(cfg.get('std'))
        if mean is None or std is None:
            continue
        if max(mean + std) <= 1.0:  # torchvision-style statistics of images scaled to [0, 1]
            mean, std = [v * 255 for v in mean], [v * 255 for v in std]
        flag = next((cfg[key] for key in ('to_rgb', 'bgr_to_rgb') if isinstance(cfg.get(key), bool)), None)
        if flag is not None:
            order = 'RGB' if flag else 'BGR'
        elif cfg is variables.get('img_norm_cfg') or _type_name(cfg) == 'Normalize':
            order = 'RGB'  # PIL decoding
        elif 'type' in cfg:  # an mm data preprocessor: no conversion of mmcv's BGR decoding unless its own default
            order = 'RGB' if _type_name(cfg) in _RGB_BY_DEFAULT else 'BGR'
        else:
            order = None
        return mean, std, order
    return None


def _square_size(size: Any) -> Any:
    if isinstance(size, int) and not isinstance(size, bool):
        return size
    if isinstance(size, (list, tuple)) and len(size) == 2 and all(isinstance(v, int) for v in size):
        return size[0] if size[0] == size[1] else list(size)
    return None


def _input_size(variables: Mapping[str, Any]) -> Any:
    """The training crop size: of the first ``RandomResizedCrop`` (mmpretrain ``scale``, torchvision/mmselfsup
    ``size``) or transform with an ``output_size`` (gersp_mm's ``LoadMoCoViews``) of the training data
    (``train_dataloader``; mmcv 1.x: ``data``, ``train_pipeline``), else of any variable of the config."""
    training = [variables[name] for name in ('train_dataloader', 'data', 'train_pipeline') if name in variables]
    for cfg in _dicts(training + list(variables.values())):
        kind = _type_name(cfg)
        if kind.endswith('RandomResizedCrop'):  # torchvision's scale is the area range, mmpretrain's the size
            size = _square_size(cfg.get('size')) or _square_size(cfg.get('scale'))
        elif kind and 'output_size' in cfg:
            size = _square_size(cfg['output_size'])
        else:
            continue
        if size is not None:
            return size
    return None


def config_text(checkpoint: Mapping[str, Any]) -> Optional[str]:
    """The training config saved in a checkpoint: ``meta['cfg']`` (mmengine) or ``meta['config']`` (mmcv 1.x)."""
    meta = checkpoint.get('meta')
    if isinstance(meta, dict):
        for key in ('cfg', 'config'):
            if isinstance(meta.get(key), str):
                return meta[key]
    return None


def read_preprocessing(checkpoint: Mapping[str, Any]) -> Preprocessing:
    """The preprocessing a checkpoint was trained with, from its saved config, else GeRSP's defaults.

    Args:
        checkpoint (Mapping): A loaded checkpoint.

    Returns:
        Preprocessing: Normalisation, channel order and input size; ``defaults`` names what was not found.
    """
    text = config_text(checkpoint)
    variables = parse_config_text(text) if text is not None else {}
    found: Dict[str, Any] = {}
    normalisation = _normalisation(variables)
    if normalisation is not None:
        found['mean'], found['std'], order = normalisation
        if order is not None:
            found['channel_order'] = order
    size = _input_size(variables)
    if size is not None:
        found['input_size'] = size
    values = {**DEFAULT_PREPROCESSING, **found}
    return Preprocessing(values['mean'], values['std'], values['channel_order'], values['input_size'],
                         tuple(key for key in DEFAULT_PREPROCESSING if key not in found))
