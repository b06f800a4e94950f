# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
import contextlib
import logging
import random
from typing import Iterator, Union

import numpy as np
import torch
from mmengine.logging import print_log
from mmpretrain.registry import DATASETS
from torch.utils.data import Dataset

from ...fileio.file_names import printable_name
from ..samplers.dual_source_index import DualSourceIndex
from .loading import ImageDecodeError
from .natural_checks import check_natural_dataset

BAD_IMAGE_POLICIES = ('raise', 'skip')
MAX_CONSECUTIVE_SKIPS = 100


@contextlib.contextmanager
def seeded_rng(seed: int) -> Iterator[None]:
    """Seed Python's, numpy's and torch's global RNGs for a block, restoring their states afterwards."""
    states = random.getstate(), np.random.get_state(), torch.get_rng_state()
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    try:
        yield
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])
        torch.set_rng_state(states[2])


def _describe(dataset) -> str:
    """A dataset's type and, where it has one, its root folder."""
    root = getattr(dataset, 'data_root', None)
    return type(dataset).__name__ + (f', {root}' if root else '')


@DATASETS.register_module()
class DualSourceDataset(Dataset):
    """The two GeRSP sources behind one dataset: unlabeled remote-sensing images and labeled natural ones.

    Each is a full dataset config with its own pipeline: the remote-sensing pipeline must produce two
    views (mmpretrain's ``MultiView``), the natural one a single view with ``gt_label``; both end with
    ``PackInputs``. Items are addressed by :class:`DualSourceIndex` (from :class:`DualSourceSampler`,
    which decides the pairing) and returned as::

        dict(inputs=[rs_view_1, rs_view_2, natural], data_samples=DataSample(gt_label, img_path, ...))

    Args:
        rs (dict | Dataset): The remote-sensing dataset (config), e.g. ``UnlabeledImageFolder``.
        natural (dict | Dataset): The labeled natural-image dataset (config), e.g. ``ImageNet``.
        bad_image_policy (str): ``'raise'`` (default) stops on an unreadable or truncated image with an
            error naming the file; ``'skip'`` logs a warning naming it, with the running count of skipped
            images, and uses the next image of the same source instead.
    """

    def __init__(self,
                 rs: Union[dict, Dataset],
                 natural: Union[dict, Dataset],
                 bad_image_policy: str = 'raise') -> None:
        if bad_image_policy not in BAD_IMAGE_POLICIES:
            raise ValueError(f'bad_image_policy must be one of {BAD_IMAGE_POLICIES}, got {bad_image_policy!r}')
        self.rs = DATASETS.build(rs) if isinstance(rs, dict) else rs
        if isinstance(natural, dict):
            check_natural_dataset(natural)  # class folders / list lines, named, before mmpretrain reads them
        self.natural = DATASETS.build(natural) if isinstance(natural, dict) else natural
        self.bad_image_policy = bad_image_policy
        self.num_skipped = 0

    @property
    def metainfo(self) -> dict:
        """The natural dataset's meta information (its classes)."""
        return self.natural.metainfo

    def full_init(self) -> None:
        """Fully initialise both sources (called by mmengine before building the data loader) and log what
        each holds: ``remote-sensing source: 1000 images (UnlabeledImageFolder, data/MillionAID/test/)``."""
        for dataset in (self.rs, self.natural):
            if hasattr(dataset, 'full_init'):
                dataset.full_init()
        classes = self.natural.metainfo.get('classes') if hasattr(self.natural, 'metainfo') else None
        in_classes = f' in {len(classes)} classes' if classes else ''
        print_log(f'Pre-training data: remote-sensing source: {len(self.rs)} images ({_describe(self.rs)}); '
                  f'natural source: {len(self.natural)} images{in_classes} ({_describe(self.natural)}).',
                  logger='current')

    def __len__(self) -> int:
        """The number of pairs in one pass over the larger source (the sampler defines the epoch)."""
        return max(len(self.rs), len(self.natural))

    def _fetch(self, dataset: Dataset, index: int, source: str) -> dict:
        for attempt in range(MAX_CONSECUTIVE_SKIPS):
            position = (index + attempt) % len(dataset)
            try:
                return dataset[position]
            except ImageDecodeError as err:
                if self.bad_image_policy == 'raise':
                    raise
                self.num_skipped += 1
                # a non-UTF-8 file name would make the line unwritable (and the warning lost): escaped
                print_log(printable_name(f'Skipped unreadable {source} image ({self.num_skipped} skipped so far in '
                                         f'this process): {err}'), logger='current', level=logging.WARNING)
        raise RuntimeError(f'{MAX_CONSECUTIVE_SKIPS} consecutive unreadable {source} images from index '
                           f'{index}: check the dataset')

    @staticmethod
    def _check_has_label(item: dict) -> None:
        """Refuse a natural item without a label (its range is checked by the classifier, ``GeRSP``)."""
        sample = item['data_samples']
        if 'gt_label' not in sample:
            raise ValueError(f'The natural dataset gave no label for {sample.get("img_path")}: '
                             'its pipeline must keep gt_label (PackInputs)')

    def __getitem__(self, index: DualSourceIndex) -> dict:
        if not isinstance(index, tuple) or len(index) != 3:
            raise TypeError(f'{type(self).__name__} is indexed by DualSourceIndex(rs, natural, seed), '
                            f'got {index!r}: use sampler=dict(type="DualSourceSampler")')
        rs_index, natural_index, seed = index
        with seeded_rng(seed):
            rs_item = self._fetch(self.rs, rs_index, 'remote-sensing')
            natural_item = self._fetch(self.natural, natural_index, 'natural')
        rs_views = rs_item['inputs']
        if not isinstance(rs_views, list) or len(rs_views) != 2:
            raise ValueError('The remote-sensing pipeline must produce two views '
                             '(MultiView(num_views=2, ...) before PackInputs)')
        self._check_has_label(natural_item)
        data_sample = natural_item['data_samples']
        data_sample.set_metainfo(dict(rs_img_path=rs_item['data_samples'].get('img_path')))
        return dict(inputs=[*rs_views, natural_item['inputs']], data_samples=data_sample)
