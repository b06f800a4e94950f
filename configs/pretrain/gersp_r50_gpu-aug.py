# GeRSP, the paper recipe, with the GPU data path: the data-loader workers only read each image's bytes and
# draw its views' parameters (same seeding and distribution as LoadMoCoViews); the data preprocessor decodes
# the batch on the GPU (nvjpeg; Pillow for other formats) and crops, resizes, jitters, flips and normalises
# every view there. Use it when the CPU cores cannot feed the GPU (benchmarks/README.md).
#   tools/dist_train.sh configs/pretrain/gersp_r50_gpu-aug.py 8
_base_ = './gersp_r50.py'

rs_pipeline = [dict(type='LoadEncodedMoCoViews', num_views=2, **_base_.view_cfg), dict(type='PackEncodedInputs')]
natural_pipeline = [dict(type='LoadEncodedMoCoViews', num_views=1, **_base_.view_cfg), dict(type='PackEncodedInputs')]
train_dataloader = dict(dataset=dict(rs=dict(pipeline=rs_pipeline), natural=dict(pipeline=natural_pipeline)))
model = dict(
    data_preprocessor=dict(
        _delete_=True,
        type='DeviceAugmentDataPreprocessor',
        # RGB statistics of both sources (the views are decoded as RGB)
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375]))
