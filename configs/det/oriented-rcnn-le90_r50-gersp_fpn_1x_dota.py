# Oriented R-CNN R50-FPN (le90) on DOTA-v1.0 (oriented boxes, 1024x1024 patches), backbone initialised from GeRSP:
# mmrotate's own config with gersp_mm's DOTA-v1.0 dataset (the patches of prepare_dota.py --box-type obb), the
# GeRSP backbone and this package's runtime; mmrotate's 1x schedule (12 epochs, SGD lr 0.005, 2 images per GPU on
# 1 GPU). Point it at a checkpoint with
#   python tools/train.py configs/det/oriented-rcnn-le90_r50-gersp_fpn_1x_dota.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/gersp_r50/epoch_100.pth
# Evaluation on val patches and the DOTA server submission of the test split: configs/det/README.md.
_base_ = [
    'mmrotate::oriented_rcnn/oriented-rcnn-le90_r50_fpn_1x_dota.py',
    '../_base_/backbone_inits.py',
    './_base_/datasets/dota_obb.py',
    './_base_/rotated_runtime.py',
]

model = dict(backbone=dict(init_cfg=_base_.gersp_init_cfg))
train_dataloader = dict(dataset=_base_.dota_obb_train_dataset)
val_dataloader = dict(dataset=_base_.dota_obb_val_dataset)
test_dataloader = val_dataloader
default_hooks = _base_.rotated_default_hooks
visualizer = _base_.rotated_visualizer
