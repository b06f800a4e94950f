# Faster R-CNN R50-FPN on DIOR, backbone initialised from the torchvision ImageNet-1k supervised ResNet-50
# (paper mAP: 65.1). Same model, freezing and schedule as the GeRSP config; only the backbone initialisation
# differs.
_base_ = './faster-rcnn_r50-gersp_fpn_2x_dior.py'

model = dict(backbone=dict(init_cfg=_base_.in1k_init_cfg))
