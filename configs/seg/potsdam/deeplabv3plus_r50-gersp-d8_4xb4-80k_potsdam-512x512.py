# DeepLabV3+ R50-D8 on ISPRS Potsdam (6 classes, 512x512 crops), mmseg's 80k recipe, backbone from GeRSP.
_base_ = [
    'mmseg::deeplabv3plus/deeplabv3plus_r50-d8_4xb4-80k_potsdam-512x512.py',
    '../_base_/gersp_r50.py',
    '../_base_/potsdam_metric.py',
]
model = dict(pretrained=None, backbone=_base_.gersp_backbone)
val_evaluator = _base_.potsdam_evaluator
test_evaluator = val_evaluator
# one per run (mmseg's is named 'visualizer': a second Runner in the same process would get the first one's)
visualizer = dict(_delete_=True, type='PerRunSegLocalVisualizer', vis_backends=[dict(type='LocalVisBackend')])
default_hooks = _base_.crash_safe_hooks  # atomic checkpoints, NaN/inf loss guard
