# ResNet-18 scene classifier of the demo (`python tools/demo.py`), backbone from the demo's GeRSP pre-training,
# on the synthetic NWPU-RESISC45-format scenes it writes (8 classes, 64x64 images, 8 training images per
# class). The repository's NWPU config with the demo's sizes: ResNet-18 (nothing frozen, BN trained, as for
# every init), 64-px crops, SGD lr 0.05 with 2 warm-up epochs and cosine annealing over 20 epochs.
_base_ = '../cls/nwpu45/resnet50-gersp_8xb32_nwpu45-10p.py'

data_root = 'work_dirs/demo/data/NWPU-RESISC45'
gersp_checkpoint = 'work_dirs/demo/checkpoints/gersp_r18_backbone.pth'
model = dict(backbone=dict(depth=18, init_cfg=dict(checkpoint=gersp_checkpoint)), head=dict(in_channels=512))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=64, crop_ratio_range=(0.5, 1.0)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomFlip', prob=0.5, direction='vertical'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(64, 64)),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, ann_file='meta/train.txt', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, ann_file='meta/test.txt', pipeline=test_pipeline))
test_dataloader = val_dataloader

max_epochs = 20
optim_wrapper = dict(optimizer=dict(lr=0.05))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=2, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs - 2, eta_min=0., by_epoch=True, begin=2, end=max_epochs,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
auto_scale_lr = dict(base_batch_size=16)
default_hooks = dict(
    logger=dict(interval=4),
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))
custom_imports = dict(imports=['gersp_mm', 'gersp_mm.cls', 'gersp_mm.demo'], allow_failed_imports=False)
custom_hooks = [dict(type='DemoProgressHook', stage='classification')]
randomness = dict(seed=0)
