# RetinaNet R50-FPN on DIOR, backbone initialised from the torchvision ImageNet-1k supervised ResNet-50 (paper
# mAP: 66.5). Same model, freezing and schedule as the GeRSP config; only the backbone initialisation differs.
_base_ = './retinanet_r50-gersp_fpn_2x_dior.py'

model = dict(backbone=dict(init_cfg=_base_.in1k_init_cfg))
