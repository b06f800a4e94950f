# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""mmcv's compiled ops, built by tools/setup_env.sh, against independent references on CPU tensors."""
import pytest
import torch
import torchvision.ops as tv_ops

mmcv_ops = pytest.importorskip('mmcv.ops', reason='mmcv compiled ops are required')


def _random_boxes(generator: torch.Generator, num: int, size: float = 64.) -> torch.Tensor:
    xy = torch.rand(num, 2, generator=generator) * size
    wh = torch.rand(num, 2, generator=generator) * size / 2 + 1
    return torch.cat([xy, xy + wh], dim=1)


def test_roi_align_matches_torchvision():
    generator = torch.Generator().manual_seed(0)
    feats = torch.rand(2, 3, 16, 20, generator=generator)
    boxes = _random_boxes(generator, 6, size=60.)
    rois = torch.cat([torch.tensor([0, 0, 0, 1, 1, 1.]).unsqueeze(1), boxes], dim=1)
    for aligned in (True, False):
        ours = mmcv_ops.roi_align(feats, rois, (7, 7), 0.25, 2, 'avg', aligned)
        ref = tv_ops.roi_align(feats, rois, (7, 7), spatial_scale=0.25, sampling_ratio=2,
                               aligned=aligned)
        torch.testing.assert_close(ours, ref, rtol=1e-5, atol=1e-5)


def test_nms_matches_torchvision():
    generator = torch.Generator().manual_seed(1)
    boxes = _random_boxes(generator, 200)
    scores = torch.rand(200, generator=generator)
    dets, keep = mmcv_ops.nms(boxes, scores, iou_threshold=0.3)
    ref_keep = tv_ops.nms(boxes, scores, iou_threshold=0.3)
    assert keep.tolist() == ref_keep.tolist()
    torch.testing.assert_close(dets[:, 4], scores[ref_keep])


def test_batched_nms_matches_torchvision():
    generator = torch.Generator().manual_seed(2)
    boxes = _random_boxes(generator, 300)
    scores = torch.rand(300, generator=generator)
    labels = torch.randint(0, 5, (300, ), generator=generator)
    dets, keep = mmcv_ops.batched_nms(boxes, scores, labels,
                                      dict(type='nms', iou_threshold=0.5))
    ref_keep = tv_ops.batched_nms(boxes, scores, labels, iou_threshold=0.5)
    assert keep.tolist() == ref_keep.tolist()
    torch.testing.assert_close(dets[:, :4], boxes[ref_keep])


def test_modulated_deform_conv_matches_torchvision():
    """DyHead's ModulatedDeformConv2d against torchvision's deform_conv2d with a mask."""
    torch.manual_seed(3)
    conv = mmcv_ops.ModulatedDeformConv2d(4, 6, kernel_size=3, stride=1, padding=1, bias=True)
    x = torch.rand(2, 4, 9, 11)
    offset = torch.randn(2, 2 * 9, 9, 11) * 2
    mask = torch.rand(2, 9, 9, 11)
    ours = conv(x, offset, mask)
    ref = tv_ops.deform_conv2d(x, offset, conv.weight, conv.bias, stride=1, padding=1, mask=mask)
    torch.testing.assert_close(ours, ref, rtol=1e-4, atol=1e-4)


def _psa_mask_reference(x: torch.Tensor, mode: str, mask_size: tuple) -> torch.Tensor:
    """PSANet's point-wise attention re-indexing written out position by position.

    Channel ``(i, j)`` of the input at location ``(h, w)`` is the weight between ``(h, w)`` and the
    location ``(h + i - mask_h // 2, w + j - mask_w // 2)``; the output puts it on the channel of that
    location in a full ``H * W`` map: indexed by the other location ('collect') or by ``(h, w)`` with the
    other location as the spatial position ('distribute').
    """
    num, _, height, width = x.shape
    mask_h, mask_w = mask_size
    out = torch.zeros(num, height * width, height, width)
    for h in range(height):
        for w in range(width):
            for i in range(mask_h):
                for j in range(mask_w):
                    ph, pw = h + i - (mask_h - 1) // 2, w + j - (mask_w - 1) // 2
                    if not (0 <= ph < height and 0 <= pw < width):
                        continue
                    value = x[:, i * mask_w + j, h, w]
                    if mode == 'collect':
                        out[:, ph * width + pw, h, w] = value
                    else:
                        out[:, h * width + w, ph, pw] = value
    return out


@pytest.mark.parametrize('mode', ['collect', 'distribute'])
def test_psa_mask_matches_reference(mode):
    height, width = 4, 5
    mask_size = (2 * height - 1, 2 * width - 1)
    x = torch.rand(2, mask_size[0] * mask_size[1], height, width,
                   generator=torch.Generator().manual_seed(4))
    ours = mmcv_ops.PSAMask(mode, mask_size)(x)
    torch.testing.assert_close(ours, _psa_mask_reference(x, mode, mask_size))
