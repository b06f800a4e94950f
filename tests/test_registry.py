# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The ``gersp_mm`` registry scope: dicts tagged ``_scope_='gersp_mm'`` (from ``gersp_mm::`` bases) build
in the host library the config names with ``default_scope``."""
import time
from collections import OrderedDict

import mmdet.models  # noqa: F401
import mmpretrain.models  # noqa: F401
import mmseg.models  # noqa: F401
import pytest
from mmengine.registry import MODELS, DefaultScope

from gersp_mm.registry import SCOPE, SCOPE_REGISTRIES, enclosing_default_scope


@pytest.fixture
def default_scope():
    """``set(name)`` pushes ``name`` as the current default scope, on top of none (what earlier tests set is
    put aside, and restored after)."""
    saved = DefaultScope._instance_dict
    DefaultScope._instance_dict = OrderedDict()

    def set_scope(name):
        time.sleep(1e-6)
        DefaultScope.get_instance(f'test-{time.time()}', scope_name=name)
    yield set_scope
    DefaultScope._instance_dict = saved


@pytest.mark.parametrize('host', ['mmpretrain', 'mmdet', 'mmseg'])
def test_a_gersp_mm_scoped_dict_builds_with_the_host_of_the_default_scope(host, default_scope):
    default_scope(host)
    backbone = MODELS.build(dict(type='ResNet', depth=18, _scope_=SCOPE))  # each host has its own ResNet
    assert type(backbone).__module__.startswith(f'{host}.models.backbones')
    assert MODELS._children[SCOPE].get(f'{SCOPE}.ResNet') is type(backbone)


def test_nested_builds_inside_the_gersp_mm_scope_stay_in_the_host(default_scope):
    default_scope('mmdet')
    detector = MODELS.build(dict(
        _scope_=SCOPE, type='RetinaNet',
        backbone=dict(type='ResNet', depth=18, num_stages=4, out_indices=(3, )),
        neck=dict(type='FPN', in_channels=[512], out_channels=32, num_outs=1),
        bbox_head=dict(type='RetinaHead', num_classes=3, in_channels=32, feat_channels=32,
                       anchor_generator=dict(type='AnchorGenerator', octave_base_scale=4, scales_per_octave=1,
                                             ratios=[1.0], strides=[32]),
                       bbox_coder=dict(type='DeltaXYWHBBoxCoder'),
                       loss_cls=dict(type='FocalLoss', use_sigmoid=True), loss_bbox=dict(type='L1Loss'))))
    assert type(detector.backbone).__module__ == 'mmdet.models.backbones.resnet'
    assert DefaultScope.get_current_instance().scope_name == 'mmdet'  # restored after the build


def test_the_enclosing_scope_skips_the_temporary_gersp_mm_scope(default_scope):
    default_scope('mmseg')
    default_scope(SCOPE)
    assert enclosing_default_scope() == 'mmseg'


# mmengine 0.10.7's root registries, written out: a registry mmengine routes `_scope_='gersp_mm'` through
ROOT_REGISTRIES = ('RUNNERS', 'RUNNER_CONSTRUCTORS', 'LOOPS', 'HOOKS', 'STRATEGIES', 'DATASETS', 'DATA_SAMPLERS',
                   'TRANSFORMS', 'MODELS', 'MODEL_WRAPPERS', 'WEIGHT_INITIALIZERS', 'OPTIMIZERS', 'OPTIM_WRAPPERS',
                   'OPTIM_WRAPPER_CONSTRUCTORS', 'PARAM_SCHEDULERS', 'METRICS', 'EVALUATOR', 'TASK_UTILS',
                   'VISUALIZERS', 'VISBACKENDS', 'LOG_PROCESSORS', 'INFERENCERS', 'FUNCTIONS')


@pytest.mark.parametrize('name', ROOT_REGISTRIES)
def test_mmengine_finds_the_gersp_mm_scope_under_every_root_registry(name):
    from mmengine.registry import root
    assert getattr(root, name)._children.get(SCOPE) is SCOPE_REGISTRIES[name]


def test_a_host_hook_builds_from_a_gersp_mm_scoped_dict(default_scope):
    from mmengine.registry import HOOKS
    default_scope('mmdet')
    hook = HOOKS.build(dict(type='NumClassCheckHook', _scope_=SCOPE))
    assert type(hook).__module__.startswith('mmdet.engine.hooks')


def test_without_a_host_scope_the_warning_names_the_default_scopes_to_use(default_scope, monkeypatch):
    import gersp_mm.registry
    messages = []
    monkeypatch.setattr(gersp_mm.registry, 'print_log', lambda msg, **kwargs: messages.append(msg))
    default_scope(SCOPE)  # a user config with default_scope='gersp_mm'
    with pytest.raises(KeyError, match='GeRSP'):
        MODELS.build(dict(type='GeRSP'))
    assert any("use default_scope='mmpretrain', 'mmdet' or 'mmseg'" in message for message in messages)
