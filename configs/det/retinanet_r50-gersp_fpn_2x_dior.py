# RetinaNet R50-FPN on DIOR, backbone initialised from GeRSP (paper mAP: 67.5 after 100 epochs of pre-training,
# 68.7 after 200). Point it at a checkpoint with
#   python tools/train.py configs/det/retinanet_r50-gersp_fpn_2x_dior.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/gersp_r50/epoch_100.pth
_base_ = [
    './_base_/models/retinanet_r50-gersp_fpn.py',
    './_base_/datasets/dior.py',
    './_base_/schedules/schedule_rs-det_2x.py',
    './_base_/default_runtime.py',
]

model = dict(bbox_head=dict(num_classes=20))
