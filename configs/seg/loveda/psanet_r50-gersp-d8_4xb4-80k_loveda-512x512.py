# PSANet R50-D8 on LoveDA (7 classes, 512x512 crops of the 1024x1024 tiles), mmseg's 80k recipe,
# backbone from GeRSP. Metric: mmseg's mIoU on the LoveDA val split.
_base_ = [
    'mmseg::_base_/datasets/loveda.py',
    '../_base_/psanet_r50-gersp-d8_4xb4-80k_512x512.py',
]
model = dict(decode_head=dict(num_classes=7), auxiliary_head=dict(num_classes=7))
