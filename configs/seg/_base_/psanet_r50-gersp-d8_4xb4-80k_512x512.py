# PSANet R50-D8 for 512x512 crops, mmseg's 80k recipe, backbone from GeRSP: everything of the PSANet configs
# (loveda/, potsdam/) but the dataset, which each of them adds with its number of classes.
_base_ = [
    'mmseg::_base_/models/psanet_r50-d8.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_80k.py',
    './gersp_r50.py',
]
data_preprocessor = dict(size=(512, 512))
model = dict(
    data_preprocessor=data_preprocessor,
    pretrained=None,
    backbone=_base_.gersp_backbone,
    # mmseg's PSANet mask size for 512x512 crops (as in its ADE20K 512x512 configs)
    decode_head=dict(mask_size=(66, 66)))
# one per run (mmseg's is named 'visualizer': a second Runner in the same process would get the first one's)
visualizer = dict(_delete_=True, type='PerRunSegLocalVisualizer', vis_backends=[dict(type='LocalVisBackend')])
default_hooks = _base_.crash_safe_hooks  # atomic checkpoints, NaN/inf loss guard
