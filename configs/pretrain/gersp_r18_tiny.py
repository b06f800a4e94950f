# A tiny GeRSP run for the tests and for trying the tools on a laptop: ResNet-18, 64-px crops, a queue
# of 32 keys, 2 epochs of 2 iterations, on the real sample images in tests/data/pretrain.
_base_ = './gersp_r50.py'

# the checkout's sample images, found from this file's folder: the config runs from any folder (mim train)
rs_data_root = '{{ fileDirname }}/../../tests/data/pretrain/rs/'
natural_data_root = '{{ fileDirname }}/../../tests/data/pretrain/natural/'
view_cfg = dict(_base_.view_cfg, output_size=64)
model = dict(
    queue_len=32,
    feat_dim=16,
    backbone=dict(depth=18),
    neck=dict(hid_channels=64),
    cls_head=dict(num_classes=2, topk=(1, )))
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    pin_memory=False,
    sampler=dict(epoch_length=2, batch_size=4),
    dataset=dict(
        rs=dict(
            data_root=rs_data_root,
            pipeline=[dict(type='LoadMoCoViews', num_views=2, **view_cfg), dict(type='PackInputs')]),
        natural=dict(
            _delete_=True,
            type='CustomDataset',
            data_root=natural_data_root,
            data_prefix='train',
            pipeline=[dict(type='LoadMoCoViews', num_views=1, **view_cfg), dict(type='PackInputs')])))
param_scheduler = [
    dict(type='CosineRestartLR', periods=[1, 1], restart_weights=[1.0, 1.0], eta_min=0.001, by_epoch=True,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=2)
default_hooks = dict(logger=dict(interval=1))
env_cfg = dict(dist_cfg=dict(backend='gloo'))
