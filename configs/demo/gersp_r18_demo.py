# GeRSP pre-training of the demo (`python tools/demo.py`): ResNet-18 on the synthetic aerial scenes (Million-AID
# layout) and the synthetic labeled patterns (ImageNet layout) that the demo writes to work_dirs/demo/data, with
# 64-px crops, on a CPU in about two minutes: 4 passes over the 2,000 scenes, 32 + 32 images per iteration.
# The paper recipe's structure is kept (two sources, EMA teacher, queue, alpha 1); what a few hundred
# iterations need instead of 100 epochs on 8 GPUs differs: MoCo v2 augmentation and temperature (0.2), a faster
# teacher (m = 0.99), a queue of 1,024 keys (32 iterations), shuffle-BN emulated over 2 BN groups, milder
# crops for the labeled patterns (the shape stays in view), lr 0.03 with cosine annealing.
_base_ = '../pretrain/gersp_r50.py'

rs_data_root = 'work_dirs/demo/data/MillionAID/test/'
natural_data_root = 'work_dirs/demo/data/imagenet/'
natural_classes = ('disc', 'ring', 'box', 'triangle', 'cross', 'star', 'stripes', 'checkerboard')
colour_and_flip = [
    dict(type='RandomApply', transforms=[dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.4,
                                              hue=0.1)], prob=0.8),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True, channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
]
rs_view_pipeline = [
    dict(type='RandomResizedCrop', scale=64, crop_ratio_range=(0.2, 1.0), backend='pillow'), *colour_and_flip]
natural_view_pipeline = [
    dict(type='RandomResizedCrop', scale=64, crop_ratio_range=(0.35, 1.0), backend='pillow'), *colour_and_flip]
model = dict(
    queue_len=1024,
    momentum=0.01,
    bn_groups=2,
    backbone=dict(depth=18),
    head=dict(temperature=0.2),
    cls_head=dict(num_classes=len(natural_classes), topk=(1, )))
train_dataloader = dict(
    batch_size=32,
    num_workers=0,
    persistent_workers=False,
    pin_memory=False,
    # an epoch is one pass over the unlabeled scenes; the natural images wrap around
    sampler=dict(epoch_length='rs', seed=0),
    dataset=dict(
        rs=dict(
            data_root=rs_data_root,
            pipeline=[
                dict(type='LoadImageUint8'),
                dict(type='MultiView', num_views=2, transforms=[rs_view_pipeline]),
                dict(type='PackInputs'),
            ]),
        natural=dict(
            data_root=natural_data_root,
            metainfo=dict(classes=natural_classes),
            pipeline=[dict(type='LoadImageUint8'), *natural_view_pipeline, dict(type='PackInputs')])))
optim_wrapper = dict(optimizer=dict(lr=0.03))
max_epochs = 4
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=0.0003, by_epoch=True, begin=0, end=max_epochs,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs)
default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1, save_last=True))
custom_imports = dict(imports=['gersp_mm', 'gersp_mm.pretrain', 'gersp_mm.demo'], allow_failed_imports=False)
custom_hooks = [dict(type='FastForwardSamplerHook'), dict(type='DemoProgressHook', stage='pre-training', num_reports=8)]
env_cfg = dict(dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0)
auto_scale_lr = dict(base_batch_size=32)
