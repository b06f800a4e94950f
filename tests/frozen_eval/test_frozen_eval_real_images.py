# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The frozen evaluation on real EuroSAT images: features as a plain forward computes them, the same whether
cached or not; identical backbones are indistinguishable; a destroyed backbone is reported worse."""
import json

import cv2
import numpy as np
import pytest
import torch
import torchvision
from mmengine.config import Config

from gersp_mm.frozen_eval import Settings, evaluate_backbones, feature_extraction, parse_backbone
from gersp_mm.frozen_eval import cells as cells_module
from gersp_mm.frozen_eval.cli import main
from tests.frozen_eval.frozen_eval_helpers import NUM_TRAIN
from tests.helpers import run_main

MEAN = np.array([123.675, 116.28, 103.53])
STD = np.array([58.395, 57.12, 57.375])


def _plain_features(files, state):
    """torchvision's ResNet-18 with the same tensors, on the images decoded by OpenCV as RGB and normalised."""
    model = torchvision.models.resnet18()
    model.fc = torch.nn.Identity()
    model.load_state_dict(state, strict=False)
    model.eval()
    images = np.stack([(cv2.imread(f)[:, :, ::-1] - MEAN) / STD for f in files]).transpose(0, 3, 1, 2)
    with torch.no_grad():
        return model(torch.from_numpy(images).float())


def test_cached_and_uncached_features_score_the_same(eurosat, tmp_path, one_thread):
    config, files = eurosat
    cfg = Config.fromfile(str(config))
    settings = Settings(('knn20', 'linear'), (0.34, 1.0), (0, 1), num_resamples=100)
    spec = [parse_backbone(f'r18={files["same_tv"]}')]
    uncached = evaluate_backbones(cfg, spec, settings, None, None, batch_size=16, progress=False)
    first = evaluate_backbones(cfg, spec, settings, str(tmp_path / 'a'), str(tmp_path / 'cache'), 16, progress=False)
    assert len(list((tmp_path / 'cache').glob('*.pt'))) == 2  # train and test features
    cached = evaluate_backbones(cfg, spec, settings, str(tmp_path / 'b'), str(tmp_path / 'cache'), 16, progress=False)
    assert uncached.accuracies == first.accuracies == cached.accuracies
    assert len(uncached.accuracies) == 4 and uncached.num_train == 10 * NUM_TRAIN and uncached.num_test == 70

    # the cached features are those of a plain torchvision forward of the same weights
    stored = [torch.load(path, weights_only=True) for path in (tmp_path / 'cache').glob('*.pt')]
    state = torch.load(files['same_tv'], weights_only=True)
    for entry in stored:
        torch.testing.assert_close(entry['features'], _plain_features(entry['files'], state), atol=1e-4, rtol=1e-4)


def test_report_identical_backbones_and_a_destroyed_one(eurosat, tmp_path, one_thread, monkeypatch):
    config, files = eurosat
    work_dir = tmp_path / 'work'
    args = [config, f'same_mm={files["same_mm"]}', f'same_tv={files["same_tv"]}', f'destroyed={files["destroyed"]}',
            '--fractions', '34', '100', '--seeds', '0', '1', '--bootstrap', '500', '--work-dir', work_dir,
            '--num-workers', '0', '--batch-size', '25', '--no-progress']
    result = run_main(main, *args)
    assert result.returncode == 0, result.stderr
    data = json.loads((work_dir / 'results.json').read_text())
    assert data['backbones']['same_mm'] == data['backbones']['same_tv'] != data['backbones']['destroyed']
    assert len(list((work_dir / 'features').glob('*.pt'))) == 4  # one file per split for the two contents
    differences = {(d['backbone_a'], d['backbone_b'], d['protocol'], d['fraction']): d for d in data['differences']}
    assert len(differences) == 3 * 3 * 2  # 3 pairs x 3 protocols x 2 fractions
    for protocol in ('knn20', 'knn5', 'linear'):
        for fraction in (0.34, 1.0):
            same = differences['same_mm', 'same_tv', protocol, fraction]
            assert same['interval'] == dict(estimate=0.0, low=0.0, high=0.0) and not same['excludes_zero']
        worse = differences['same_mm', 'destroyed', protocol, 1.0]
        assert worse['interval']['estimate'] > 10, worse
    # the destroyed backbone (chance, 10 %) is clearly worse than the random ResNet-18 with all (3 per class)
    # labelled images: 70 test images tell it for the weighted k-NN (29 %) and the linear probe (46 %)
    for protocol in ('knn20', 'linear'):
        worse = differences['same_mm', 'destroyed', protocol, 1.0]
        assert worse['interval']['low'] > 0 and worse['excludes_zero'], worse
        assert worse['sentence'].endswith('the interval excludes 0, same_mm is better.')
    accuracies = {(a['backbone'], a['protocol'], a['fraction']): a for a in data['accuracies']}
    destroyed = accuracies['destroyed', 'linear', 1.0]
    assert destroyed['interval']['estimate'] == pytest.approx(10.0)  # one prediction for all: 7 of 70 right
    same = accuracies['same_mm', 'knn20', 0.34]
    assert same['interval']['low'] < same['interval']['estimate'] < same['interval']['high']
    assert same['per_seed'] != [same['per_seed'][0]] * 2  # the two seeds' label subsets differ
    markdown = (work_dir / 'results.md').read_text()
    assert '## knn20' in markdown and 'same_mm - destroyed = +' in markdown
    csv_lines = (work_dir / 'results.csv').read_text().splitlines()
    assert len(csv_lines) == 1 + 3 * 3 * 2 + 18
    assert (work_dir / 'results.png').read_bytes()[:4] == b'\x89PNG'

    # resumable: a rerun computes neither features nor predictions; one more seed computes only its own cells
    def refuse(*args, **kwargs):
        raise AssertionError('recomputed')

    monkeypatch.setattr(feature_extraction, 'compute_features', refuse)
    monkeypatch.setattr(cells_module, 'predict_cells', refuse)
    rerun = run_main(main, *args)
    assert rerun.returncode == 0 and json.loads((work_dir / 'results.json').read_text()) == data
    computed = []
    monkeypatch.setattr(cells_module, 'predict_cells',
                        lambda cells, *rest: computed.extend(cells) or _predict(cells, *rest))
    assert run_main(main, *args, '--seeds', '0', '1', '2').returncode == 0
    assert {cell.seed for cell in computed} == {2} and len(computed) == 3 * 3 * 2


_predict = cells_module.predict_cells
