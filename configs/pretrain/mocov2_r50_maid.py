# Baseline: MoCo v2 on Million-AID only (contrastive branch, no natural images), with the same fixes,
# augmentation and schedule as GeRSP for a like-for-like comparison.
_base_ = [
    '_base_/models/gersp_r50.py',
    '_base_/datasets/maid_imagenet_bs32.py',
    '_base_/schedules/sgd_cosine-restart_100e.py',
    '_base_/default_runtime.py',
]

model = dict(cls_head=None)
train_dataloader = dict(
    sampler=dict(_delete_=True, type='DefaultSampler', shuffle=True),
    dataset=dict(
        _delete_=True,
        type='UnlabeledImageFolder',
        data_root={{_base_.rs_data_root}},
        ann_file={{_base_.rs_file_list}},
        pipeline={{_base_.rs_pipeline}}))
