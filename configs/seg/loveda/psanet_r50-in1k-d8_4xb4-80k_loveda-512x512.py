# As psanet_r50-gersp-d8_4xb4-80k_loveda-512x512.py, with the backbone initialised from torchvision's
# ImageNet-1k supervised ResNet-50 instead of GeRSP (nothing else changes).
_base_ = './psanet_r50-gersp-d8_4xb4-80k_loveda-512x512.py'
model = dict(backbone=dict(init_cfg=_base_.in1k_init_cfg))
