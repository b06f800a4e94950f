# EuroSAT RGB (10 classes) in class folders under data_root, with the train/test lists written by
#   python tools/dataset_converters/split_scene_classification.py eurosat data/EuroSAT/2750
# into data_root/meta (data_root: the 2750/ folder of the official EuroSAT.zip). 32 images per GPU, the 80%
# train split of seed 0.
_base_ = './scene_bs32.py'
dataset_type = 'EuroSAT'
data_root = 'data/EuroSAT/2750'
data_preprocessor = dict(
    num_classes=10,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)
train_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='meta/train-80p_seed0.txt',
        pipeline=_base_.train_pipeline))
val_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='meta/test-80p_seed0.txt',
        pipeline=_base_.test_pipeline))
val_evaluator = dict(type='Accuracy', topk=(1, 5))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
