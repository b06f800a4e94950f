# The paper's detection schedule (DIOR and DOTA): SGD lr 0.001, momentum 0.9, weight decay 1e-4 for a total
# batch of 4 images, gradient clipping at norm 35, 24 epochs with lr x0.1 at epochs 16 and 22, linear
# warm-up over the first 500 iterations from lr / 3. Evaluated at epochs 12 and 24.
_base_ = 'mmdet::_base_/schedules/schedule_2x.py'

train_cfg = dict(val_interval=12)
param_scheduler = [
    dict(type='LinearLR', start_factor=1.0 / 3, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=24, by_epoch=True, milestones=[16, 22], gamma=0.1),
]
optim_wrapper = dict(optimizer=dict(lr=0.001), clip_grad=dict(max_norm=35, norm_type=2))
# the lr above is for 4 images per iteration; `tools/train.py --auto-scale-lr` rescales it for another total
auto_scale_lr = dict(base_batch_size=4)
