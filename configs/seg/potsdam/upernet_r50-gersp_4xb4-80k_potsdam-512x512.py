# UperNet R50 on ISPRS Potsdam (6 classes, 512x512 crops), mmseg's 80k recipe, backbone from GeRSP.
_base_ = [
    'mmseg::_base_/models/upernet_r50.py',
    'mmseg::_base_/datasets/potsdam.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_80k.py',
    '../_base_/gersp_r50.py',
    '../_base_/potsdam_metric.py',
]
crop_size = (512, 512)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    pretrained=None,
    backbone=_base_.gersp_backbone,
    decode_head=dict(num_classes=6),
    auxiliary_head=dict(num_classes=6))
val_evaluator = _base_.potsdam_evaluator
test_evaluator = val_evaluator
# one per run (mmseg's is named 'visualizer': a second Runner in the same process would get the first one's)
visualizer = dict(_delete_=True, type='PerRunSegLocalVisualizer', vis_backends=[dict(type='LocalVisBackend')])
default_hooks = _base_.crash_safe_hooks  # atomic checkpoints, NaN/inf loss guard
