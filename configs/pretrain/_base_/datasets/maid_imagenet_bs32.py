# Million-AID (unlabeled, two views) + ImageNet-1k train (one view + label), 32 + 32 images per GPU.
# Change the two roots here (or with --cfg-options) to point at your copies.
rs_data_root = 'data/MillionAID/test/'
rs_file_list = ''  # optional: a list written by tools/dataset_converters/make_file_list.py
natural_data_root = 'data/imagenet/'

# MoCo v1 augmentation, the same for both sources; no blur. LoadMoCoViews decodes each image once (a JPEG at
# the smallest DCT scale its crops allow) and cuts the views from it, with the distribution of
# LoadImageUint8 followed by RandomResizedCrop(224, crop_ratio_range=(0.2, 1.0), backend='pillow'),
# RandomGrayscale(prob=0.2), ColorJitter(0.4, 0.4, 0.4, 0.4) and RandomFlip(prob=0.5), at a fraction of
# their cost (benchmarks/README.md).
view_cfg = dict(
    output_size=224,
    crop_scale=(0.2, 1.0),
    crop_ratio=(3. / 4., 4. / 3.),
    grayscale_prob=0.2,
    brightness=0.4,
    contrast=0.4,
    saturation=0.4,
    hue=0.4,
    flip_prob=0.5)
rs_pipeline = [dict(type='LoadMoCoViews', num_views=2, **view_cfg), dict(type='PackInputs')]
natural_pipeline = [dict(type='LoadMoCoViews', num_views=1, **view_cfg), dict(type='PackInputs')]

train_dataloader = dict(
    batch_size=32,  # per GPU: 32 remote-sensing + 32 natural images
    num_workers=8,
    drop_last=True,
    persistent_workers=True,
    pin_memory=True,
    # 'max': an epoch is one pass over the larger source (ImageNet, ~5,004 iterations at 8 x 32)
    sampler=dict(type='DualSourceSampler', shuffle=True, epoch_length='max'),
    dataset=dict(
        type='DualSourceDataset',
        bad_image_policy='raise',
        rs=dict(
            type='UnlabeledImageFolder',
            data_root=rs_data_root,
            ann_file=rs_file_list,
            pipeline=rs_pipeline),
        natural=dict(
            type='ImageNet',
            data_root=natural_data_root,
            split='train',
            pipeline=natural_pipeline)))
