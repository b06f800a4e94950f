# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Correctness of GeRSP on a GPU against the CPU, the Python part of ``benchmarks/gpu_check.sh``.

Checks, each printed as one ``[ok]``/``[FAIL]`` line with what it measured and its tolerance:

- ``fp32_step``: one ``train_step`` of the model of ``--config`` (default: the GPU config,
  ``gersp_r50_gpu-fast.py``: channels-last, fused EMA) in float32 on ``--device`` (TF32 off) against the same
  step on the CPU, from the same weights and batch: the losses (relative 1e-3), the gradients handed to the
  optimizer (all together: relative 1e-3 of their norm; each tensor: 1e-2 of its norm + 1e-6), the student
  after the SGD step, the teacher (absolute 1e-4 + relative 1e-3) and the queue (keys absolute 1e-3, pointer
  equal);
- ``amp_float16`` / ``amp_bfloat16``: the same step under mmengine's ``AmpOptimWrapper`` (float16 with its
  dynamic loss scaler; on the CPU float16 is not run, bfloat16 uses ``CPUAutocastOptimWrapper``): finite
  losses and gradients, each loss within 5 % + 0.1 of the float32 step's on the same device, and the
  gradients (all together) at a cosine similarity of at least 0.98 to its (bfloat16 keeps 8 significant
  bits: the contrastive logits, divided by the temperature 0.07, carry errors of a few hundredths). A float16
  step the scaler skips (overflow) is retried from the same weights at its reduced scale, as training would
  go on;
- ``gpu_augmentation``: the GPU data path's views (nvjpeg decoding + device augmentation) against the CPU
  reference views (Pillow + ``apply_view_params``) for the same parameters, on the real DIOR JPEG as
  shipped (progressive) and the same image re-encoded as a baseline JPEG: mean absolute difference below
  1 grey level per view, the tolerance of the CPU-side tests of this path;
- ``mmcv_ops`` (``--checks mmcv_ops``, with mmcv's compiled ops installed): ``nms`` and ``roi_align`` of mmcv on
  the device against mmcv's CPU kernels (indices equal, features within 1e-4), then one Faster R-CNN
  (``configs/det``, ResNet-50 FPN, random weights) training iteration and one prediction on the device:
  finite losses and detections; with mmrotate installed, the same for Oriented R-CNN (``configs/det``, le90,
  ResNet-50 FPN: rotated RoIAlign and rotated NMS) on rotated boxes (``rotated_detector_iteration``).

Writes the numbers as JSON (``--out``) and exits with status 1 when a check fails. ``--device cpu --tiny``
(ResNet-18, 2 x 32 px) is the CPU mode the tests run: the device and the reference are then both the CPU.
"""
import argparse
import copy
import json
import math
import os
import os.path as osp
import sys
import tempfile
import traceback
from typing import Callable, Dict, List, Optional

import numpy as np
import torch
from benchmark_data import DIOR_IMAGE, ROOT, save_dior_jpeg
from gpu_throughput import CPU_PATH_PREPROCESSOR, gpu_path_agreement, labelled, load_config

CONFIG = osp.join(ROOT, 'configs', 'pretrain', 'gersp_r50_gpu-fast.py')
DETECTOR = osp.join(ROOT, 'configs', 'det', 'faster-rcnn_r50-gersp_fpn_2x_dior.py')
ROTATED_DETECTOR = osp.join(ROOT, 'configs', 'det', 'oriented-rcnn-le90_r50-gersp_fpn_1x_dior-r.py')
#: the tolerances stated in the module docstring
LOSS_RTOL, GRAD_RTOL_ALL, GRAD_RTOL_EACH, GRAD_ATOL_EACH = 1e-3, 1e-3, 1e-2, 1e-6
STATE_ATOL, STATE_RTOL, QUEUE_ATOL = 1e-4, 1e-3, 1e-3
AMP_LOSS_RTOL, AMP_LOSS_ATOL, AMP_GRAD_COSINE = 0.05, 0.1, 0.98
VIEW_MEAN_ABS_DIFF = 1.0


class Step:
    """One ``train_step`` of a copy of a model on a device, with the gradients the optimizer received.

    Args:
        model (nn.Module): the model (copied, then moved to ``device``).
        device (torch.device): where to run.
        optim_wrapper (dict): the optimizer wrapper config.
        data (dict): the batch (``inputs`` on the CPU, copied to ``device``).
        attempts (int): how often a step the loss scaler skipped is retried from the same weights.
    """

    def __init__(self, model, device: torch.device, optim_wrapper: dict, data: dict, attempts: int = 4) -> None:
        from mmengine.optim import build_optim_wrapper
        initial = copy.deepcopy(model.state_dict())
        self.model = copy.deepcopy(model).to(device)
        wrapper = build_optim_wrapper(self.model, copy.deepcopy(optim_wrapper))
        self.gradients: Dict[str, torch.Tensor] = {}
        optimizer_step = wrapper.optimizer.step

        def capturing_step(*args, **kwargs):  # called after unscaling, only for a step that is taken
            self.gradients = {name: param.grad.detach().float().cpu().clone()
                              for name, param in self.model.named_parameters() if param.grad is not None}
            return optimizer_step(*args, **kwargs)

        wrapper.optimizer.step = capturing_step
        batch = dict(inputs=[images.to(device) for images in data['inputs']], data_samples=data['data_samples'])
        self.skipped = 0
        while True:
            losses = self.model.train_step(batch, wrapper)
            self.losses = {key: float(value.detach()) for key, value in losses.items()}
            if self.gradients or self.skipped + 1 >= attempts:
                break
            self.skipped += 1
            self.model.load_state_dict(initial)
        scaler = getattr(wrapper, 'loss_scaler', None)
        self.loss_scale = float(scaler.get_scale()) if scaler is not None else None

    def state(self, prefix: str) -> Dict[str, torch.Tensor]:
        """The model's state entries under ``prefix``, as float CPU tensors."""
        return {key: value.detach().float().cpu() for key, value in self.model.state_dict().items()
                if key.startswith(prefix)}


def relative(difference: float, reference: float) -> float:
    return difference / reference if reference > 0 else (0.0 if difference == 0 else math.inf)


def compare_gradients(result: Dict[str, torch.Tensor], reference: Dict[str, torch.Tensor]) -> dict:
    """Relative difference of all gradients together and of the worst tensor."""
    if result.keys() != reference.keys() or not reference:
        return dict(all=math.inf, cosine=0.0, worst=math.inf, worst_tensor='different parameter sets (or none)',
                    worst_excess=math.inf, finite=False)
    total_diff = math.sqrt(sum(float((result[k] - reference[k]).norm())**2 for k in reference))
    total = math.sqrt(sum(float(reference[k].norm())**2 for k in reference))
    norm = math.sqrt(sum(float(result[k].norm())**2 for k in reference))
    dot = sum(float((result[k].double() * reference[k].double()).sum()) for k in reference)
    excess = {k: float((result[k] - reference[k]).norm()) / (GRAD_RTOL_EACH * float(reference[k].norm())
                                                             + GRAD_ATOL_EACH) for k in reference}
    worst = max(excess, key=excess.get)
    worst_relative = float((result[worst] - reference[worst]).norm()) / max(float(reference[worst].norm()), 1e-30)
    return dict(all=relative(total_diff, total), cosine=dot / max(norm * total, 1e-30), worst=worst_relative,
                worst_tensor=worst, worst_excess=excess[worst],
                finite=all(bool(torch.isfinite(g).all()) for g in result.values()))


def max_abs_excess(result: Dict[str, torch.Tensor], reference: Dict[str, torch.Tensor], atol: float,
                   rtol: float) -> float:
    """max over entries of |result - reference| / (atol + rtol |reference|): <= 1 is within tolerance."""
    return max(float(((result[k] - reference[k]).abs() / (atol + rtol * reference[k].abs())).max())
               for k in reference)


class Report:
    """The checks' results: ``[ok]``/``[FAIL]`` lines as they come, and the numbers for the JSON report."""

    def __init__(self) -> None:
        self.results: Dict[str, dict] = {}

    def check(self, name: str, passed: bool, summary: str, **numbers) -> None:
        self.results[name] = dict(passed=bool(passed), summary=summary, **numbers)
        print(f"[{'ok' if passed else 'FAIL'}] {name}: {summary}", flush=True)

    def note(self, name: str, summary: str) -> None:
        self.results[name] = dict(passed=None, summary=summary)
        print(f'[--] {name}: {summary}', flush=True)

    def run(self, name: str, check: Callable, *args):
        """``check(*args)``; an exception it raises is the failure of the check ``name`` (its message and
        traceback printed), so that the next checks still run on a device lent for a few minutes."""
        try:
            return check(*args)
        except Exception as err:  # noqa: BLE001 - reported as a failed check, then the exit status says it
            traceback.print_exc()
            self.check(name, False, f'raised {type(err).__name__}: {err}')
            return None

    @property
    def failed(self) -> List[str]:
        return [name for name, result in self.results.items() if result['passed'] is False]


def check_fp32_step(report: Report, model, device: torch.device, data: dict, optim: dict) -> Step:
    cpu, dev = Step(model, torch.device('cpu'), optim, data), Step(model, device, optim, data)
    losses = {key: relative(abs(dev.losses[key] - value), abs(value)) for key, value in cpu.losses.items()
              if key.startswith('loss')}
    grads = compare_gradients(dev.gradients, cpu.gradients)
    student = max_abs_excess(dev.state('backbone.'), cpu.state('backbone.'), STATE_ATOL, STATE_RTOL)
    teacher = max_abs_excess(dev.state('teacher.'), cpu.state('teacher.'), STATE_ATOL, STATE_RTOL)
    keys = float((dev.state('queue.keys')['queue.keys'] - cpu.state('queue.keys')['queue.keys']).abs().max())
    pointer_equal = int(dev.model.queue.ptr) == int(cpu.model.queue.ptr) > 0
    passed = (max(losses.values()) <= LOSS_RTOL and grads['all'] <= GRAD_RTOL_ALL and grads['worst_excess'] <= 1
              and student <= 1 and teacher <= 1 and keys <= QUEUE_ATOL and pointer_equal)
    report.check('fp32_step', passed,
                 f"losses rel {max(losses.values()):.1e} (<= {LOSS_RTOL}), gradients rel {grads['all']:.1e} "
                 f"(<= {GRAD_RTOL_ALL}), worst tensor {grads['worst_tensor']} rel {grads['worst']:.1e} "
                 f"(<= {GRAD_RTOL_EACH} + atol), student/teacher excess {student:.2f}/{teacher:.2f} (<= 1), "
                 f'queue keys max abs {keys:.1e} (<= {QUEUE_ATOL}), pointer equal: {pointer_equal}',
                 losses_rel=losses, gradients=grads, student_excess=student, teacher_excess=teacher,
                 queue_keys_max_abs=keys, cpu_losses=cpu.losses, device_losses=dev.losses)
    return dev


def check_amp(report: Report, model, device: torch.device, data: dict, optim: dict, fp32: Step,
              dtype: str) -> None:
    name = f'amp_{dtype}'
    if device.type == 'cuda':
        wrapper = dict(optim, type='AmpOptimWrapper', dtype=dtype, loss_scale='dynamic')
    elif dtype == 'bfloat16':
        wrapper = dict(optim, type='CPUAutocastOptimWrapper', dtype=dtype)
    else:
        report.note(name, "not run on the CPU: mmengine's AmpOptimWrapper needs a GPU")
        return
    amp = Step(model, device, wrapper, data)
    finite = all(math.isfinite(v) for v in amp.losses.values())
    losses = {key: abs(amp.losses[key] - value) / (AMP_LOSS_RTOL * abs(value) + AMP_LOSS_ATOL)
              for key, value in fp32.losses.items() if key.startswith('loss')}
    grads = compare_gradients(amp.gradients, fp32.gradients)
    passed = finite and grads['finite'] and max(losses.values()) <= 1 and grads['cosine'] >= AMP_GRAD_COSINE
    report.check(name, passed,
                 f"finite: {finite and grads['finite']}, losses' excess {max(losses.values()):.2f} (<= 1: within "
                 f"{AMP_LOSS_RTOL} rel + {AMP_LOSS_ATOL}), gradients' cosine {grads['cosine']:.4f} "
                 f"(>= {AMP_GRAD_COSINE}; rel {grads['all']:.1e}) to float32; loss scale {amp.loss_scale}, "
                 f'steps skipped by the scaler {amp.skipped}',
                 losses_rel=losses, gradients=grads, losses=amp.losses, loss_scale=amp.loss_scale,
                 skipped=amp.skipped)


def check_gpu_augmentation(report: Report, cfg, device: torch.device) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        baseline = osp.join(tmp, 'baseline.jpg')
        save_dior_jpeg(baseline, 800)  # the same pixels, re-encoded as a baseline JPEG (q=90)
        differences = {'DIOR 00001.jpg as shipped (progressive)': gpu_path_agreement(cfg, device, DIOR_IMAGE),
                       'DIOR 00001.jpg re-encoded (baseline, q=90)': gpu_path_agreement(cfg, device, baseline)}
    passed = all(value < VIEW_MEAN_ABS_DIFF for value in differences.values())
    report.check('gpu_augmentation', passed,
                 ', '.join(f'{key}: {value:.2f}' for key, value in differences.items())
                 + f' grey levels mean |difference| (< {VIEW_MEAN_ABS_DIFF})', mean_abs_diff=differences)


def check_mmcv_ops(report: Report, device: torch.device, size: int) -> None:
    from mmcv.ops import nms, roi_align
    generator = torch.Generator().manual_seed(0)
    corners = torch.rand(200, 2, generator=generator) * 400
    boxes = torch.cat([corners, corners + 8 + torch.rand(200, 2, generator=generator) * 80], dim=1)
    scores = torch.rand(200, generator=generator)
    _, keep_cpu = nms(boxes, scores, 0.5)
    _, keep_dev = nms(boxes.to(device), scores.to(device), 0.5)
    features = torch.randn(2, 8, 64, 64, generator=generator)
    rois = torch.cat([torch.randint(0, 2, (50, 1), generator=generator).float(), boxes[:50] / 8], dim=1)
    pooled_cpu = roi_align(features, rois, (7, 7), 1.0, 2, 'avg', True)
    pooled_dev = roi_align(features.to(device), rois.to(device), (7, 7), 1.0, 2, 'avg', True).cpu()
    ops_diff = float((pooled_dev - pooled_cpu).abs().max())
    nms_equal = torch.equal(keep_cpu, keep_dev.cpu())
    report.check('mmcv_ops', nms_equal and ops_diff <= 1e-4,
                 f'nms keeps the same {len(keep_cpu)} boxes: {nms_equal}; roi_align max abs diff {ops_diff:.1e} '
                 '(<= 1e-4)', nms_kept=len(keep_cpu), roi_align_max_abs_diff=ops_diff)
    report.run('detector_iteration', check_detector_iteration, report, 'detector_iteration', 'Faster R-CNN',
               DETECTOR, 'mmdet', device, size)
    try:
        import mmrotate  # noqa: F401
    except ImportError:
        report.note('rotated_detector_iteration', 'mmrotate is not installed: not checked')
        return
    report.run('rotated_detector_iteration', check_detector_iteration, report, 'rotated_detector_iteration',
               'Oriented R-CNN', ROTATED_DETECTOR, 'mmrotate', device, size)


def check_detector_iteration(report: Report, name: str, title: str, config: str, scope: str,
                             device: torch.device, size: int) -> None:
    losses, detections = detector_iteration(device, size, config, scope)
    finite = all(math.isfinite(value) for value in losses.values()) and bool(torch.isfinite(detections).all())
    report.check(name, finite,
                 f"{title} train iteration, losses {', '.join(f'{k} {v:.3f}' for k, v in losses.items())}; "
                 f'prediction: {len(detections)} boxes, all finite: {finite}', losses=losses)


def _gt_boxes(scope: str, size: int, generator: torch.Generator):
    """Four ground-truth boxes in a ``size`` px image: horizontal ``(x1, y1, x2, y2)`` for mmdet, rotated
    ``(cx, cy, w, h, angle)`` (le90: radians in [-pi/2, pi/2)) as ``RotatedBoxes`` for mmrotate."""
    corners = torch.rand(4, 2, generator=generator) * size * 0.6
    if scope == 'mmdet':
        return torch.cat([corners, corners + size * 0.3], dim=1)
    from mmrotate.structures.bbox import RotatedBoxes
    sides = size * (0.1 + 0.2 * torch.rand(4, 2, generator=generator))
    angles = (torch.rand(4, 1, generator=generator) - 0.5) * math.pi
    return RotatedBoxes(torch.cat([corners + size * 0.2, sides, angles], dim=1))


def detector_iteration(device: torch.device, size: int, config: str = DETECTOR, scope: str = 'mmdet') -> tuple:
    """One training iteration and one prediction of a detector of configs/det (random weights) on ``device``.

    Args:
        device (torch.device): Where to run it.
        size (int): The side of the two random images (px).
        config (str): The detector's config: Faster R-CNN (mmdet) or Oriented R-CNN (mmrotate).
        scope (str): Its host, ``'mmdet'`` or ``'mmrotate'``.

    Returns:
        tuple: ``({loss name: value}, (N, 4 or 5) predicted boxes of both images)``.
    """
    from mmdet.structures import DetDataSample
    from mmengine.config import Config
    from mmengine.optim import OptimWrapper
    from mmengine.registry import MODELS, init_default_scope
    from mmengine.structures import InstanceData
    init_default_scope(scope)
    cfg = Config.fromfile(config, import_custom_modules=False)  # the model is the host's alone
    cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model).to(device)  # PyTorch's default initialisation (no init log)
    generator = torch.Generator().manual_seed(0)
    samples = []
    for _ in range(2):
        instances = InstanceData(bboxes=_gt_boxes(scope, size, generator),
                                 labels=torch.randint(0, cfg.model.roi_head.bbox_head.num_classes, (4, ),
                                                      generator=generator))
        sample = DetDataSample(metainfo=dict(img_shape=(size, size), ori_shape=(size, size),
                                             scale_factor=(1.0, 1.0), pad_shape=(size, size)))
        sample.gt_instances = instances
        samples.append(sample)
    data = dict(inputs=[torch.randint(0, 256, (3, size, size), dtype=torch.uint8, generator=generator)
                        for _ in range(2)], data_samples=samples)
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9))
    model.train()
    losses = {key: float(value.detach()) for key, value in model.train_step(data, wrapper).items()
              if key.startswith('loss')}
    model.eval()
    with torch.no_grad():
        predictions = model.test_step(data)
    boxes = [p.pred_instances.bboxes for p in predictions]
    return losses, torch.cat([getattr(b, 'tensor', b).cpu() for b in boxes])


def run(args) -> Report:
    device = torch.device(args.device)
    torch.backends.cuda.matmul.allow_tf32 = False  # float32 really in float32, to compare with the CPU
    torch.backends.cudnn.allow_tf32 = False
    from mmengine.logging import MMLogger
    from mmengine.registry import init_default_scope

    import gersp_mm.pretrain  # noqa: F401
    MMLogger.get_current_instance().setLevel('WARNING')  # no weight-initialisation log
    init_default_scope('mmpretrain')
    cfg = load_config(args)
    torch.manual_seed(0)
    from mmpretrain.registry import MODELS
    model = MODELS.build(dict(cfg.model, data_preprocessor=CPU_PATH_PREPROCESSOR))
    model.init_weights()
    generator = torch.Generator().manual_seed(0)
    data = dict(inputs=[torch.randint(0, 256, (args.batch_size, 3, args.size, args.size), dtype=torch.uint8,
                                      generator=generator) for _ in range(3)],
                data_samples=labelled(args.batch_size, cfg.model.cls_head.num_classes))
    optim = {key: value for key, value in cfg.optim_wrapper.items() if key not in ('type', 'dtype', 'loss_scale')}
    optim['type'] = 'OptimWrapper'
    report = Report()
    if 'step' in args.checks:
        fp32 = report.run('fp32_step', check_fp32_step, report, model, device, data, optim)
        for dtype in ('float16', 'bfloat16'):
            if fp32 is not None:
                report.run(f'amp_{dtype}', check_amp, report, model, device, data, optim, fp32, dtype)
    if 'augmentation' in args.checks:
        report.run('gpu_augmentation', check_gpu_augmentation, report, cfg, device)
    if 'mmcv_ops' in args.checks:
        report.run('mmcv_ops', check_mmcv_ops, report, device, 64 if args.tiny else 512)
    return report


def main(argv: Optional[List[str]] = None, out: Callable = print) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--device', default='cuda', help='the device to check against the CPU (cuda, cpu, ...)')
    parser.add_argument('--config', default=CONFIG, help='the GeRSP config (model, optimizer, pipelines)')
    parser.add_argument('--batch-size', type=int, default=8, help='images per source in the step')
    parser.add_argument('--size', type=int, default=224, help='view side (px)')
    parser.add_argument('--tiny', action='store_true', help='ResNet-18, 2 x 32 px (the CPU mode of the tests)')
    parser.add_argument('--checks', nargs='+', default=['step', 'augmentation'],
                        choices=['step', 'augmentation', 'mmcv_ops'],
                        help="step: fp32_step, amp_float16, amp_bfloat16; augmentation: gpu_augmentation; mmcv_ops: "
                        "mmcv_ops, detector_iteration, rotated_detector_iteration (needs mmcv's compiled ops, mmdet; "
                        "mmrotate for the last)")
    parser.add_argument('--out', help='write the JSON report here')
    args = parser.parse_args(argv)
    if args.tiny:
        args.batch_size, args.size = 2, 32
    report = run(args)
    summary = dict(device=torch.cuda.get_device_name(args.device) if args.device.startswith('cuda') else 'cpu',
                   torch=torch.__version__, python=sys.version.split()[0], config=osp.relpath(args.config, ROOT),
                   batch_size=args.batch_size, size=args.size, checks=report.results, failed=report.failed)
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as file:
            json.dump(summary, file, indent=2)
    out(f"gpu_check.py: {len(report.failed)} of {sum(r['passed'] is not None for r in report.results.values())} "
        f"checks failed{': ' + ', '.join(report.failed) if report.failed else ''}")
    return 1 if report.failed else 0


if __name__ == '__main__':
    np.seterr(all='ignore')
    sys.exit(main())
