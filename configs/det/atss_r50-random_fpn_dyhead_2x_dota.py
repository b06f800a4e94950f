# ATSS + DyHead (6 blocks) R50-FPN on DOTA-v1.0 (horizontal boxes, 800x800 patches) from a randomly initialised
# backbone, the lower bound of the comparison. Same model, freezing (stem and stage 1 frozen, BN in eval mode)
# and schedule as the GeRSP config; only the backbone initialisation differs. This is a controlled baseline, not
# a from-scratch recipe.
_base_ = './atss_r50-gersp_fpn_dyhead_2x_dota.py'

model = dict(backbone=dict(init_cfg=None))
