# Oriented R-CNN R50-FPN (le90) on DIOR-R from a randomly initialised backbone, the lower bound of the
# comparison. Same model, freezing (stem and stage 1 frozen, BN in eval mode) and schedule as the GeRSP config;
# only the backbone initialisation differs. A controlled baseline, not a from-scratch recipe.
_base_ = './oriented-rcnn-le90_r50-gersp_fpn_1x_dior-r.py'

model = dict(backbone=dict(init_cfg=None))
