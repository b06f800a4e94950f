# Linear probe on EuroSAT RGB (80% of each class for training): the GeRSP ResNet-50 frozen (stem and all four
# stages, BN in eval mode: its running statistics stay those of the pre-training), only the linear head trained.
# The SGD protocol of mmpretrain's MoCo v2 linear evaluation (mmpretrain::mocov2/benchmarks): lr 30 for a total
# batch of 256 (8 GPUs x 32), no weight decay, 100 epochs, lr x 0.1 at epochs 60 and 80; the augmentation and
# test pipeline of the fine-tuning config. The L-BFGS probe on cached features is tools/frozen_eval.py.
_base_ = './resnet50-gersp_8xb32_eurosat-80p.py'
model = dict(backbone=dict(frozen_stages=4, norm_eval=True))
optim_wrapper = dict(optimizer=dict(lr=30.0, weight_decay=0.0))
param_scheduler = [dict(type='MultiStepLR', by_epoch=True, milestones=[60, 80], gamma=0.1)]
train_cfg = dict(max_epochs=100)
