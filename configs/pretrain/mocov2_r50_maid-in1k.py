# Baseline: MoCo v2 on ImageNet-1k + Million-AID as one unlabeled collection (contrastive only; the
# ImageNet labels are not used), same fixes, augmentation and schedule as GeRSP.
_base_ = './mocov2_r50_maid.py'

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            dict(
                type='UnlabeledImageFolder',
                data_root={{_base_.rs_data_root}},
                ann_file={{_base_.rs_file_list}},
                pipeline={{_base_.rs_pipeline}}),
            dict(
                type='UnlabeledImageFolder',
                data_root={{_base_.natural_data_root}},
                data_prefix=dict(img_path='train'),
                pipeline={{_base_.rs_pipeline}}),
        ]))
