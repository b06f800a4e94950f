# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The frozen features of a classification config's train and test images, through the feature cache.

The images are those of the config's ``train_dataloader`` and ``test_dataloader`` datasets (any mmpretrain
dataset: gersp_mm's NWPU-RESISC45 / EuroSAT, ``CustomDataset`` class folders, mmpretrain's own), both read
with the config's TEST pipeline (the frozen protocol has no augmentation) and normalised like the model's
inputs (the config's ``data_preprocessor`` mean, std and ``to_rgb``). The backbone's last stage is
global-average pooled (:func:`gersp_mm.pretrain.evaluation.extract_features`, the pre-training monitor's
extraction), in batches, with data-loading workers, on the backbone's device.
"""
import copy
import os.path as osp
from typing import Any, Dict, Optional, Tuple

import torch
from mmengine.config import Config
from mmengine.utils import ProgressBar
from torch import nn

from ..pretrain.evaluation import extract_features
from .feature_cache import FeatureSet, cached_features, feature_key

SPLITS = ('train', 'test')


def eval_pipeline(cfg: Config) -> list:
    """The pipeline of the config's test (else val) dataset."""
    loader = cfg.get('test_dataloader') or cfg.get('val_dataloader')
    if not loader or 'pipeline' not in loader.get('dataset', {}):
        raise ValueError('the config has no test_dataloader (nor val_dataloader) dataset with a pipeline')
    return copy.deepcopy(loader['dataset']['pipeline'])


def split_dataset_cfg(cfg: Config, split: str) -> dict:
    """The dataset config of ``split`` (``'train'`` or ``'test'``) with the test pipeline."""
    if split not in SPLITS:
        raise ValueError(f'split must be one of {SPLITS}, got {split!r}')
    loader = cfg.get(f'{split}_dataloader') or (cfg.get('val_dataloader') if split == 'test' else None)
    if not loader or 'dataset' not in loader:
        raise ValueError(f'the config has no {split}_dataloader.dataset')
    dataset = copy.deepcopy(loader['dataset'])
    dataset['pipeline'] = eval_pipeline(cfg)
    # one pass over the images: mmengine's serialisation (for many epochs in workers) costs a gc.collect()
    dataset['serialize_data'] = False
    return dataset


def normalisation(cfg: Config) -> Dict[str, Any]:
    """``mean``, ``std`` (lists, 0-255 scale) and ``to_rgb`` of the config's data preprocessor."""
    preprocessor = cfg.get('data_preprocessor') or cfg.get('model', {}).get('data_preprocessor') or {}
    if preprocessor.get('mean') is None or preprocessor.get('std') is None:
        raise ValueError('the config has no data_preprocessor (nor model.data_preprocessor) with mean and std')
    return dict(mean=[float(v) for v in preprocessor['mean']], std=[float(v) for v in preprocessor['std']],
                to_rgb=bool(preprocessor.get('to_rgb', preprocessor.get('bgr_to_rgb', False))))


def build_split(cfg: Config, split: str):
    """Build the dataset of ``split`` with the test pipeline (mmpretrain's registry)."""
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import DATASETS

    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    return DATASETS.build(split_dataset_cfg(cfg, split))


def files_and_labels(dataset) -> Tuple[Tuple[str, ...], torch.Tensor]:
    """The image files and labels (N, ) of a dataset, from its data info (no image is read)."""
    files, labels = [], []
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        if 'gt_label' not in info or 'img_path' not in info:
            raise ValueError(f'sample {index} of {type(dataset).__name__} has no img_path/gt_label: the frozen '
                             'evaluation needs a labelled image dataset')
        files.append(osp.abspath(info['img_path']))
        labels.append(int(info['gt_label']))
    if not files:
        raise ValueError(f'the dataset {type(dataset).__name__} is empty')
    return tuple(files), torch.tensor(labels, dtype=torch.long)


def compute_features(backbone: nn.Module, dataset, norm: Dict[str, Any], batch_size: int = 64,
                     num_workers: int = 0, progress: bool = True) -> torch.Tensor:
    """Pooled last-stage features (N, C) of every image of ``dataset``, float32 on the CPU.

    The backbone is put in the channels-last memory format (in place): its convolutions are faster so on the
    CPU (about 1.3x for a ResNet-50 on one core) and the GPU, with the same features up to float rounding.

    Args:
        backbone (nn.Module): The frozen backbone in eval mode (images go to its device).
        dataset: A dataset whose samples hold ``inputs`` (3, H, W) uint8, all of one size.
        norm (dict): From :func:`normalisation`.
        batch_size (int): Images per forward. Defaults to 64.
        num_workers (int): Data-loading workers. Defaults to 0.
        progress (bool): Show a progress bar. Defaults to True.
    """
    backbone.to(memory_format=torch.channels_last)
    bar = ProgressBar(len(dataset)) if progress else None
    mean = torch.tensor(norm['mean']).view(-1, 1, 1)
    std = torch.tensor(norm['std']).view(-1, 1, 1)
    with torch.no_grad():
        feats = extract_features(backbone, dataset, list(range(len(dataset))), batch_size, num_workers, mean, std,
                                 norm['to_rgb'], progress=(lambda n: bar.update(n)) if bar else None)
    if bar is not None:
        print(flush=True)
    return feats.float().cpu()


def split_features(cfg: Config, dataset, backbone: nn.Module, backbone_hash: str, cache_dir: Optional[str],
                   batch_size: int = 64, num_workers: int = 0, progress: bool = True) -> FeatureSet:
    """The features of a split of a config for a backbone, from the cache when there (``cache_dir`` None: no cache).

    Args:
        cfg (Config): A classification config.
        dataset: The split, from :func:`build_split`.
        backbone (nn.Module): The frozen backbone.
        backbone_hash (str): Its :func:`~.backbones.content_hash`.
        cache_dir (str, optional): The feature cache folder; None computes without caching.
        batch_size (int): Images per forward. Defaults to 64.
        num_workers (int): Data-loading workers. Defaults to 0.
        progress (bool): Show a progress bar while computing. Defaults to True.
    """
    files, labels = files_and_labels(dataset)
    norm = normalisation(cfg)

    def compute() -> FeatureSet:
        feats = compute_features(backbone, dataset, norm, batch_size, num_workers, progress)
        return FeatureSet(feats, labels, files)

    if cache_dir is None:
        return compute()
    key = feature_key(backbone_hash, files, labels.tolist(), eval_pipeline(cfg), norm)
    return cached_features(cache_dir, key, compute)
