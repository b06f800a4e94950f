# Horizontal-box detection on 800x800 remote-sensing images, shared by DIOR and DOTA-v1.0; a dataset base
# (dior.py, dota.py) adds the dataset type, root and splits. Resize to 800x800 keeping the ratio,
# horizontal flip 0.5, 4 images per GPU on 1 GPU (total batch 4: on 2 GPUs set
# train_dataloader.batch_size=2). Metrics: VOC-style AP@0.5 per class and mAP with all-point ('area')
# interpolation (primary, `pascal_voc/mAP`), and COCO bbox AP (`coco/bbox_mAP_50` is AP@0.5), computed
# from the dataset's own annotations over all the detections the detectors keep (max_per_img=600):
# pycocotools' own summary, and so mmdet's CocoMetric, caps coco/bbox_mAP at 100 per image and class.
backend_args = None

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(800, 800), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=(800, 800), keep_ratio=True),
    # loaded after Resize: the metrics compare with boxes in original image coordinates
    dict(type='LoadAnnotations', with_bbox=True),
    # `instances` lets CocoMetric build its ground truth without a COCO json
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', 'instances')),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(
        filter_cfg=dict(filter_empty_gt=True),
        pipeline=train_pipeline,
        backend_args=backend_args))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader

val_evaluator = [
    dict(type='VOCMetric', metric='mAP', iou_thrs=0.5, eval_mode='area'),
    dict(type='CocoMaxDetsMetric', max_dets=600),
]
test_evaluator = val_evaluator
