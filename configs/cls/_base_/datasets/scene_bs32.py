# Scene classification input pipeline shared by NWPU-RESISC45 (256x256 images) and EuroSAT (64x64):
# train: random resized crop to 224 keeping 50-100% of the area, horizontal and vertical flips
# (aerial scenes have no canonical orientation); test: the whole image resized to 224x224.
# ImageNet mean/std normalisation (the statistics every compared pre-training used).
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=224, crop_ratio_range=(0.5, 1.0)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomFlip', prob=0.5, direction='vertical'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(224, 224)),
    dict(type='PackInputs'),
]
