# As upernet_r50-gersp_4xb4-80k_potsdam-512x512.py, with a randomly initialised
# backbone (mmseg's default ResNet init, no pre-training) instead of GeRSP (nothing else changes).
_base_ = './upernet_r50-gersp_4xb4-80k_potsdam-512x512.py'
model = dict(backbone=dict(init_cfg=None))
