# Baseline of the demo (`python tools/demo.py`): MoCo v2 on the aerial source only. The GeRSP pre-training of
# gersp_r18_demo.py without its classifier and without the natural images: the same student, teacher, queue,
# augmentation, optimizer, schedule and hooks (k-NN monitor), the same aerial scenes in the same number of
# iterations.
_base_ = './gersp_r18_demo.py'

model = dict(cls_head=None)
train_dataloader = dict(
    sampler=dict(_delete_=True, type='DefaultSampler', shuffle=True, seed=0),
    dataset=dict(
        _delete_=True,
        type='UnlabeledImageFolder',
        data_root={{_base_.rs_data_root}},
        pipeline={{_base_.rs_pipeline}}))
