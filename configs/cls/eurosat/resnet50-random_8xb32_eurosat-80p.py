# As resnet50-gersp_8xb32_eurosat-80p.py, with a randomly initialised
# backbone instead of GeRSP (nothing else changes): mmpretrain's stock ResNet init (Kaiming normal convs,
# unit BN weights; its default init_cfg), not init_cfg=None, which would leave PyTorch's default conv init.
_base_ = './resnet50-gersp_8xb32_eurosat-80p.py'
model = dict(
    backbone=dict(init_cfg=[
        dict(type='Kaiming', layer=['Conv2d']),
        dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm']),
    ]))
