# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The feature cache: a key of every input, computed once, never a stale or half-written file."""
import pytest
import torch

from gersp_mm.frozen_eval import FeatureSet, cached_features, feature_key
from gersp_mm.frozen_eval.feature_cache import cache_file

FILES, LABELS = ('a/1.jpg', 'b/2.jpg'), (0, 1)
PIPELINE = [dict(type='LoadImageFromFile'), dict(type='Resize', scale=(224, 224)), dict(type='PackInputs')]
NORM = dict(mean=[1.0, 2.0, 3.0], std=[4.0, 5.0, 6.0], to_rgb=True)


def test_key_changes_with_every_input():
    key = feature_key('h', FILES, LABELS, PIPELINE, NORM)
    assert key == feature_key('h', list(FILES), list(LABELS), [dict(d) for d in PIPELINE], dict(NORM))
    others = [feature_key('h2', FILES, LABELS, PIPELINE, NORM),
              feature_key('h', FILES[::-1], LABELS, PIPELINE, NORM),
              feature_key('h', FILES, (1, 0), PIPELINE, NORM),
              feature_key('h', FILES, LABELS, PIPELINE[:1] + [dict(type='Resize', scale=(256, 256))] + PIPELINE[2:],
                          NORM),
              feature_key('h', FILES, LABELS, PIPELINE, dict(NORM, to_rgb=False))]
    assert len({key, *others}) == 6


def test_computed_once_then_read(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return FeatureSet(torch.arange(6.).view(2, 3), torch.tensor(LABELS), FILES)

    first = cached_features(str(tmp_path), 'k' * 64, compute)
    second = cached_features(str(tmp_path), 'k' * 64, compute)
    assert len(calls) == 1 and first.key == second.key == 'k' * 64
    assert torch.equal(first.features, second.features) and second.files == FILES
    assert [p.name for p in tmp_path.iterdir()] == [f'{"k" * 32}.pt']


def test_interrupted_computation_leaves_nothing(tmp_path):
    def compute():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cached_features(str(tmp_path), 'k' * 64, compute)
    assert list(tmp_path.iterdir()) == []


def test_a_file_of_another_key_is_refused(tmp_path):
    torch.save(dict(key='x' * 64), cache_file(str(tmp_path), 'k' * 64))
    with pytest.raises(ValueError, match='feature cache file of another key; delete it'):
        cached_features(str(tmp_path), 'k' * 64, lambda: None)
    (tmp_path / f'{"j" * 32}.pt').write_bytes(b'not a torch file')
    with pytest.raises(ValueError, match=f'{"j" * 32}.pt: unreadable feature cache file'):
        cached_features(str(tmp_path), 'j' * 64, lambda: None)
