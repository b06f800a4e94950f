# PSANet R50-D8 on LoveDA (7 classes, 512x512 crops of the 1024x1024 tiles), mmseg's 80k recipe,
# backbone from GeRSP. Metric: mmseg's mIoU on the LoveDA val split.
_base_ = [
    'mmseg::_base_/models/psanet_r50-d8.py',
    'mmseg::_base_/datasets/loveda.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_80k.py',
    '../_base_/gersp_r50.py',
]
crop_size = (512, 512)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    pretrained=None,
    backbone=_base_.gersp_backbone,
    # mmseg's PSANet mask size for 512x512 crops (as in its ADE20K 512x512 configs)
    decode_head=dict(mask_size=(66, 66), num_classes=7),
    auxiliary_head=dict(num_classes=7))
# one per run (mmseg's is named 'visualizer': a second Runner in the same process would get the first one's)
visualizer = dict(_delete_=True, type='PerRunSegLocalVisualizer', vis_backends=[dict(type='LocalVisBackend')])
default_hooks = _base_.crash_safe_hooks  # atomic checkpoints, NaN/inf loss guard
