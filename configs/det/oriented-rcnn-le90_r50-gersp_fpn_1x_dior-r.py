# Oriented R-CNN R50-FPN (le90) on DIOR-R, backbone initialised from GeRSP: mmrotate's DOTA-v1.0 config
# (mmrotate has no Oriented R-CNN DIOR-R config) with the DIOR-R data, 20 classes, the GeRSP backbone and this
# package's runtime; mmrotate's 1x schedule (12 epochs, SGD lr 0.005, 2 images per GPU on 1 GPU). Point it at
# a checkpoint with
#   python tools/train.py configs/det/oriented-rcnn-le90_r50-gersp_fpn_1x_dior-r.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/gersp_r50/epoch_100.pth
_base_ = [
    'mmrotate::oriented_rcnn/oriented-rcnn-le90_r50_fpn_1x_dota.py',
    '../_base_/backbone_inits.py',
    './_base_/datasets/dior-r.py',
    './_base_/rotated_runtime.py',
]

model = dict(
    backbone=dict(init_cfg=_base_.gersp_init_cfg),
    roi_head=dict(bbox_head=dict(num_classes=20)))
train_dataloader = dict(dataset=_base_.dior_r_train_dataset)
val_dataloader = dict(dataset=_base_.dior_r_test_dataset)
test_dataloader = val_dataloader
default_hooks = _base_.rotated_default_hooks
visualizer = _base_.rotated_visualizer
