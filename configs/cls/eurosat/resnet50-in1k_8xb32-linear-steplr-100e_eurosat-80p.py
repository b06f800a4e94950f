# As resnet50-gersp_8xb32-linear-steplr-100e_eurosat-80p.py, with the frozen backbone from torchvision's
# ImageNet-1k supervised ResNet-50 instead of GeRSP (nothing else changes).
_base_ = './resnet50-gersp_8xb32-linear-steplr-100e_eurosat-80p.py'
model = dict(backbone=dict(init_cfg=_base_.in1k_init_cfg))
