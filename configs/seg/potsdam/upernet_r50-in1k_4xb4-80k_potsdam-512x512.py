# As upernet_r50-gersp_4xb4-80k_potsdam-512x512.py, with the backbone initialised from torchvision's
# ImageNet-1k supervised ResNet-50 instead of GeRSP (nothing else changes).
_base_ = './upernet_r50-gersp_4xb4-80k_potsdam-512x512.py'
model = dict(backbone=dict(init_cfg=_base_.in1k_init_cfg))
