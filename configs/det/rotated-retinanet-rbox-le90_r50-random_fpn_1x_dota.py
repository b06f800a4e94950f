# Rotated RetinaNet R50-FPN (le90) on DOTA-v1.0 (oriented boxes, 1024x1024 patches) from a randomly initialised
# backbone, the lower bound of the comparison. Same model, freezing (stem and stage 1 frozen, BN in eval mode) and
# schedule as the GeRSP config; only the backbone initialisation differs. This is a controlled baseline, not a
# from-scratch recipe.
_base_ = './rotated-retinanet-rbox-le90_r50-gersp_fpn_1x_dota.py'

model = dict(backbone=dict(init_cfg=None))
