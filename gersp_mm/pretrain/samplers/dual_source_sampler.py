# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
from typing import Iterator, Optional, Union

import torch
from mmengine.dist import get_dist_info, sync_random_seed
from mmpretrain.registry import DATA_SAMPLERS
from torch.utils.data import Sampler

from ...engine.config_checks import check_value
from .dual_source_index import DualSourceIndex

EPOCH_LENGTHS = ('rs', 'natural', 'max')
#: The config key of the sampler, named in the errors about its arguments.
KEY = 'train_dataloader.sampler'
_MASK64 = (1 << 64) - 1


def mix_seed(*values: int) -> int:
    """Hash integers into one 63-bit seed (splitmix64 finaliser), deterministic across processes."""
    state = 0x9E3779B97F4A7C15
    for value in values:
        state = ((state ^ (value & _MASK64)) + 0x9E3779B97F4A7C15) & _MASK64
        state = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        state = ((state ^ (state >> 27)) * 0x94D049BB133111EB) & _MASK64
        state ^= state >> 31
    return state >> 1


@DATA_SAMPLERS.register_module()
class DualSourceSampler(Sampler):
    """Pairs the remote-sensing and natural images of a :class:`DualSourceDataset`.

    Each source is read as an endless stream of independent, seeded permutations of itself (a new
    permutation per pass), and sample ``t`` of the run pairs position ``t`` of both streams. Hence the
    pairs change from epoch to epoch, every image of a source is drawn once before any is drawn again
    (the shorter source wraps into its next pass instead of repeating a fixed block, as the released code
    did), and file order plays no role. Epoch ``e`` covers positions ``[e * T, (e + 1) * T)``, split
    between ranks as disjoint strided shards (rank ``r`` takes ``r, r + W, ...``).

    Args:
        dataset (DualSourceDataset): The dataset (anything with ``rs`` and ``natural`` datasets).
        shuffle (bool): Shuffle each pass; False reads both sources in order. Defaults to True.
        seed (int, optional): Seed of the permutations and of the per-sample augmentation seeds; the
            same on every rank. Defaults to a seed synchronised across ranks.
        epoch_length (str | int): ``'rs'``, ``'natural'`` or ``'max'`` for one pass over the remote-sensing
            source, the natural source or the larger one (the paper: ``'max'``); an int for a fixed number
            of iterations per epoch, which then needs ``batch_size``. Defaults to ``'max'``.
        batch_size (int, optional): Per-process batch size, only for an int ``epoch_length``.

    Raises:
        ConfigCheckError: An argument of the wrong type or below its minimum, named by its config key
            (``train_dataloader.sampler.seed must be an int, got '0' (str) (write seed=0)``): the one check of
            these arguments, for a sampler built from a config (``tools/train.py`` prints it as one sentence) or
            in Python.
    """

    def __init__(self,
                 dataset,
                 shuffle: bool = True,
                 seed: Optional[int] = None,
                 epoch_length: Union[str, int] = 'max',
                 batch_size: Optional[int] = None) -> None:
        check_value(f'{KEY}.shuffle', shuffle, bool)
        if seed is not None:
            check_value(f'{KEY}.seed', seed, int)
        if batch_size is not None:
            check_value(f'{KEY}.batch_size', batch_size, int, minimum=1)
        if not isinstance(epoch_length, str):
            check_value(f'{KEY}.epoch_length', epoch_length, int, minimum=1)
        self.rank, self.world_size = get_dist_info()
        self.rs_size, self.natural_size = len(dataset.rs), len(dataset.natural)
        if not self.rs_size or not self.natural_size:
            raise ValueError(f'DualSourceSampler needs two non-empty sources, got {self.rs_size} remote-sensing '
                             f'and {self.natural_size} natural images')
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else seed
        if isinstance(epoch_length, str):
            if epoch_length not in EPOCH_LENGTHS:
                raise ValueError(f'epoch_length must be one of {EPOCH_LENGTHS} or an int, got {epoch_length!r}')
            total = dict(rs=self.rs_size, natural=self.natural_size,
                         max=max(self.rs_size, self.natural_size))[epoch_length]
        else:
            if batch_size is None:
                raise ValueError('An int epoch_length (iterations per epoch) needs a positive batch_size, got '
                                 f'epoch_length={epoch_length!r}, batch_size={batch_size!r}')
            total = epoch_length * batch_size * self.world_size
        self.epoch_length = epoch_length
        self.num_samples = total // self.world_size
        if self.num_samples == 0:
            raise ValueError(f'An epoch of {total} samples cannot be split between {self.world_size} ranks')
        self.total_size = self.num_samples * self.world_size
        self.epoch = 0
        self._skip = 0

    def _permutation(self, source: int, size: int, pass_index: int) -> torch.Tensor:
        if not self.shuffle:
            return torch.arange(size)
        generator = torch.Generator().manual_seed(mix_seed(self.seed, source, pass_index))
        return torch.randperm(size, generator=generator)

    def _stream(self, source: int, size: int, start: int, stop: int) -> torch.Tensor:
        """Indices at positions ``[start, stop)`` of a source's stream of permutations."""
        first_pass, last_pass = start // size, (stop - 1) // size
        passes = torch.cat([self._permutation(source, size, p) for p in range(first_pass, last_pass + 1)])
        offset = first_pass * size
        return passes[start - offset:stop - offset]

    def __iter__(self) -> Iterator[DualSourceIndex]:
        start = self.epoch * self.total_size
        stop = start + self.total_size
        shard = slice(self.rank, None, self.world_size)
        rs = self._stream(0, self.rs_size, start, stop)[shard]
        natural = self._stream(1, self.natural_size, start, stop)[shard]
        positions = range(start, stop)[shard]
        skip, self._skip = self._skip, 0
        for rs_index, natural_index, position in zip(rs[skip:].tolist(), natural[skip:].tolist(),
                                                     positions[skip:]):
            yield DualSourceIndex(rs_index, natural_index, mix_seed(self.seed, position))

    def __len__(self) -> int:
        """Samples per rank and epoch (independent of a pending :meth:`skip`)."""
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Select the epoch whose samples the next iteration yields (called by DistSamplerSeedHook)."""
        self.epoch = epoch

    def skip(self, num_samples: int) -> None:
        """Start the next iteration ``num_samples`` samples into this rank's shard (mid-epoch resume).

        Only indices are skipped: no image is read. :class:`FastForwardSamplerHook` calls this on resume.
        """
        if not 0 <= num_samples <= self.num_samples:
            raise ValueError(f'Cannot skip {num_samples} of the {self.num_samples} samples of an epoch')
        self._skip = num_samples
