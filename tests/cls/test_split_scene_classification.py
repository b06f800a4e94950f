# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""tools/dataset_converters/split_scene_classification.py: stratified, seeded, complete, disjoint splits."""
import os
import os.path as osp
from collections import Counter

import pytest

from gersp_mm.cls import NWPURESISC45
from gersp_mm.cls.converters import split_scene_classification as tool


def make_dataset(root, counts, pattern='{cls}/{cls}_{i:03d}.jpg'):
    for cls, count in counts.items():
        os.makedirs(osp.join(root, cls), exist_ok=True)
        for i in range(1, count + 1):
            open(osp.join(root, pattern.format(cls=cls, i=i)), 'wb').close()


def read_list(path):
    with open(path) as f:
        return [tuple(line.split()) for line in f.read().splitlines()]


NWPU_COUNTS = {'airplane': 70, 'church': 50, 'wetland': 30}


@pytest.fixture
def nwpu_root(tmp_path):
    root = str(tmp_path / 'NWPU-RESISC45')
    make_dataset(root, NWPU_COUNTS)
    return root


def test_nwpu_default_ratios_are_stratified_complete_and_disjoint(nwpu_root, capsys):
    assert tool.main(['nwpu45', nwpu_root]) == 0
    meta = osp.join(nwpu_root, 'meta')
    assert sorted(os.listdir(meta)) == [
        'test-10p_seed0.txt', 'test-20p_seed0.txt', 'train-10p_seed0.txt', 'train-20p_seed0.txt']
    labels = {'airplane': '0', 'church': '7', 'wetland': '44'}
    for percent in (10, 20):
        train = read_list(osp.join(meta, f'train-{percent}p_seed0.txt'))
        test = read_list(osp.join(meta, f'test-{percent}p_seed0.txt'))
        assert not set(train) & set(test)
        everything = {(f'{cls}/{cls}_{i:03d}.jpg', labels[cls]) for cls, n in NWPU_COUNTS.items()
                      for i in range(1, n + 1)}
        assert set(train) | set(test) == everything and len(train) + len(test) == len(everything)
        per_class = Counter(path.split('/')[0] for path, _ in train)
        assert per_class == {cls: n * percent // 100 for cls, n in NWPU_COUNTS.items()}
        assert all(label == labels[path.split('/')[0]] for path, label in train + test)
    out = capsys.readouterr().out
    assert 'airplane: 70 images -> 7 train @ 0.1, 14 train @ 0.2' in out
    assert 'airport: no folder, skipped' in out and 'Wrote' in out


def test_lists_load_through_the_dataset(nwpu_root):
    tool.main(['nwpu45', nwpu_root, '--train-ratio', '0.2'])
    dataset = NWPURESISC45(data_root=nwpu_root, ann_file='meta/train-20p_seed0.txt', lazy_init=True)
    dataset.full_init()
    assert len(dataset) == 14 + 10 + 6 and {d['gt_label'] for d in dataset.load_data_list()} == {0, 7, 44}


def test_same_seed_same_split_other_seed_other_split(nwpu_root, tmp_path):
    first, second = str(tmp_path / 'a'), str(tmp_path / 'b')
    tool.main(['nwpu45', nwpu_root, '--train-ratio', '0.2', '--seed', '0', '1', '--out-dir', first])
    tool.main(['nwpu45', nwpu_root, '--train-ratio', '0.2', '--seed', '0', '--out-dir', second])
    same = [read_list(osp.join(folder, 'train-20p_seed0.txt')) for folder in (first, second)]
    assert same[0] == same[1]
    other = read_list(osp.join(first, 'train-20p_seed1.txt'))
    assert set(other) != set(same[0]) and len(other) == len(same[0])


def test_eurosat_80_20_per_class(tmp_path):
    root = str(tmp_path / '2750')
    counts = {'AnnualCrop': 30, 'River': 25, 'SeaLake': 12}
    make_dataset(root, counts, pattern='{cls}/{cls}_{i}.jpg')
    tool.main(['eurosat', root, '--seed', '3'])
    train = read_list(osp.join(root, 'meta', 'train-80p_seed3.txt'))
    test = read_list(osp.join(root, 'meta', 'test-80p_seed3.txt'))
    assert Counter(path.split('/')[0] for path, _ in train) == {'AnnualCrop': 24, 'River': 20, 'SeaLake': 10}
    assert Counter(path.split('/')[0] for path, _ in test) == {'AnnualCrop': 6, 'River': 5, 'SeaLake': 2}
    assert {label for path, label in train if path.startswith('River/')} == {'8'}


@pytest.mark.parametrize('num_images,ratio,expected', [(700, 0.1, 70), (700, 0.2, 140), (3, 0.2, 1),
                                                       (3, 0.8, 2), (2, 0.99, 1), (2501, 0.8, 2001)])
def test_num_train(num_images, ratio, expected):
    assert tool.num_train(num_images, ratio) == expected


def test_errors(tmp_path, nwpu_root):
    with pytest.raises(SystemExit, match='in \\(0, 1\\)'):
        tool.main(['nwpu45', nwpu_root, '--train-ratio', '1.0'])
    make_dataset(nwpu_root, {'air_plane': 3})
    with pytest.raises(ValueError, match="'air_plane' is not a class"):
        tool.main(['nwpu45', nwpu_root])
    lonely = str(tmp_path / 'lonely')
    make_dataset(lonely, {'Forest': 1})
    with pytest.raises(ValueError, match='at least two per class'):
        tool.main(['eurosat', lonely])


def test_help_shows_examples(capsys):
    """(tests/test_docs.py runs --help of the tool itself.)"""
    with pytest.raises(SystemExit) as exit_info:
        tool.main(['--help'])
    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    assert 'Examples' in out and '--seed' in out and 'nwpu45' in out
