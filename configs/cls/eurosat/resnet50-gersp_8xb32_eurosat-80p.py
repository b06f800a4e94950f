# ResNet-50 fine-tuned on EuroSAT RGB with 80% of each class for training, backbone from GeRSP.
# 100 epochs, SGD lr 0.05 (total batch 256) with warm-up and cosine annealing; top-1 on the other 20%.
_base_ = [
    'mmpretrain::_base_/models/resnet50.py',
    '../_base_/datasets/eurosat_bs32.py',
    '../_base_/schedules/sgd_coslr-warmup_100e.py',
    '../_base_/default_runtime.py',
    '../_base_/gersp_r50.py',
]
model = dict(backbone=_base_.gersp_backbone, head=dict(num_classes=10))
