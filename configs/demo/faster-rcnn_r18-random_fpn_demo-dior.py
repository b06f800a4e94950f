# As faster-rcnn_r18-gersp_fpn_demo-dior.py, from a randomly initialised backbone (mmdet's ResNet init, as in
# configs/det/faster-rcnn_r50-random_fpn_2x_dior.py): the same model, freezing, BN settings and schedule.
_base_ = './faster-rcnn_r18-gersp_fpn_demo-dior.py'

model = dict(backbone=dict(init_cfg=None))
