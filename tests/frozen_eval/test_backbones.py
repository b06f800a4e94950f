# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Backbone arguments, the content hash across layouts, and imagenet from the torch hub cache (never downloaded)."""
import pytest
import torch

from gersp_mm.frozen_eval import BackboneSpec, content_hash, load_backbone, parse_backbone
from gersp_mm.frozen_eval.backbones import torchvision_resnet50_file
from tests.frozen_eval.frozen_eval_helpers import resnet18_state


def test_parse_backbone():
    assert parse_backbone('random') == BackboneSpec('random', 'random')
    assert parse_backbone('in1k=imagenet') == BackboneSpec('in1k', 'imagenet')
    assert parse_backbone('gersp=a/b=c.pth') == BackboneSpec('gersp', 'checkpoint', 'a/b=c.pth')
    assert parse_backbone('work/epoch_100.pth') == BackboneSpec('epoch_100', 'checkpoint', 'work/epoch_100.pth')
    with pytest.raises(ValueError, match='must be letters, digits'):
        parse_backbone('dir/.pth')


def test_hash_is_the_content_not_the_layout(tmp_path):
    state = resnet18_state(seed=1)
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in state.items()}, 'meta': {}}, tmp_path / 'mm.pth')
    torch.save({k: v + 5 if k.endswith('num_batches_tracked') else v for k, v in state.items()}, tmp_path / 'tv.pth')
    (a, hash_a), (b, hash_b) = (load_backbone(parse_backbone(str(tmp_path / name))) for name in ('mm.pth', 'tv.pth'))
    assert hash_a == hash_b == content_hash(a)
    assert not a.training and not any(p.requires_grad for p in a.parameters())
    state['layer4.1.bn2.running_var'][0] += 1e-3
    torch.save(state, tmp_path / 'changed.pth')
    assert load_backbone(parse_backbone(str(tmp_path / 'changed.pth')))[1] != hash_a
    assert load_backbone(BackboneSpec('r', 'random'), depth=18, seed=1)[1] == hash_a
    assert load_backbone(BackboneSpec('r', 'random'), depth=18, seed=2)[1] != hash_a


def test_imagenet_comes_from_the_hub_cache_only(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.hub, 'get_dir', lambda: str(tmp_path))
    with pytest.raises(FileNotFoundError, match=f'not in the torch hub cache \\({tmp_path}/checkpoints/resnet50-'):
        load_backbone(BackboneSpec('in1k', 'imagenet'))
    state = resnet18_state(seed=3)  # any ResNet in that file is taken, with its own depth
    (tmp_path / 'checkpoints').mkdir()
    torch.save(state, torchvision_resnet50_file())
    backbone, _ = load_backbone(BackboneSpec('in1k', 'imagenet'))
    assert torch.equal(backbone.state_dict()['conv1.weight'], state['conv1.weight'])
