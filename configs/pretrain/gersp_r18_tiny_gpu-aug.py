# The tiny GeRSP run (gersp_r18_tiny.py) on the GPU data path: runs on the CPU too (used by the tests).
_base_ = './gersp_r18_tiny.py'

train_dataloader = dict(
    dataset=dict(
        rs=dict(pipeline=[dict(type='LoadEncodedMoCoViews', num_views=2, **_base_.view_cfg),
                          dict(type='PackEncodedInputs')]),
        natural=dict(pipeline=[dict(type='LoadEncodedMoCoViews', num_views=1, **_base_.view_cfg),
                               dict(type='PackEncodedInputs')])))
model = dict(
    data_preprocessor=dict(
        _delete_=True,
        type='DeviceAugmentDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375]))
