# Faster R-CNN R18-FPN of the demo (`python tools/demo.py`), backbone from the demo's GeRSP pre-training, on the
# synthetic DIOR-format scenes it writes (96x96 images, objects of 8-30 px: airplane, storagetank, vehicle, ship,
# tenniscourt). The repository's DIOR config (configs/det/faster-rcnn_r50-gersp_fpn_2x_dior.py) at the demo's
# size: ResNet-18 with the same freezing and BN settings for every init (stem and stage 1 frozen, BN in eval
# mode), a 128-channel FPN, anchors from 16 px, fewer proposals and RoIs (CPU time), and the 2x schedule's
# shape shortened to 16 epochs (lr x0.1 at 11 and 15, linear warm-up) over 48 training images, evaluated at the
# end.
_base_ = '../det/faster-rcnn_r50-gersp_fpn_2x_dior.py'

data_root = 'work_dirs/demo/data/DIOR/'
gersp_checkpoint = 'work_dirs/demo/checkpoints/gersp_r18_backbone.pth'
model = dict(
    backbone=dict(depth=18, init_cfg=dict(checkpoint=gersp_checkpoint)),
    neck=dict(in_channels=[64, 128, 256, 512], out_channels=128),
    rpn_head=dict(in_channels=128, feat_channels=128, anchor_generator=dict(scales=[4])),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=128),
        bbox_head=dict(in_channels=128, fc_out_channels=256)),
    train_cfg=dict(rpn_proposal=dict(nms_pre=500, max_per_img=200), rcnn=dict(sampler=dict(num=64))),
    test_cfg=dict(rpn=dict(nms_pre=300, max_per_img=100)))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(96, 96), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(96, 96), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', 'instances')),
]
train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='VOCMetric', metric='mAP', iou_thrs=0.5, eval_mode='area')
test_evaluator = val_evaluator

max_epochs = 16
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=1.0 / 3, by_epoch=False, begin=0, end=30),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True, milestones=[11, 15], gamma=0.1),
]
optim_wrapper = dict(optimizer=dict(lr=0.02))
auto_scale_lr = dict(base_batch_size=8)
default_hooks = dict(
    logger=dict(interval=3),
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))
custom_imports = dict(imports=['gersp_mm', 'gersp_mm.det', 'gersp_mm.demo'], allow_failed_imports=False)
custom_hooks = [dict(type='DemoProgressHook', stage='detection')]
randomness = dict(seed=0)
