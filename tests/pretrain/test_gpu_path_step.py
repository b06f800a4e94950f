# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The GPU step-efficiency options on CPU, each against the default path: the fused (foreach) EMA update,
channels-last, bf16 autocast, and mmengine's compile option."""
import copy

import pytest
import torch
from mmengine.config import Config
from mmengine.model import ExponentialMovingAverage
from mmengine.optim import build_optim_wrapper
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch import nn

import gersp_mm.pretrain  # noqa: F401
from gersp_mm.pretrain.models import ForeachExponentialMovingAverage
from tests.helpers import ROOT

FAST = ROOT / 'configs' / 'pretrain' / 'gersp_r50_gpu-fast.py'
CPU_PATH_PREPROCESSOR = dict(type='DualSourceDataPreprocessor', mean=[123.675, 116.28, 103.53],
                             std=[58.395, 57.12, 57.375], to_rgb=True)


def small_net() -> nn.Module:
    torch.manual_seed(0)  # a net on 5x5 inputs, with BN buffers (copied, not averaged)
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(36, 2))


def perturb(model: nn.Module, step: int) -> None:
    generator = torch.Generator().manual_seed(step)
    with torch.no_grad():
        for param in model.parameters():
            param.add_(torch.randn(param.shape, generator=generator))
        model[1].running_mean.add_(1.0)
        model[1].num_batches_tracked.add_(1)


@pytest.mark.parametrize('interval', [1, 2])
def test_foreach_ema_is_bitwise_mmengines_update(interval):
    source = small_net()
    per_parameter = ExponentialMovingAverage(source, momentum=0.01, interval=interval)
    fused = ForeachExponentialMovingAverage(source, momentum=0.01, interval=interval)
    for step in range(5):
        before = {name: p.clone() for name, p in fused.module.named_parameters()}
        per_parameter.update_parameters(source)
        fused.update_parameters(source)
        for (name, expected), value in zip(per_parameter.module.state_dict().items(),
                                           fused.module.state_dict().values()):
            assert torch.equal(expected, value), (step, name)
        if step >= 1 and step % interval == 0:  # the EMA formula, independently
            for name, param in fused.module.named_parameters():
                torch.testing.assert_close(param, 0.99 * before[name] + 0.01 * dict(source.named_parameters())[name],
                                           rtol=0, atol=1e-6)
        assert int(fused.steps) == int(per_parameter.steps) == step + 1
        perturb(source, step)


def test_foreach_ema_resumes_from_a_loaded_counter():
    source = small_net()
    reference = ExponentialMovingAverage(source, momentum=0.1)
    saved = ForeachExponentialMovingAverage(source, momentum=0.1)
    for step in range(2):
        reference.update_parameters(source)
        saved.update_parameters(source)
        perturb(source, step)
    resumed = ForeachExponentialMovingAverage(small_net(), momentum=0.1)
    resumed.update_parameters(source)  # a fresh counter (step 0): copies the source
    resumed.load_state_dict(saved.state_dict())  # now at step 2: must average, not copy
    reference.update_parameters(source)
    resumed.update_parameters(source)
    for expected, value in zip(reference.module.state_dict().values(), resumed.module.state_dict().values()):
        assert torch.equal(expected, value)


def build_gersp(**options) -> nn.Module:
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='GeRSP', queue_len=16, feat_dim=8, momentum=0.01,
        backbone=dict(type='ResNet', depth=18, zero_init_residual=False),
        neck=dict(type='MoCoV2Neck', hid_channels=32, with_avg_pool=False),
        head=dict(type='ContrastiveHead', loss=dict(type='CrossEntropyLoss'), temperature=0.07),
        cls_head=dict(type='LinearClsHead', num_classes=3, loss=dict(type='CrossEntropyLoss'), topk=(1, )),
        data_preprocessor=CPU_PATH_PREPROCESSOR, **options))
    model.init_weights()
    return model


def batch(seed: int, size: int = 32) -> dict:
    generator = torch.Generator().manual_seed(seed)
    return dict(inputs=[torch.randint(0, 256, (4, 3, size, size), dtype=torch.uint8, generator=generator)
                        for _ in range(3)],
                data_samples=[DataSample().set_gt_label(i % 3) for i in range(4)])


def train(model: nn.Module, steps: int, optim_wrapper: dict = None) -> list:
    wrapper = build_optim_wrapper(model, optim_wrapper or dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)))
    return [{k: v.item() for k, v in model.train_step(batch(step), wrapper).items()} for step in range(steps)]


def test_gersp_with_foreach_ema_trains_bitwise_like_the_default(one_thread):
    default, fused = build_gersp(), build_gersp(foreach_ema=True)
    assert isinstance(fused.teacher, ForeachExponentialMovingAverage)
    assert train(default, 3) == train(fused, 3)
    for (name, expected), value in zip(default.state_dict().items(), fused.state_dict().values()):
        assert torch.equal(expected, value), name


def losses_and_gradients(model: nn.Module) -> tuple:
    losses = model(**model.data_preprocessor(batch(0), True), mode='loss')
    sum(value for key, value in losses.items() if key.startswith('loss')).backward()
    return losses, {name: param.grad for name, param in model.named_parameters() if param.grad is not None}


def test_channels_last_keeps_the_results(one_thread):
    """Same weights from the same seed, same losses and gradients up to float rounding (a layout mix-up
    would change them entirely), and two training steps with the same losses."""
    default, fast = build_gersp(), build_gersp(channels_last=True)
    convs = [m.weight for m in fast.modules() if isinstance(m, nn.Conv2d)]
    assert convs and all(w.is_contiguous(memory_format=torch.channels_last) for w in convs)
    assert all(not w.is_contiguous() for w in convs if w.shape[-1] > 1)  # (1x1 kernels: both layouts coincide)
    for (name, expected), value in zip(default.state_dict().items(), fast.state_dict().values()):
        assert torch.equal(expected, value), name
    (expected_losses, expected_grads), (losses, grads) = losses_and_gradients(default), losses_and_gradients(fast)
    for key, value in expected_losses.items():
        torch.testing.assert_close(losses[key], value, rtol=1e-4, atol=1e-6, msg=key)
    assert expected_grads.keys() == grads.keys() and len(grads) > 60
    for name, grad in expected_grads.items():
        assert (grads[name] - grad).norm() <= 1e-3 * grad.norm() + 1e-8, name
    default, fast = build_gersp(), build_gersp(channels_last=True)
    for expected, result in zip(train(default, 2), train(fast, 2)):
        for key, value in expected.items():
            assert result[key] == pytest.approx(value, rel=1e-4, abs=1e-5), key


def fast_config() -> Config:
    cfg = Config.fromfile(str(FAST))
    cfg.model.update(queue_len=16, feat_dim=8, backbone=dict(depth=18), neck=dict(hid_channels=32),
                     cls_head=dict(num_classes=3, topk=(1, )), data_preprocessor=CPU_PATH_PREPROCESSOR)
    return cfg


def test_bf16_config_trains_close_to_fp32(one_thread):
    """The fast config's optimizer wrapper is AmpOptimWrapper(bfloat16); on CPU tools/train.py --amp runs it
    as CPUAutocastOptimWrapper: losses within bf16 rounding of the fp32 step, yet computed in bf16."""
    cfg = fast_config()
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper' and cfg.optim_wrapper.dtype == 'bfloat16'
    assert cfg.model.foreach_ema and cfg.model.channels_last
    fp32 = MODELS.build(cfg.model)
    fp32.init_weights()
    bf16 = copy.deepcopy(fp32)
    optim = dict(cfg.optim_wrapper, type='OptimWrapper')
    optim.pop('dtype')
    expected = train(fp32, 2, optim)
    result = train(bf16, 2, dict(optim, type='CPUAutocastOptimWrapper', dtype='bfloat16'))
    for before, after in zip(expected, result):
        for key in ('loss_contrastive', 'loss_cls'):
            assert after[key] == pytest.approx(before[key], rel=0.05), key
            assert after[key] != before[key], f'{key}: no bf16 arithmetic happened'


def test_compile_option_builds_a_runner(tmp_path):
    """mmengine's `compile` option with the GPU-path config: the Runner builds (compiling happens at train(),
    too slow for a CPU test), and the data preprocessor is excluded from compilation."""
    from mmengine.runner import Runner

    from gersp_mm.pretrain.models import DeviceAugmentDataPreprocessor
    cfg = Config.fromfile(str(ROOT / 'configs' / 'pretrain' / 'gersp_r18_tiny_gpu-aug.py'))
    cfg.merge_from_dict(dict(compile=True, work_dir=str(tmp_path), model=dict(foreach_ema=True, channels_last=True)))
    runner = Runner.from_cfg(cfg)
    assert runner.cfg.compile is True
    assert isinstance(runner.model.data_preprocessor, DeviceAugmentDataPreprocessor)
    assert getattr(DeviceAugmentDataPreprocessor.forward, '_torchdynamo_disable', False)


def test_queue_update_leaves_the_keys_of_the_step_intact(one_thread):
    """The queue write replaces the keys tensor instead of writing into the one the step's loss read: a
    compiled step (torch.compile keeps that tensor for its backward pass) failed on the in-place write."""
    model = build_gersp()
    used = model.queue.keys
    snapshot, version = used.clone(), used._version
    train(model, 1)
    assert used._version == version and torch.equal(used, snapshot)
    assert not torch.equal(model.queue.keys, snapshot) and int(model.queue.ptr) == 4
