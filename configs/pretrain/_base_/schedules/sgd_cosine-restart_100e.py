# SGD lr 0.007 (8 x 32), momentum 0.9, weight decay 5e-4 on all parameters, no warm-up;
# cosine annealing with restarts: 5 cycles of 20 epochs down to 0.001.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.007, momentum=0.9, weight_decay=5e-4))
param_scheduler = [
    dict(
        type='CosineRestartLR',
        periods=[20] * 5,
        restart_weights=[1.0] * 5,
        eta_min=0.001,
        by_epoch=True,
        convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=100)
# The lr above is for 8 GPUs x 32 natural images; `--auto-scale-lr` rescales it to your batch.
auto_scale_lr = dict(base_batch_size=256)
