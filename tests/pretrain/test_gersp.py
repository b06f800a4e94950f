# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The GeRSP algorithm against an independent re-computation of its losses and updates."""
import copy
import math

import pytest
import torch
import torch.nn.functional as F
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch import nn

import gersp_mm.pretrain  # noqa: F401

TEMPERATURE = 0.07


def build_gersp(depth=18, **kwargs):
    cfg = dict(
        type='GeRSP', queue_len=12, feat_dim=8, momentum=0.01, alpha=0.5,
        backbone=dict(type='ResNet', depth=depth, zero_init_residual=False),
        neck=dict(type='MoCoV2Neck', hid_channels=32, with_avg_pool=False),
        head=dict(type='ContrastiveHead', loss=dict(type='CrossEntropyLoss'), temperature=TEMPERATURE),
        cls_head=dict(type='LinearClsHead', num_classes=5, loss=dict(type='CrossEntropyLoss'),
                      topk=(1, ), cal_acc=True))
    cfg.update(kwargs)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def make_batch(num=4, size=32, seed=0):
    generator = torch.Generator().manual_seed(seed)
    views = [torch.randn(num, 3, size, size, generator=generator) for _ in range(3)]
    labels = torch.randint(0, 5, (num, ), generator=generator)
    samples = [DataSample().set_gt_label(int(label)) for label in labels]
    return views, samples, labels


def mlp(neck, x):
    first, second = neck.mlp[0], neck.mlp[2]
    return F.linear(F.relu(F.linear(x, first.weight, first.bias)), second.weight, second.bias)


def pooled(backbone, x):
    return backbone(x)[-1].mean(dim=(2, 3))


def reference_losses(model, views, labels):
    """The GeRSP losses written out from the formulas of the paper, on copies of the model's weights."""
    rs_q, rs_k, natural = views
    student = copy.deepcopy(model.backbone)
    feats = pooled(student, torch.cat([rs_q, natural]))
    f_q, f_nat = feats[:len(rs_q)], feats[len(rs_q):]
    q = F.normalize(mlp(model.neck, f_q), dim=1)
    teacher = copy.deepcopy(model.teacher.module)
    m = model.teacher.momentum
    student_encoder = dict(nn.Sequential(model.backbone, model.pool, model.neck).named_parameters())
    if int(model.teacher.steps) == 0:  # first update copies the student
        new_teacher = student_encoder
    else:
        new_teacher = {name: (1 - m) * p + m * student_encoder[name] for name, p in teacher.named_parameters()}
    with torch.no_grad():
        for name, param in teacher.named_parameters():
            param.copy_(new_teacher[name])
        k = F.normalize(mlp(teacher[2], pooled(teacher[0], rs_k)), dim=1)
    queue = model.queue.keys.clone()
    logits = torch.cat([(q * k).sum(1, keepdim=True), q @ queue.t()], dim=1) / TEMPERATURE
    loss_contrastive = -F.log_softmax(logits, dim=1)[:, 0].mean()
    cls_logits = F.linear(f_nat, model.cls_head.fc.weight, model.cls_head.fc.bias)
    loss_cls = F.cross_entropy(cls_logits, labels)
    return loss_contrastive, loss_cls, k, new_teacher


def test_teacher_equals_student_after_init():
    model = build_gersp()
    student = nn.Sequential(model.backbone, model.pool, model.neck).state_dict()
    teacher = model.teacher.module.state_dict()
    assert student.keys() == teacher.keys()
    for name, value in student.items():
        assert torch.equal(value, teacher[name]), name


@pytest.mark.parametrize('steps', [0, 3])
def test_loss_matches_reference(steps):
    torch.manual_seed(0)
    model = build_gersp()
    model.train()
    if steps:  # a teacher that differs from the student, mid-training
        with torch.no_grad():
            for param in model.teacher.module.parameters():
                param.add_(torch.randn_like(param) * 0.01)
        model.teacher.steps.fill_(steps)
    views, samples, labels = make_batch()
    ref_contrastive, ref_cls, ref_keys, ref_teacher = reference_losses(model, views, labels)
    ptr = int(model.queue.ptr)
    losses = model.loss(views, samples)
    assert set(losses) == {'loss_contrastive', 'loss_cls', 'accuracy_top-1'}
    torch.testing.assert_close(losses['loss_contrastive'], ref_contrastive, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(losses['loss_cls'], 0.5 * ref_cls, rtol=1e-4, atol=1e-5)
    for name, param in model.teacher.module.named_parameters():
        torch.testing.assert_close(param, ref_teacher[name], rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(model.queue.keys[ptr:ptr + 4], ref_keys, rtol=1e-4, atol=1e-5)


def test_gradients_reach_student_projector_classifier_but_not_teacher():
    model = build_gersp()
    model.train()
    views, samples, _ = make_batch()
    losses = model.loss(views, samples)
    (losses['loss_contrastive'] + losses['loss_cls']).backward()
    for name in ('backbone', 'neck', 'cls_head'):
        grads = [p.grad for p in getattr(model, name).parameters()]
        assert all(g is not None for g in grads), name
        assert sum(g.abs().sum() for g in grads) > 0, name
    for param in model.teacher.parameters():
        assert not param.requires_grad and param.grad is None


def test_frozen_teacher_projector_option():
    model = build_gersp(ema_projector=False)
    model.train()
    before = copy.deepcopy(model.teacher_projector.state_dict())
    for seed in range(2):
        views, samples, _ = make_batch(seed=seed)
        losses = model.loss(views, samples)
        (losses['loss_contrastive'] + losses['loss_cls']).backward()
        with torch.no_grad():
            for param in model.parameters():
                if param.grad is not None:
                    param.sub_(0.1 * param.grad)
                    param.grad = None
    for name, value in model.teacher_projector.state_dict().items():
        assert torch.equal(value, before[name]), name
    assert not torch.equal(model.neck.mlp[0].weight, before['mlp.0.weight'])


def test_separate_forward_keeps_domains_apart():
    """'joint' mixes the natural batch into the RS queries' BN statistics; 'separate' does not."""
    views, samples, _ = make_batch()
    other_views = [views[0], views[1], torch.randn_like(views[2])]
    unchanged = {}
    for mode in ('joint', 'separate'):
        torch.manual_seed(0)
        model = build_gersp(student_forward=mode)
        model.train()
        twin = copy.deepcopy(model)
        loss = model.loss(views, samples)['loss_contrastive']
        other_loss = twin.loss(other_views, samples)['loss_contrastive']
        unchanged[mode] = torch.allclose(loss, other_loss)
    assert unchanged == {'joint': False, 'separate': True}


def test_bn_groups_forward_each_group_with_its_own_statistics():
    torch.manual_seed(0)
    model = build_gersp(bn_groups=2)
    model.train()
    views, _, _ = make_batch(num=4)
    rs, natural = views[0], views[2]
    grouped_rs, grouped_nat = model._forward_in_groups(model._pooled, [rs, natural])
    expected = [model._pooled(torch.cat([rs[i:i + 2], natural[i:i + 2]])) for i in (0, 2)]
    torch.testing.assert_close(grouped_rs, torch.cat([e[:2] for e in expected]))
    torch.testing.assert_close(grouped_nat, torch.cat([e[2:] for e in expected]))
    with pytest.raises(ValueError, match='bn_groups=8 is larger'):
        build_gersp(bn_groups=8).loss(*make_batch(num=4)[:2])


def test_split_bn_teacher_keys_are_unshuffled():
    """The shuffled, grouped key forward returns each key at its own sample's position."""
    torch.manual_seed(0)
    model = build_gersp(bn_groups=2)
    model.train()
    images = torch.randn(4, 3, 32, 32)
    keys = model._teacher_keys(images)
    generator = torch.Generator().manual_seed(int(model.teacher.steps))
    shuffle = torch.randperm(4, generator=generator)
    encoder = model.teacher.module
    shuffled = images[shuffle]
    expected = torch.cat([F.normalize(encoder(shuffled[i:i + 2])[0], dim=1) for i in (0, 2)])
    torch.testing.assert_close(keys[shuffle], expected)


@pytest.mark.parametrize('depth,dim', [(18, 512), (50, 2048), (101, 2048)])
def test_dimensions_come_from_the_backbone(depth, dim):
    model = MODELS.build(dict(
        type='GeRSP', queue_len=16, feat_dim=64,
        backbone=dict(type='ResNet', depth=depth),
        neck=dict(type='MoCoV2Neck', with_avg_pool=False),
        head=dict(type='ContrastiveHead', loss=dict(type='CrossEntropyLoss'), temperature=0.07),
        cls_head=dict(type='LinearClsHead', num_classes=10, loss=dict(type='CrossEntropyLoss'))))
    assert model.neck.mlp[0].in_features == dim and model.neck.mlp[2].out_features == 64
    assert model.teacher.module[2].mlp[0].in_features == dim
    assert model.cls_head.fc.in_features == dim
    assert model.queue.keys.shape == (16, 64)


def test_contrastive_only_model_is_moco():
    model = build_gersp(cls_head=None)
    model.train()
    views, samples, _ = make_batch()
    losses = model.loss(views[:2], samples)
    assert set(losses) == {'loss_contrastive'}
    with pytest.raises(ValueError, match='expects 2 input views'):
        model.loss(views, samples)


def test_label_outside_classifier_range_names_the_image():
    model = build_gersp()
    views, samples, _ = make_batch()
    samples[1] = DataSample(metainfo=dict(img_path='natural/bad.JPEG')).set_gt_label(7)
    with pytest.raises(ValueError, match=r'Label 7 of natural/bad\.JPEG is outside .*\[0, 5\)'):
        model.loss(views, samples)
    assert int(model.teacher.steps) == 0 and int(model.queue.ptr) == 0  # refused before any update


def test_queue_is_saved_and_restored_with_the_state_dict():
    model = build_gersp()
    model.train()
    views, samples, _ = make_batch()
    model.loss(views, samples)
    state = model.state_dict()
    assert {'queue.keys', 'queue.ptr', 'teacher.steps'} <= set(state)
    restored = build_gersp()
    restored.load_state_dict(state)
    assert torch.equal(restored.queue.keys, model.queue.keys) and int(restored.queue.ptr) == 4


def test_contrastive_loss_rises_to_chance_as_real_keys_fill_the_queue():
    """docs/pretraining.md: the queue starts as random unit vectors (easy negatives); the untrained teacher's
    keys that replace them are close to every query, so without any update the loss climbs to ln(K + 1), the
    loss of telling the positive from K negatives by chance, once K / batch iterations have filled the queue.
    (Here the two views are independent noise, so the positive is no closer than a negative.)"""
    queue_len, batch = 16, 4
    torch.manual_seed(0)
    model = build_gersp(cls_head=None, queue_len=queue_len, feat_dim=128,  # the demo's temperature
                        head=dict(type='ContrastiveHead', loss=dict(type='CrossEntropyLoss'), temperature=0.2))
    model.train()
    with torch.no_grad():
        losses = [float(model.loss(make_batch(num=batch, seed=step)[0][:2], [])['loss_contrastive'])
                  for step in range(queue_len // batch + 1)]
    chance = math.log(queue_len + 1)
    assert losses[0] < chance - 1, (losses, chance)
    assert abs(losses[-1] - chance) < 0.5, (losses, chance)  # the queue holds only real keys
