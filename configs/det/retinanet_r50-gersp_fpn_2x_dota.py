# RetinaNet R50-FPN on DOTA-v1.0 (horizontal boxes, 800x800 patches), backbone initialised from GeRSP (paper
# mAP: 62.4 after 100 epochs of pre-training, 63.0 after 200). Point it at a checkpoint with
#   python tools/train.py configs/det/retinanet_r50-gersp_fpn_2x_dota.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/gersp_r50/epoch_100.pth
_base_ = [
    './_base_/models/retinanet_r50-gersp_fpn.py',
    './_base_/datasets/dota.py',
    './_base_/schedules/schedule_rs-det_2x.py',
    './_base_/default_runtime.py',
]

model = dict(bbox_head=dict(num_classes=15))
