# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""DualSourceSampler: sharding, pairing across epochs, seeds, epoch definitions and skipping."""
from collections import Counter
from types import SimpleNamespace

import pytest

from gersp_mm.pretrain.samplers import DualSourceSampler, dual_source_sampler

RS, NATURAL = 10, 7


def make_sampler(monkeypatch, rank=0, world_size=1, rs=RS, natural=NATURAL, **kwargs):
    monkeypatch.setattr(dual_source_sampler, 'get_dist_info', lambda: (rank, world_size))
    dataset = SimpleNamespace(rs=range(rs), natural=range(natural))
    kwargs.setdefault('seed', 0)
    return DualSourceSampler(dataset, **kwargs)


def epoch_items(monkeypatch, epoch, world_size=1, **kwargs):
    """Samples of every rank for one epoch, in global position order."""
    shards = []
    for rank in range(world_size):
        sampler = make_sampler(monkeypatch, rank, world_size, **kwargs)
        sampler.set_epoch(epoch)
        shards.append(list(sampler))
    return [item for group in zip(*shards) for item in group], shards


def test_rank_shards_are_disjoint_and_cover_each_source(monkeypatch):
    items, shards = epoch_items(monkeypatch, 0, world_size=2)
    assert [len(shard) for shard in shards] == [5, 5]
    seeds = [item.seed for item in items]
    assert len(set(seeds)) == len(seeds)  # every position once, on one rank
    assert sorted(item.rs for item in items) == list(range(RS))  # epoch = one pass over the larger source
    natural = [item.natural for item in items]
    assert sorted(natural[:NATURAL]) == list(range(NATURAL))  # a full pass before any repeat
    assert max(Counter(natural).values()) == 2


def test_the_smaller_source_continues_its_pass_in_the_next_epoch(monkeypatch):
    first, _ = epoch_items(monkeypatch, 0)
    second, _ = epoch_items(monkeypatch, 1)
    stream = [item.natural for item in first + second]
    assert sorted(stream[7:14]) == list(range(NATURAL))  # pass 2 spans the epoch border


def test_pairs_change_from_epoch_to_epoch(monkeypatch):
    first, _ = epoch_items(monkeypatch, 0)
    second, _ = epoch_items(monkeypatch, 1)
    assert {(i.rs, i.natural) for i in first} != {(i.rs, i.natural) for i in second}
    assert [i.rs for i in first] != [i.rs for i in second]


def test_determinism_by_seed(monkeypatch):
    assert epoch_items(monkeypatch, 3)[0] == epoch_items(monkeypatch, 3)[0]
    assert epoch_items(monkeypatch, 3)[0] != epoch_items(monkeypatch, 3, seed=1)[0]


def test_no_shuffle_reads_in_order(monkeypatch):
    items, _ = epoch_items(monkeypatch, 0, shuffle=False)
    assert [i.rs for i in items] == list(range(RS))
    assert [i.natural for i in items] == [0, 1, 2, 3, 4, 5, 6, 0, 1, 2]


@pytest.mark.parametrize('epoch_length,world_size,expected', [
    ('max', 1, 10), ('rs', 1, 10), ('natural', 1, 7), ('natural', 2, 3), ('max', 3, 3), (4, 2, 8)])
def test_epoch_definitions(monkeypatch, epoch_length, world_size, expected):
    kwargs = dict(epoch_length=epoch_length, world_size=world_size)
    if isinstance(epoch_length, int):
        kwargs['batch_size'] = 2  # 4 iterations x 2 samples per rank
    sampler = make_sampler(monkeypatch, **kwargs)
    assert len(sampler) == expected == len(list(sampler))


def test_epoch_length_errors(monkeypatch):
    with pytest.raises(ValueError, match='needs a positive batch_size'):
        make_sampler(monkeypatch, epoch_length=5)
    with pytest.raises(ValueError, match="one of \\('rs', 'natural', 'max'\\)"):
        make_sampler(monkeypatch, epoch_length='min')
    with pytest.raises(ValueError, match='two non-empty sources'):
        make_sampler(monkeypatch, natural=0)


def test_skip_continues_exactly_where_the_epoch_stopped(monkeypatch):
    sampler = make_sampler(monkeypatch, rank=1, world_size=2)
    sampler.set_epoch(2)
    full = list(sampler)
    resumed = make_sampler(monkeypatch, rank=1, world_size=2)
    resumed.set_epoch(2)
    resumed.skip(3)
    assert len(resumed) == len(full)  # the epoch length does not change
    assert list(resumed) == full[3:]
    assert list(resumed) == full  # the skip applies to one iteration only
    with pytest.raises(ValueError):
        resumed.skip(6)
