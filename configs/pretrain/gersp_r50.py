# GeRSP, ResNet-50, 100 epochs on Million-AID + ImageNet-1k: the paper recipe (8 GPUs x (32 + 32)).
#   tools/dist_train.sh configs/pretrain/gersp_r50.py 8
_base_ = [
    '_base_/models/gersp_r50.py',
    '_base_/datasets/maid_imagenet_bs32.py',
    '_base_/schedules/sgd_cosine-restart_100e.py',
    '_base_/default_runtime.py',
]
