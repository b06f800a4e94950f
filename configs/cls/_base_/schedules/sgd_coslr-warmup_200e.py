# As sgd_coslr-warmup_100e.py, over 200 epochs (cosine annealing from epoch 5 to 200).
_base_ = './sgd_coslr-warmup_100e.py'
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=5, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=195, eta_min=0., by_epoch=True, begin=5, end=200,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=200)
