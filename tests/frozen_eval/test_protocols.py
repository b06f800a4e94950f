# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The protocols against independent computations: a numpy weighted vote, scikit-learn's k-NN and logistic
regression."""
import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler

from gersp_mm.frozen_eval import (
    KNN_PROTOCOLS,
    L2_GRID,
    PROTOCOLS,
    Cell,
    FeatureSet,
    expand_protocols,
    fit_logistic_regression,
    holdout_split,
    knn_sweep,
    label_subset,
    predict_cells,
    train_linear_probe,
)
from gersp_mm.pretrain.evaluation import knn_classify


def _blobs(seed, num_classes=5, per_class=30, dim=16, spread=2.0, dtype=torch.float64):
    """Overlapping Gaussian classes with shifted, unevenly scaled features (standardisation matters)."""
    generator = torch.Generator().manual_seed(seed)
    centres = torch.randn(num_classes, dim, generator=generator, dtype=dtype) * spread
    labels = torch.arange(num_classes).repeat_interleave(per_class)
    feats = centres[labels] + torch.randn(len(labels), dim, generator=generator, dtype=dtype)
    scale = torch.logspace(-1, 1, dim, dtype=dtype)
    return feats * scale + 3.0, labels


def _predict(protocol, train, train_labels, test, fraction=1.0, seed=0):
    """The protocol's predictions as the evaluation computes them (one cell)."""
    cell = Cell('b', protocol, fraction, seed)
    return predict_cells([cell], FeatureSet(train, train_labels, ()), FeatureSet(test, torch.zeros(len(test)), ()),
                         5)[cell]


def test_weighted_knn_matches_numpy_vote():
    train, train_labels = _blobs(0, per_class=24)
    test, _ = _blobs(1, per_class=6)
    predictions = _predict('knn20', train, train_labels, test, fraction=0.5, seed=1)
    subset = label_subset(train_labels, 0.5, 1).numpy()
    a = train.numpy()[subset] / np.linalg.norm(train.numpy()[subset], axis=1, keepdims=True)
    q = test.numpy() / np.linalg.norm(test.numpy(), axis=1, keepdims=True)
    sims = q @ a.T
    expected = []
    for row in sims:
        neighbours = np.argsort(-row)[:20]
        votes = np.zeros(5)
        np.add.at(votes, train_labels.numpy()[subset][neighbours], np.exp(row[neighbours] / 0.07))
        expected.append(votes.argmax())
    assert predictions.tolist() == expected


def test_majority_knn_matches_sklearn_where_the_vote_is_not_tied():
    train, train_labels = _blobs(2, per_class=15, spread=1.0)
    test, _ = _blobs(3, per_class=10, spread=1.0)
    predictions = _predict('knn5', train, train_labels, test).numpy()
    knn = KNeighborsClassifier(n_neighbors=5, metric='cosine', algorithm='brute').fit(train.numpy(), train_labels)
    proba = knn.predict_proba(test.numpy())
    untied = (proba == proba.max(axis=1, keepdims=True)).sum(axis=1) == 1
    assert untied.sum() > 30 and (predictions[untied] != predictions[untied][0]).any()
    np.testing.assert_array_equal(predictions[untied], knn.predict(test.numpy())[untied])
    # a tie goes to one of the tied classes
    assert all(proba[i, predictions[i]] == proba[i].max() for i in np.flatnonzero(~untied))


def test_sweep_equals_knn_classify_on_each_subset():
    """One similarity matrix for all subsets, in chunks: the monitor's k-NN on each subset alone."""
    train, train_labels = _blobs(7, per_class=20, dim=8)
    test, _ = _blobs(8, per_class=9, dim=8)
    subsets = {(f, s): label_subset(train_labels, f, s) for f in (0.05, 0.3, 1.0) for s in (0, 1)}
    swept = knn_sweep(train, train_labels, test, subsets, ['knn20', 'knn5'], 5, chunk_size=7)
    assert len(swept) == 12
    for key, subset in subsets.items():
        for protocol, settings in KNN_PROTOCOLS.items():
            alone = knn_classify(test, train[subset], train_labels[subset], 5, **settings).argmax(1)
            assert torch.equal(swept[key, protocol], alone), (key, protocol)


@pytest.mark.parametrize('l2', [1e-1, 1e-3])
def test_logistic_regression_matches_sklearn(l2):
    feats, labels = _blobs(4)
    inputs = torch.from_numpy(StandardScaler().fit_transform(feats.numpy()))
    weight, bias = fit_logistic_regression(inputs, labels, 5, l2, max_iter=500, tolerance=1e-10)
    # sklearn minimises C * sum(CE) + |W|^2 / 2, i.e. ours times C * n with C = 1 / (l2 * n)
    reference = LogisticRegression(C=1 / (l2 * len(labels)), tol=1e-10, max_iter=10000).fit(inputs.numpy(), labels)
    np.testing.assert_allclose(weight.numpy(), reference.coef_, atol=2e-4 * np.abs(reference.coef_).max())
    np.testing.assert_allclose(bias.numpy(), reference.intercept_, atol=2e-4 * np.abs(reference.coef_).max())
    scores = inputs @ weight.t() + bias
    np.testing.assert_array_equal(scores.argmax(1).numpy(), reference.predict(inputs.numpy()))


def test_linear_probe_chooses_l2_on_held_out_labels_as_sklearn_would():
    feats, labels = _blobs(5, per_class=20, spread=0.6)
    probe = train_linear_probe(feats, labels, 5, seed=3, max_iter=300)
    # the independent choice: sklearn on the same fitting / held-out split and standardisation
    fit, held_out = holdout_split(labels, 0.2, seed=3)
    scaler = StandardScaler().fit(feats.numpy())
    x, y = scaler.transform(feats.numpy()), labels.numpy()
    results = {}
    for l2 in L2_GRID:
        model = LogisticRegression(C=1 / (l2 * len(fit)), tol=1e-10, max_iter=10000).fit(x[fit], y[fit])
        accuracy = (model.predict(x[held_out]) == y[held_out]).mean()
        loss = -np.log(model.predict_proba(x[held_out])[np.arange(len(held_out)), y[held_out]]).mean()
        results[l2] = (accuracy, -loss)
    assert probe.l2 == max(results, key=results.get)
    final = LogisticRegression(C=1 / (probe.l2 * len(y)), tol=1e-10, max_iter=10000).fit(x, y)
    np.testing.assert_allclose(probe.mean.numpy(), scaler.mean_)
    np.testing.assert_allclose(probe.std.numpy(), scaler.scale_)
    agreement = (probe.scores(feats).argmax(1).numpy() == final.predict(x)).mean()
    assert agreement >= 0.99


def test_linear_probe_on_one_image_per_class_uses_the_default_l2():
    feats, labels = _blobs(6, per_class=1)
    probe = train_linear_probe(feats, labels, 5)
    assert probe.l2 == 1e-3
    assert probe.scores(feats).argmax(1).tolist() == labels.tolist()


def test_protocol_groups_expand_in_order():
    assert expand_protocols(['linear', 'knn']) == ('knn20', 'knn5', 'linear')
    assert expand_protocols(['all']) == tuple(PROTOCOLS)
    with pytest.raises(ValueError, match="unknown protocol 'svm'"):
        expand_protocols(['svm'])
