# ATSS + DyHead (6 blocks) R50-FPN on DOTA-v1.0 (horizontal boxes, 800x800 patches), backbone initialised from
# GeRSP (paper mAP: 66.1 after 100 epochs of pre-training, 67.4 after 200). Point it at a checkpoint with
#   python tools/train.py configs/det/atss_r50-gersp_fpn_dyhead_2x_dota.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/gersp_r50/epoch_100.pth
_base_ = [
    './_base_/models/atss_r50-gersp_fpn_dyhead.py',
    './_base_/datasets/dota.py',
    './_base_/schedules/schedule_rs-det_2x.py',
    './_base_/default_runtime.py',
]

model = dict(bbox_head=dict(num_classes=15))
