# As psanet_r50-gersp-d8_4xb4-80k_potsdam-512x512.py, with a randomly initialised
# backbone (mmseg's default ResNet init, no pre-training) instead of GeRSP (nothing else changes).
_base_ = './psanet_r50-gersp-d8_4xb4-80k_potsdam-512x512.py'
model = dict(backbone=dict(init_cfg=None))
