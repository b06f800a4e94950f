# As resnet18-gersp_demo-nwpu.py, from a randomly initialised backbone (mmpretrain's ResNet init, as in
# configs/cls/nwpu45/resnet50-random_8xb32_nwpu45-10p.py): the same model, BN settings and schedule.
_base_ = './resnet18-gersp_demo-nwpu.py'

model = dict(
    backbone=dict(init_cfg=[
        dict(type='Kaiming', layer=['Conv2d']),
        dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm']),
    ]))
