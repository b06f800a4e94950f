# Scene classification data shared by NWPU-RESISC45 (256x256 images) and EuroSAT (64x64); a dataset base
# (nwpu45_bs32.py, eurosat_bs32.py) adds the dataset type, root, lists and number of classes.
# train: random resized crop to 224 keeping 50-100% of the area, horizontal and vertical flips
# (aerial scenes have no canonical orientation); test: the whole image resized to 224x224.
# ImageNet mean/std normalisation (the statistics every compared pre-training used). 32 images per GPU.
# Images are read with LoadImageUint8 (gersp_mm): the same pixels as LoadImageFromFile for 8-bit JPEG/PNG, and
# an empty, truncated or corrupt file is an error naming it (LoadImageFromFile: a cv2.imdecode error, no name).
data_preprocessor = dict(
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)
train_pipeline = [
    dict(type='LoadImageUint8'),
    dict(type='RandomResizedCrop', scale=224, crop_ratio_range=(0.5, 1.0)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomFlip', prob=0.5, direction='vertical'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageUint8'),
    dict(type='Resize', scale=(224, 224)),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(pipeline=test_pipeline))
val_evaluator = dict(type='Accuracy', topk=(1, 5))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
