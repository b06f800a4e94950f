# DIOR-R, oriented boxes, 20 classes: train on the official trainval split (train.txt + val.txt, 11,725 images),
# evaluate on test (11,738 images). The loaders, pipelines (resize to 800x800 keeping the ratio, flips with
# probability 0.75 among horizontal, vertical and diagonal) and the evaluator (DOTAMetric: VOC AP@0.5 with
# 11-point interpolation, mmrotate's default) are mmrotate's (`mmrotate::_base_/datasets/dior.py`); only the
# dataset differs: gersp_mm's DIORRDataset reads the release as downloaded (see its docstring). DIOR-R shares
# its images with DIOR: `Annotations/Oriented Bounding Boxes/` sits next to `Annotations/Horizontal Bounding
# Boxes/` in the same data root.
#
# The oriented configs inherit mmrotate's complete configs, which define the loaders already (mmengine refuses
# the same key in two bases): this base defines only variables, which they apply with
#   train_dataloader = dict(dataset=_base_.dior_r_train_dataset)
#   val_dataloader = dict(dataset=_base_.dior_r_test_dataset)
dior_r_data_root = 'data/DIOR/'
dior_r_train_pipeline = [
    dict(type='mmdet.LoadImageFromFile', backend_args=None),
    dict(type='mmdet.LoadAnnotations', with_bbox=True, box_type='qbox'),
    dict(type='ConvertBoxType', box_type_mapping=dict(gt_bboxes='rbox')),
    dict(type='mmdet.Resize', scale=(800, 800), keep_ratio=True),
    dict(type='mmdet.RandomFlip', prob=0.75, direction=['horizontal', 'vertical', 'diagonal']),
    dict(type='mmdet.PackDetInputs'),
]
dior_r_test_pipeline = [
    dict(type='mmdet.LoadImageFromFile', backend_args=None),
    dict(type='mmdet.Resize', scale=(800, 800), keep_ratio=True),
    # loaded after Resize: the metric compares with boxes in original image coordinates
    dict(type='mmdet.LoadAnnotations', with_bbox=True, box_type='qbox'),
    dict(type='ConvertBoxType', box_type_mapping=dict(gt_bboxes='rbox')),
    dict(type='mmdet.PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
dior_r_train_dataset = dict(
    _delete_=True,
    type='DIORRDataset',
    data_root=dior_r_data_root,
    split='trainval',
    filter_cfg=dict(filter_empty_gt=True),
    pipeline=dior_r_train_pipeline)
dior_r_test_dataset = dict(
    _delete_=True,
    type='DIORRDataset',
    data_root=dior_r_data_root,
    split='test',
    test_mode=True,
    pipeline=dior_r_test_pipeline)
