# Fine-tuning schedule for a total batch of 256 (8 GPUs x 32): SGD lr 0.05, momentum 0.9, weight decay 1e-4,
# 5 epochs of linear warm-up from lr 5e-4, then cosine annealing to 0 at epoch 100. Evaluation every 10
# epochs. With another total batch, add --auto-scale-lr (linear scaling from 256).
_base_ = 'mmpretrain::_base_/schedules/imagenet_bs256_coslr.py'
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=5, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=95, eta_min=0., by_epoch=True, begin=5, end=100,
         convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=10)
auto_scale_lr = dict(base_batch_size=256)
