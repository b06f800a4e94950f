# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""benchmarks/gpu_check.sh, the GPU check: its CPU mode end to end, and the comparisons it makes."""
import argparse
import copy
import json
import os
import subprocess
import sys

import pytest
import torch

from tests.helpers import ROOT

sys.path.insert(0, str(ROOT / 'benchmarks'))
import gpu_check  # noqa: E402


@pytest.mark.slow
def test_cpu_mode_runs_every_step(tmp_path):
    result = subprocess.run(['bash', 'benchmarks/gpu_check.sh', '--cpu', str(tmp_path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=900,
                            env={**os.environ, 'PYTHON': sys.executable, 'OMP_NUM_THREADS': '1'})
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-3000:]
    assert '[gpu_check] all steps passed' in result.stdout
    checks = json.loads((tmp_path / 'gpu_check.json').read_text())['checks']
    assert [name for name, check in checks.items() if check['passed']] == [
        'fp32_step', 'amp_bfloat16', 'gpu_augmentation', 'mmcv_ops', 'detector_iteration',
        'rotated_detector_iteration']
    assert len(checks['rotated_detector_iteration']['losses']) == 5  # rpn and rotated roi head, cls and box
    assert checks['amp_float16']['passed'] is None  # needs a GPU
    assert max(checks['amp_bfloat16']['losses_rel'].values()) > 0, 'no bfloat16 arithmetic happened'
    assert all(0 < value < 1 for value in checks['gpu_augmentation']['mean_abs_diff'].values())
    # the training run was killed at its first checkpoint, resumed from it, and ran to its end
    assert 'killed (SIGKILL) with iter_1 as the last checkpoint' in result.stdout
    resumed = (tmp_path / 'dist_train_resumed.log').read_text()
    assert 'resumed epoch: 0, iter: 1' in resumed and 'CPUAutocastOptimWrapper' in resumed
    assert (tmp_path / 'dist_train' / 'iter_4.pth').is_file()


@pytest.fixture(scope='module')
def tiny_gersp():
    """The tiny model and batch of the CPU mode (ResNet-18, 2 x 32 px), as gpu_check.run builds them."""
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS

    import gersp_mm.pretrain  # noqa: F401
    init_default_scope('mmpretrain')
    cfg = gpu_check.load_config(argparse.Namespace(config=gpu_check.CONFIG, tiny=True, size=32))
    torch.manual_seed(0)
    model = MODELS.build(dict(cfg.model, data_preprocessor=gpu_check.CPU_PATH_PREPROCESSOR))
    model.init_weights()
    data = dict(inputs=[torch.randint(0, 256, (2, 3, 32, 32), dtype=torch.uint8) for _ in range(3)],
                data_samples=gpu_check.labelled(2, cfg.model.cls_head.num_classes))
    return model, data, dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1, momentum=0.9))


def test_step_captures_the_gradients_the_optimizer_receives(tiny_gersp, one_thread):
    """The gradients of the step's total loss, computed independently; the step moved the teacher and the
    queue, and left the model it was given untouched."""
    model, data, optim = tiny_gersp
    before = copy.deepcopy(model.state_dict())
    step = gpu_check.Step(model, torch.device('cpu'), optim, data)
    reference = copy.deepcopy(model)
    losses = reference(**reference.data_preprocessor(copy.deepcopy(data), True), mode='loss')
    reference.parse_losses(losses)[0].backward()
    expected = {name: p.grad for name, p in reference.named_parameters() if p.grad is not None}
    assert step.gradients.keys() == expected.keys() and len(expected) > 60
    for name, grad in expected.items():
        torch.testing.assert_close(step.gradients[name], grad, rtol=1e-4, atol=1e-6, msg=name)
    assert step.losses['loss'] == pytest.approx(float(losses['loss_contrastive'] + losses['loss_cls']), rel=1e-5)
    assert int(step.model.queue.ptr) == 2 and int(model.queue.ptr) == 0
    assert not torch.equal(step.state('teacher.')['teacher.steps'], before['teacher.steps'].float())
    for key, value in model.state_dict().items():
        assert torch.equal(value, before[key]), key


def test_comparisons_flag_what_is_out_of_tolerance():
    reference = {'a': torch.ones(100), 'b': torch.full((4, ), 2.0)}
    assert gpu_check.compare_gradients(reference, reference)['all'] == 0
    off = dict(reference, b=reference['b'] * 1.02)  # 2 % off in one tensor: over its 1 % tolerance
    result = gpu_check.compare_gradients(off, reference)
    assert result['worst_tensor'] == 'b' and result['worst'] == pytest.approx(0.02, rel=1e-5)
    assert result['worst_excess'] > 1
    assert result['all'] == pytest.approx(0.02 * 4 / (100 + 16)**0.5, rel=1e-4)
    assert result['cosine'] == pytest.approx(1.0, abs=1e-4) and result['finite']
    flipped = gpu_check.compare_gradients({'a': -reference['a'], 'b': reference['b']}, reference)
    assert flipped['cosine'] == pytest.approx((16 - 100) / (100 + 16), rel=1e-5)
    assert not gpu_check.compare_gradients(dict(reference, b=torch.full((4, ), float('nan'))), reference)['finite']
    missing = gpu_check.compare_gradients({}, reference)  # e.g. no step taken: every float16 step overflowed
    assert missing['all'] == missing['worst_excess'] == float('inf') and missing['cosine'] == 0
    assert not missing['finite']
    # state: |difference| / (1e-4 + 1e-3 |reference|)
    assert gpu_check.max_abs_excess({'x': torch.tensor([10.0055])}, {'x': torch.tensor([10.0])}, 1e-4,
                                    1e-3) == pytest.approx(0.0055 / 0.0101, rel=1e-3)


def test_a_check_that_raises_fails_and_the_next_ones_run(capsys):
    report = gpu_check.Report()

    def broken(_):
        raise RuntimeError('CUDA error: no kernel image is available')

    assert report.run('fp32_step', broken, report) is None
    report.run('gpu_augmentation', lambda r: r.check('gpu_augmentation', True, 'fine'), report)
    assert report.failed == ['fp32_step']
    assert report.results['gpu_augmentation']['passed']
    assert '[FAIL] fp32_step: raised RuntimeError: CUDA error: no kernel image is available' in capsys.readouterr().out
