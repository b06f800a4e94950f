# PSANet R50-D8 on ISPRS Potsdam (6 classes, 512x512 crops), mmseg's 80k recipe, backbone from GeRSP.
_base_ = [
    'mmseg::_base_/datasets/potsdam.py',
    '../_base_/psanet_r50-gersp-d8_4xb4-80k_512x512.py',
    '../_base_/potsdam_metric.py',
]
model = dict(decode_head=dict(num_classes=6), auxiliary_head=dict(num_classes=6))
val_evaluator = _base_.potsdam_evaluator
test_evaluator = val_evaluator
