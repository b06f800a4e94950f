# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""tools/model_converters/extract_backbone.py on every supported source layout."""
import subprocess
import sys

import pytest
import torch
import torchvision
from mmpretrain.registry import MODELS

import gersp_mm.pretrain  # noqa: F401
from gersp_mm.export import extract_backbone as export_cli
from tests.helpers import ROOT, random_resnet50_state_dict, run_main

TOOL = 'tools/model_converters/extract_backbone.py'


@pytest.fixture(scope='module')
def resnet50():
    """Reference backbone weights: a torchvision ResNet-50 with random (distinct) values."""
    return random_resnet50_state_dict()


def prefixed(state, prefix, drop_fc=True):
    return {prefix + k: v for k, v in state.items() if not (drop_fc and k.startswith('fc.'))}


def released_gersp_checkpoint(backbone, teacher):
    """The key layout of the authors' released GeRSP checkpoints (mmselfsup 0.x ``MoCoGeRSP``): the student
    ResNet is ``encoder_q`` itself (also listed as ``backbone``, the same module), the teacher ``encoder_k``,
    the projectors ``proj_q``/``proj_k`` (Linear-ReLU-Linear), the natural-image classifier ``pred_q.0``
    (Linear(2048, 1000), here ``backbone``'s torchvision ``fc`` so that its export can be checked), and the
    queue of 128-d keys with its pointer. Projector and queue sizes are shrunk (their values are not exported)."""
    projector = {'0.weight': torch.randn(8, 2048), '0.bias': torch.randn(8), '2.weight': torch.randn(4, 8),
                 '2.bias': torch.randn(4)}
    return dict(state_dict={
        **prefixed(backbone, 'encoder_q.'), **prefixed(teacher, 'encoder_k.'),
        **prefixed(projector, 'proj_q.', drop_fc=False),
        **prefixed({k: torch.zeros_like(v) for k, v in projector.items()}, 'proj_k.', drop_fc=False),
        'pred_q.0.weight': backbone['fc.weight'], 'pred_q.0.bias': backbone['fc.bias'],
        'queue': torch.randn(4, 16), 'queue_ptr': torch.zeros(1, dtype=torch.long),
        **prefixed(backbone, 'backbone.')})


def source_layouts(backbone):
    """Checkpoints in each layout, all holding ``backbone`` as the student ResNet-50."""
    other = {k: torch.zeros_like(v) for k, v in backbone.items()}  # a teacher that must NOT be picked
    queue = torch.randn(128, 16)
    return {
        'gersp_mm': dict(meta=dict(epoch=1), state_dict={
            **prefixed(backbone, 'backbone.'), **prefixed(other, 'teacher.module.0.'),
            'cls_head.fc.weight': backbone['fc.weight'], 'cls_head.fc.bias': backbone['fc.bias'],
            'queue.keys': queue, 'queue.ptr': torch.tensor(3)}),
        'gersp_released': released_gersp_checkpoint(backbone, other),
        'mmselfsup0_moco': dict(state_dict={
            **prefixed(backbone, 'backbone.'), **prefixed(backbone, 'encoder_q.0.'),
            **prefixed(other, 'encoder_k.0.'), 'encoder_q.1.mlp.0.weight': torch.randn(4, 4), 'queue': queue,
            'queue_ptr': torch.zeros(1, dtype=torch.long)}),
        'mmpretrain_moco': dict(state_dict={
            **prefixed(backbone, 'backbone.'), **prefixed(other, 'encoder_k.module.0.'),
            'neck.mlp.0.weight': torch.randn(4, 4), 'queue': queue, 'queue_ptr': torch.tensor([0])}),
        'moco_official': dict(arch='resnet50', state_dict={
            **prefixed(backbone, 'module.encoder_q.'), **prefixed(other, 'module.encoder_k.'),
            'module.queue': queue}),
        'torchvision': dict(backbone),
        'torchvision_ddp': prefixed(backbone, 'module.', drop_fc=False),
    }


def run(*args):
    """The tool's main() in this process (fast); returns what a subprocess run would."""
    return run_main(export_cli.main, *args)


def test_command_line(tmp_path, resnet50):
    torch.save(dict(resnet50), tmp_path / 'tv.pth')
    result = subprocess.run([sys.executable, TOOL, tmp_path / 'tv.pth', tmp_path / 'mm.pth'], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0 and 'recognised layout: torchvision' in result.stdout, result.stderr
    # (--help of every tool: tests/test_docs.py; --layout: test_round_trip_for_each_layout)


@pytest.mark.parametrize('layout', ['gersp_mm', 'gersp_released', 'mmselfsup0_moco', 'mmpretrain_moco',
                                    'moco_official', 'torchvision', 'torchvision_ddp'])
def test_round_trip_for_each_layout(resnet50, tmp_path, layout):
    src = tmp_path / 'src.pth'
    torch.save(source_layouts(resnet50)[layout], src)
    result = run(src, tmp_path / 'mm.pth')
    assert result.returncode == 0, result.stderr
    assert f'recognised layout: {layout}; ResNet-50; wrote 318 tensors (mm layout)' in result.stdout
    mm = torch.load(tmp_path / 'mm.pth', weights_only=True)
    assert mm['meta']['source_layout'] == layout
    expected = {k: v for k, v in resnet50.items() if not k.startswith('fc.')}
    assert mm['state_dict'].keys() == {f'backbone.{k}' for k in expected}
    for key, value in expected.items():
        assert torch.equal(mm['state_dict'][f'backbone.{key}'], value), key

    result = run(src, tmp_path / 'tv.pth', '--layout', 'torchvision')
    assert result.returncode == 0, result.stderr
    model = torchvision.models.resnet50()
    model.load_state_dict(torch.load(tmp_path / 'tv.pth', weights_only=True), strict=True)
    for key, value in model.state_dict().items():
        if key.startswith('fc.'):
            has_classifier = layout in ('gersp_mm', 'gersp_released', 'torchvision', 'torchvision_ddp')
            assert torch.equal(value, resnet50[key] if has_classifier else torch.zeros_like(value)), key
        else:
            assert torch.equal(value, resnet50[key]), key


def test_export_of_a_real_gersp_model_loads_into_mm_resnet(tmp_path):
    """A GeRSP ResNet-18 state dict -> mm layout -> mmpretrain ResNet via init_cfg Pretrained + prefix."""
    model = MODELS.build(dict(
        type='GeRSP', queue_len=8, feat_dim=8, backbone=dict(type='ResNet', depth=18),
        neck=dict(type='MoCoV2Neck', hid_channels=16, with_avg_pool=False),
        head=dict(type='ContrastiveHead', loss=dict(type='CrossEntropyLoss'), temperature=0.07)))
    model.init_weights()
    torch.save(dict(meta={}, state_dict=model.state_dict()), tmp_path / 'gersp.pth')
    result = run(tmp_path / 'gersp.pth', tmp_path / 'r18.pth')
    assert result.returncode == 0 and 'ResNet-18' in result.stdout, result.stderr
    backbone = MODELS.build(dict(type='ResNet', depth=18, init_cfg=dict(
        type='Pretrained', checkpoint=str(tmp_path / 'r18.pth'), prefix='backbone.')))
    backbone.init_weights()
    for key, value in backbone.state_dict().items():
        assert torch.equal(value, model.backbone.state_dict()[key]), key


def test_bad_checkpoints_are_clear_errors(resnet50, tmp_path):
    torch.save({'state_dict': {'encoder.weight': torch.ones(2)}}, tmp_path / 'vit.pth')
    result = run(tmp_path / 'vit.pth', tmp_path / 'out.pth')
    assert result.returncode == 1 and 'no ResNet backbone found' in result.stderr
    incomplete = prefixed(resnet50, 'backbone.')
    del incomplete['backbone.layer3.2.bn2.running_var']
    torch.save({'state_dict': incomplete}, tmp_path / 'cut.pth')
    result = run(tmp_path / 'cut.pth', tmp_path / 'out.pth')
    assert result.returncode == 1
    assert 'incomplete ResNet-50' in result.stderr and 'missing: layer3.2.bn2.running_var' in result.stderr
    truncated = {k: v for k, v in prefixed(resnet50, 'backbone.').items() if not k.startswith('backbone.layer4')}
    torch.save({'state_dict': truncated}, tmp_path / 'three_stages.pth')
    result = run(tmp_path / 'three_stages.pth', tmp_path / 'out.pth')
    assert result.returncode == 1 and 'no standard ResNet' in result.stderr
    assert not (tmp_path / 'out.pth').exists()
    result = run(tmp_path / 'absent.pth', tmp_path / 'out.pth')
    assert result.returncode == 1 and 'absent.pth not found' in result.stderr


def test_untrusted_objects_need_the_explicit_flag(resnet50, tmp_path):
    """A pickled object (like an old mmcv Config in meta) is refused unless --unsafe-load is given."""
    torch.save({'meta': {'config': torch.nn.Identity()}, 'state_dict': prefixed(resnet50, 'backbone.')},
               tmp_path / 'old.pth')
    refused = run(tmp_path / 'old.pth', tmp_path / 'out.pth')
    assert refused.returncode == 1 and '--unsafe-load' in refused.stderr
    accepted = run(tmp_path / 'old.pth', tmp_path / 'out.pth', '--unsafe-load')
    assert accepted.returncode == 0 and 'recognised layout: mm_model' in accepted.stdout
