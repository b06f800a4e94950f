# Faster R-CNN R50-FPN on DIOR from a randomly initialised backbone, the lower bound of the comparison. Same
# model, freezing (stem and stage 1 frozen, BN in eval mode) and schedule as the GeRSP config; only the backbone
# initialisation differs. This is a controlled baseline, not a from-scratch recipe.
_base_ = './faster-rcnn_r50-gersp_fpn_2x_dior.py'

model = dict(backbone=dict(init_cfg=None))
