# ResNet-50 fine-tuned on NWPU-RESISC45 with 20% of each class for training, backbone from GeRSP.
# 200 epochs, SGD lr 0.05 (total batch 256) with warm-up and cosine annealing; top-1 on the other 80%.
_base_ = [
    'mmpretrain::_base_/models/resnet50.py',
    '../_base_/datasets/nwpu45_bs32.py',
    '../_base_/schedules/sgd_coslr-warmup_200e.py',
    '../_base_/default_runtime.py',
    '../_base_/gersp_r50.py',
]
model = dict(backbone=_base_.gersp_backbone, head=dict(num_classes=45))
