# Oriented R-CNN R50-FPN (le90) on DOTA-v1.0 (oriented boxes, 1024x1024 patches), backbone initialised from the
# torchvision ImageNet-1k supervised ResNet-50 (mmrotate's own initialisation). Same model, freezing and schedule
# as the GeRSP config; only the backbone initialisation differs.
_base_ = './oriented-rcnn-le90_r50-gersp_fpn_1x_dota.py'

model = dict(backbone=dict(init_cfg=_base_.in1k_init_cfg))
