# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""KNNMonitorHook: the k-NN classifier against hand-computed votes, the per-class split, the hook on a
GeRSP model (normalisation, eval mode restored, no gradient, DDP sharding), and the tiny monitor config
through tools/train.py with the local and the TensorBoard visualizer backends."""
import json
import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.logging import MessageHub, MMLogger
from mmpretrain.registry import HOOKS, MODELS

import gersp_mm.cls  # noqa: F401  (registers NWPURESISC45)
from gersp_mm.engine import CrashSafeRunner
from gersp_mm.pretrain.evaluation import extract_features, features, knn_classify, split_per_class
from gersp_mm.pretrain.hooks import KNNMonitorHook
from gersp_mm.utils import load_tool_config
from tests.helpers import ROOT

MONITOR_CONFIG = 'configs/pretrain/gersp_r18_tiny_monitor.py'
NWPU = dict(type='NWPURESISC45', data_root=str(ROOT / 'tests/data/cls/nwpu'),
            pipeline=[dict(type='LoadImageUint8'), dict(type='Resize', scale=(64, 64)), dict(type='PackInputs')])
# unit vectors: cosine similarities with QUERY are 0.8, 0.6, 0.96, -0.8
MEMORY = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8], [-1.0, 0.0]])
MEMORY_LABELS = torch.tensor([0, 1, 1, 2])
QUERY = torch.tensor([[0.8, 0.6]])


def test_weighted_votes_match_the_hand_computed_example():
    # 3 nearest: index 2 (0.96, class 1), index 0 (0.8, class 0), index 1 (0.6, class 1)
    scores = knn_classify(QUERY * 5, MEMORY * 2, MEMORY_LABELS, num_classes=4, k=3, temperature=0.1)
    expected = [math.exp(8.0), math.exp(9.6) + math.exp(6.0), 0.0, 0.0]
    assert scores.shape == (1, 4)
    assert torch.allclose(scores[0].double(), torch.tensor(expected, dtype=torch.double), rtol=1e-5)


def test_majority_votes_count_neighbours_and_break_ties_by_similarity():
    scores = knn_classify(QUERY, MEMORY, MEMORY_LABELS, num_classes=3, k=3, voting='majority')
    assert scores[0].floor().tolist() == [1.0, 2.0, 0.0] and scores[0].argmax() == 1
    # k=2 from [1, 0]: index 0 (similarity 1.0, class 0) and index 2 (0.6, class 1): one vote each
    tie = knn_classify(torch.tensor([[1.0, 0.0]]), MEMORY, MEMORY_LABELS, num_classes=3, k=2, voting='majority')
    assert tie[0].floor().tolist() == [1.0, 1.0, 0.0] and tie[0, 0] > tie[0, 1] > 1 and tie[0, 2] == 0


def test_k_larger_than_the_memory_bank_uses_all_of_it():
    scores = knn_classify(QUERY, MEMORY, MEMORY_LABELS, num_classes=3, k=100, temperature=1.0)
    expected = [math.exp(0.8), math.exp(0.6) + math.exp(0.96), math.exp(-0.8)]
    assert torch.allclose(scores[0], torch.tensor(expected), rtol=1e-5)


def test_random_features_match_a_brute_force_reference():
    generator = torch.Generator().manual_seed(0)
    memory, queries = torch.randn(50, 8, generator=generator), torch.randn(7, 8, generator=generator)
    labels = torch.randint(0, 5, (50, ), generator=generator)
    scores = knn_classify(queries, memory, labels, num_classes=5, k=6, temperature=0.5, chunk_size=3)
    mem, qry = memory.numpy().astype(np.float64), queries.numpy().astype(np.float64)
    for i, query in enumerate(qry):
        sims = [float(query @ m / np.linalg.norm(query) / np.linalg.norm(m)) for m in mem]
        votes = [0.0] * 5
        for j in sorted(range(50), key=lambda j: -sims[j])[:6]:
            votes[int(labels[j])] += math.exp(sims[j] / 0.5)
        assert np.allclose(scores[i].numpy(), votes, rtol=1e-4), i


def test_bad_voting_or_empty_memory_is_refused():
    with pytest.raises(ValueError, match='voting'):
        knn_classify(QUERY, MEMORY, MEMORY_LABELS, 3, voting='soft')
    with pytest.raises(ValueError, match='non-empty memory bank'):
        knn_classify(QUERY, MEMORY[:0], MEMORY_LABELS[:0], 3)


def test_split_per_class_is_stratified_disjoint_and_seeded():
    labels = torch.tensor([0, 0, 0, 1, 1, 1, 1, 1, 1, 2])
    memory, query = split_per_class(labels, memory_per_class=2, query_per_class=1, seed=0)
    assert not set(memory) & set(query)
    assert sorted(labels[memory].tolist()) == [0, 0, 1, 1, 2] and sorted(labels[query].tolist()) == [0, 1]
    assert split_per_class(labels, 2, 1, seed=0) == (memory, query)
    assert any(split_per_class(labels, 2, 1, seed=s) != (memory, query) for s in range(1, 5))
    memory, query = split_per_class(labels, memory_per_class=0.5)
    assert sorted(labels[memory].tolist()) == [0, 0, 1, 1, 1, 2] and len(query) == 4


@pytest.mark.parametrize('kwargs, match', [
    (dict(), 'either `dataset`'),
    (dict(dataset=NWPU, memory_dataset=NWPU, query_dataset=NWPU), 'either `dataset`'),
    (dict(memory_dataset=NWPU), 'either `dataset`'),
    (dict(dataset=NWPU, memory_per_class=0), 'memory_per_class'),
    (dict(dataset=NWPU, memory_per_class=1.0), 'memory_per_class'),
    (dict(dataset=NWPU, query_per_class=0.0), 'query_per_class'),
    (dict(dataset=NWPU, k=0), 'k must be'),
    (dict(dataset=NWPU, temperature=0), 'temperature'),
    (dict(dataset=NWPU, voting='soft'), 'voting'),
    (dict(dataset=NWPU, mean=[0, 0, 0]), 'both `mean` and `std`'),
])
def test_bad_arguments_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        KNNMonitorHook(**kwargs)


class RecordingVisualizer:

    def __init__(self):
        self.calls = []

    def add_scalars(self, scalars, step, file_path=None):
        self.calls.append((scalars, step))


def fake_runner(model, name, epoch=0, iteration=2):
    return SimpleNamespace(model=model, hooks=[], epoch=epoch, iter=iteration, visualizer=RecordingVisualizer(),
                           message_hub=MessageHub.get_instance(name), logger=MMLogger.get_instance(name),
                           log_processor=SimpleNamespace(by_epoch=True))


@pytest.fixture(scope='module')
def gersp_model():
    cfg = Config.fromfile(str(ROOT / 'configs/pretrain/gersp_r18_tiny.py'))
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model


def test_hook_on_gersp_normalises_restores_modes_and_logs(gersp_model):
    hook = HOOKS.build(dict(type='KNNMonitorHook', dataset=NWPU, memory_per_class=2, query_per_class=1, k=2))
    model = gersp_model.train()
    model.backbone.layer1.eval()  # a module deliberately in eval mode keeps it
    modes = {name: module.training for name, module in model.named_modules()}
    bn_stats = model.backbone.bn1.running_mean.clone()
    seen = []

    def record(module, args):
        seen.append((args[0].clone(), torch.is_grad_enabled(), module.training))

    handle = model.backbone.register_forward_pre_hook(record)
    runner = fake_runner(model, 'knn_monitor_unit')
    try:
        hook.before_train(runner)
        hook.after_train_epoch(runner)
    finally:
        handle.remove()

    assert {name: module.training for name, module in model.named_modules()} == modes
    assert torch.equal(model.backbone.bn1.running_mean, bn_stats)
    assert [(grad, training) for _, grad, training in seen] == [(False, False), (False, False)]
    # the data preprocessor's normalisation: BGR -> RGB, ImageNet mean/std of the config
    memory_images = seen[0][0]
    dataset, indices, _ = hook.memory
    raw = dataset[indices[0]]['inputs'].float()[[2, 1, 0]]
    expected = (raw - torch.tensor([123.675, 116.28, 103.53]).view(3, 1, 1)) / torch.tensor(
        [58.395, 57.12, 57.375]).view(3, 1, 1)
    assert memory_images.shape == (4, 3, 64, 64) and torch.allclose(memory_images[0], expected, atol=1e-5)
    # 2 classes: top-1 only, in percent; both on the message hub and the visualizer at step = runner.iter
    top1 = runner.message_hub.get_scalar('monitor/knn_top1').current()
    # an independent k-NN (k=2, weighted votes exp(cos / 0.07)) on the images the backbone saw
    model.backbone.eval()
    try:
        with torch.no_grad():
            feats = [F.normalize(model.backbone(images)[-1].mean(dim=(2, 3)), dim=1) for images, _, _ in seen[:2]]
    finally:
        for name, module in model.named_modules():
            module.training = modes[name]
    memory_feats, query_feats = feats
    memory_labels, query_labels = hook.memory[2], hook.query[2]
    sims, neighbours = (query_feats @ memory_feats.T).topk(2, dim=1)
    votes = torch.zeros(len(query_feats), 2).scatter_add_(1, memory_labels[neighbours], (sims / 0.07).exp())
    expected_top1 = 100.0 * (votes.argmax(dim=1) == query_labels).float().mean().item()
    assert top1 == pytest.approx(expected_top1)
    assert runner.visualizer.calls == [({'monitor/knn_top1': top1, 'iter': 2, 'epoch': 1}, 2)]


def test_iteration_interval(gersp_model):
    hook = KNNMonitorHook(dataset=NWPU, memory_per_class=1, interval=2, by_epoch=False, prefix='probe')
    runner = fake_runner(gersp_model, 'knn_monitor_iter', iteration=0)
    hook.before_train(runner)
    hook.after_train_iter(runner, batch_idx=0)
    hook.after_train_epoch(runner)
    assert runner.visualizer.calls == []
    runner.iter = 1
    hook.after_train_iter(runner, batch_idx=1)
    (scalars, step), = runner.visualizer.calls
    assert step == 2 and set(scalars) == {'probe/knn_top1', 'iter', 'epoch'}


def test_ddp_shards_gather_to_the_single_process_features(gersp_model, monkeypatch):
    """3 ranks, 5 images: each rank extracts 2 (the last repeats image 0); the gathered, interleaved
    features equal the features of one process."""
    hook = KNNMonitorHook(dataset=NWPU, memory_per_class=2, query_per_class=1, batch_size=2)
    hook.before_train(fake_runner(gersp_model, 'knn_monitor_ddp'))
    dataset, indices = hook.memory[0], [0, 1, 2, 3, 5]
    backbone = gersp_model.backbone
    backbone.eval()
    with torch.no_grad():
        single = extract_features(backbone, dataset, indices, hook.batch_size, 0, *hook.norm)
        shards = []
        monkeypatch.setattr(features, 'all_gather', lambda feats: shards.append(feats) or [feats])
        for rank in range(3):
            monkeypatch.setattr(features, 'get_dist_info', lambda rank=rank: (rank, 3))
            extract_features(backbone, dataset, indices, hook.batch_size, 0, *hook.norm)
        monkeypatch.setattr(features, 'all_gather', lambda feats: shards)
        gathered = extract_features(backbone, dataset, indices, hook.batch_size, 0, *hook.norm)
    gersp_model.train()
    assert [len(shard) for shard in shards] == [2, 2, 2]
    assert torch.allclose(shards[2][1], single[0], atol=1e-5)
    assert gathered.shape == single.shape == (5, 512) and torch.allclose(gathered, single, atol=1e-5)


def test_an_empty_query_split_is_refused(gersp_model):
    hook = KNNMonitorHook(dataset=NWPU, memory_per_class=3)
    with pytest.raises(ValueError, match='0 query images'):
        hook.before_train(fake_runner(gersp_model, 'knn_monitor_empty'))


def test_tiny_monitor_config_logs_knn_top1_through_train_py(tiny_monitor_run):
    work_dir, log = tiny_monitor_run
    assert 'KNNMonitorHook: 4 memory and 2 query images of 2 classes' in log
    assert 'k-NN monitor (epoch 2, iter 4): monitor/knn_top1: ' in log
    (scalars, ) = work_dir.glob('*/vis_data/scalars.json')
    records = [json.loads(line) for line in scalars.read_text().splitlines()]
    monitor = [record for record in records if 'monitor/knn_top1' in record]
    assert [(record['epoch'], record['iter'], record['step']) for record in monitor] == [(1, 2, 2), (2, 4, 4)]
    assert all(0 <= record['monitor/knn_top1'] <= 100 for record in monitor)
    assert not any('monitor/knn_top5' in record for record in records)  # 2 classes: no top-5
    assert sum('loss' in record for record in records) == 4


def test_monitor_reaches_tensorboard(tmp_path, monkeypatch, one_thread):
    """The TensorBoard backend, switched on by the documented ``--cfg-options`` of tools/train.py, receives the
    losses and the monitor (trained in this process: the command line itself is run by the test above)."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    monkeypatch.chdir(ROOT)  # the config's data roots are relative to the repository
    cfg = load_tool_config(MONITOR_CONFIG, {'visualizer.vis_backends.0.type': 'TensorboardVisBackend'},
                           str(tmp_path))
    CrashSafeRunner.from_cfg(cfg).train()
    (events, ) = tmp_path.glob('*/vis_data/events.out.tfevents.*')
    assert not list(tmp_path.glob('*/vis_data/scalars.json'))  # TensorBoard instead of the local backend
    accumulator = EventAccumulator(str(events.parent))
    accumulator.Reload()
    tags = accumulator.Tags()['scalars']
    assert {'loss', 'loss_contrastive', 'monitor/knn_top1'} <= set(tags)
    assert len(accumulator.Scalars('loss')) == 4
    monitor = accumulator.Scalars('monitor/knn_top1')
    assert [event.step for event in monitor] == [2, 4] and all(0 <= event.value <= 100 for event in monitor)
