# Baseline of the demo (`python tools/demo.py`): supervised pre-training on the natural source only, as the
# paper's ImageNet-supervised baseline: an mmpretrain ImageClassifier (ResNet-18, linear head over the 8 pattern
# classes) on the synthetic ImageNet-layout patterns, with GeRSP's natural-image augmentation, optimizer and
# monitor (gersp_r18_demo.py). 6 passes over the 992 patterns: the natural images GeRSP's classifier sees in its
# 3 passes over the aerial scenes (186 iterations of 32 + 32).
_base_ = './gersp_r18_demo.py'

model = dict(
    _delete_=True,
    type='ImageClassifier',
    data_preprocessor=dict(type='ClsDataPreprocessor', num_classes=8, mean={{_base_.mean}}, std={{_base_.std}},
                           to_rgb=True),
    backbone=dict(type='ResNet', depth=18, style='pytorch', norm_cfg=dict(type='BN'), zero_init_residual=True),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=8, in_channels=512, loss=dict(type='CrossEntropyLoss'), topk=(1, )))
train_dataloader = dict(
    sampler=dict(_delete_=True, type='DefaultSampler', shuffle=True, seed=0),
    dataset=dict(
        _delete_=True,
        type='ImageNet',
        data_root={{_base_.natural_data_root}},
        split='train',
        metainfo=dict(classes={{_base_.natural_classes}}),
        pipeline={{_base_.natural_pipeline}}))
max_epochs = 6
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=0.0003, by_epoch=True, begin=0, end=max_epochs,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs)
default_hooks = dict(checkpoint=dict(interval=max_epochs))
