# GeRSP pre-training of the demo (`python tools/demo.py`): ResNet-18 on the synthetic aerial scenes (Million-AID
# layout) and the synthetic labeled patterns (ImageNet layout) that the demo writes to work_dirs/demo/data, with
# 64-px crops: 3 passes over the 2,000 scenes (186 iterations of 32 + 32 images; the 992 natural patterns are
# cycled 6 times).
# The paper recipe's structure is kept (two sources, EMA teacher, queue, alpha 1); what a few hundred
# iterations need instead of 100 epochs on 8 GPUs differs: MoCo v2 augmentation and temperature (0.2), a faster
# teacher (m = 0.99), a queue of 1,024 keys (32 iterations), shuffle-BN emulated over 2 BN groups, milder
# crops for the labeled patterns (the shape stays in view), lr 0.03 with cosine annealing.
# The k-NN monitor classifies 15 NWPU-format scenes per class against 8 others of each class every 31
# iterations (8 classes: chance is 12.5%).
# The demo's baselines inherit this file: mocov2_r18_demo.py (aerial only), resnet18_demo-natural.py (natural only).
_base_ = '../pretrain/gersp_r50.py'

rs_data_root = 'work_dirs/demo/data/MillionAID/test/'
natural_data_root = 'work_dirs/demo/data/imagenet/'
nwpu_data_root = 'work_dirs/demo/data/NWPU-RESISC45'
natural_classes = ('disc', 'ring', 'box', 'triangle', 'cross', 'star', 'stripes', 'checkerboard')
# RGB statistics of the inputs (the paper's), for every pre-training of the demo and its k-NN monitor
mean = [123.675, 116.28, 103.53]
std = [58.395, 57.12, 57.375]
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
rs_pipeline = [
    dict(type='LoadImageUint8'),
    dict(type='MultiView', num_views=2, transforms=[rs_view_pipeline]),
    dict(type='PackInputs'),
]
natural_pipeline = [dict(type='LoadImageUint8'), *natural_view_pipeline, dict(type='PackInputs')]
knn_pipeline = [dict(type='LoadImageUint8'), dict(type='Resize', scale=(64, 64)), dict(type='PackInputs')]
model = dict(
    queue_len=1024,
    momentum=0.01,
    bn_groups=2,
    data_preprocessor=dict(mean=mean, std=std, to_rgb=True),
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
        rs=dict(data_root=rs_data_root, pipeline=rs_pipeline),
        natural=dict(data_root=natural_data_root, metainfo=dict(classes=natural_classes),
                     pipeline=natural_pipeline)))
optim_wrapper = dict(optimizer=dict(lr=0.03))
max_epochs = 3
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=0.0003, by_epoch=True, begin=0, end=max_epochs,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs)
default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1, save_last=True))
custom_imports = dict(imports=['gersp_mm', 'gersp_mm.pretrain', 'gersp_mm.cls', 'gersp_mm.demo'],
                      allow_failed_imports=False)
knn_monitor = dict(
    type='KNNMonitorHook',
    dataset=dict(type='NWPURESISC45', data_root=nwpu_data_root, pipeline=knn_pipeline),
    memory_per_class=8,
    query_per_class=15,
    k=10,
    by_epoch=False,
    interval=31,
    batch_size=64,
    mean=mean,
    std=std,
    to_rgb=True)
custom_hooks = [
    dict(type='FastForwardSamplerHook'),
    dict(type='DemoProgressHook', stage='pre-training', num_reports=8),
    knn_monitor,
]
env_cfg = dict(dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0)
auto_scale_lr = dict(base_batch_size=32)
