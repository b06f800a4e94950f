# GeRSP-200: the paper's 200-epoch model. Its schedule is not published; this reads it as 10 cosine
# cycles of 20 epochs (the 100-epoch recipe repeated).
_base_ = './gersp_r50.py'

param_scheduler = [
    dict(
        type='CosineRestartLR',
        periods=[20] * 10,
        restart_weights=[1.0] * 10,
        eta_min=0.001,
        by_epoch=True,
        convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=200)
