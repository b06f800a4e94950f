# GeRSP ResNet-50 (the paper recipe): student ResNet-50 (torchvision layout, zero-init residual) + MLP
# projector 2048-2048-128 without BN + linear classifier on the natural images; EMA teacher; queue 65536.
model = dict(
    type='GeRSP',
    queue_len=65536,
    feat_dim=128,
    # mmengine convention: teacher = (1 - momentum) * teacher + momentum * student.
    # MoCo's m = 1 - momentum: the paper's m = 0.999 is momentum=0.001.
    momentum=0.001,
    alpha=1.0,  # weight of the supervised loss on the natural images
    ema_projector=True,  # False: frozen teacher projector, as the released code (defect D1)
    student_forward='joint',  # one student batch cat([rs_view_1, natural]), as the released code
    bn_groups=1,  # >1 emulates that many GPUs' BN statistics on each process
    data_preprocessor=dict(
        type='DualSourceDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    backbone=dict(
        type='ResNet',
        depth=50,
        style='pytorch',
        norm_cfg=dict(type='BN'),
        zero_init_residual=True),
    # in/hid channels come from the backbone (2048), out_channels from feat_dim
    neck=dict(type='MoCoV2Neck', with_avg_pool=False),
    head=dict(type='ContrastiveHead', loss=dict(type='CrossEntropyLoss'), temperature=0.07),
    cls_head=dict(
        type='LinearClsHead',
        num_classes=1000,
        loss=dict(type='CrossEntropyLoss'),
        topk=(1, 5),
        cal_acc=True))
