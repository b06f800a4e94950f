# DeepLabV3+ R50-D8 on LoveDA (7 classes, 512x512 crops of the 1024x1024 tiles), mmseg's 80k recipe,
# backbone from GeRSP. Metric: mmseg's mIoU on the LoveDA val split.
_base_ = [
    'mmseg::deeplabv3plus/deeplabv3plus_r50-d8_4xb4-80k_loveda-512x512.py',
    '../_base_/gersp_r50.py',
]
model = dict(pretrained=None, backbone=_base_.gersp_backbone)
# one per run (mmseg's is named 'visualizer': a second Runner in the same process would get the first one's)
visualizer = dict(_delete_=True, type='PerRunSegLocalVisualizer', vis_backends=[dict(type='LocalVisBackend')])
default_hooks = _base_.crash_safe_hooks  # atomic checkpoints, NaN/inf loss guard
