# DOTA-v1.0, oriented boxes, 15 classes, on the 1024x1024 patches (stride 824: mmrotate's 200-px overlap) written by
#   python tools/dataset_converters/prepare_dota.py data/DOTA data/DOTA/split_obb_1024_824 --box-type obb \
#       --splits train val --unlabeled-splits test --nproc 8
# Train on the train patches with objects; evaluate on all val patches with DOTA's difficult objects ignored
# (diff_thr=0, as the official evaluation ignores them). The loaders, pipelines (resize to 1024x1024 keeping the
# ratio, flips with probability 0.75 among horizontal, vertical and diagonal, 2 images per GPU) and the evaluator
# (DOTAMetric: VOC AP@0.5, 11-point interpolation, on the patches) are mmrotate's
# (`mmrotate::_base_/datasets/dota.py`); only the dataset differs: gersp_mm's DOTAOBBDataset (mmrotate's
# DOTADataset reading the label files as released; see its docstring) on the converter's folders.
#
# The oriented configs inherit mmrotate's complete configs, which define the loaders already (mmengine refuses
# the same key in two bases): this base defines only variables, which they merge into mmrotate's datasets with
#   train_dataloader = dict(dataset=_base_.dota_obb_train_dataset)
#   val_dataloader = dict(dataset=_base_.dota_obb_val_dataset)
dota_obb_data_root = 'data/DOTA/split_obb_1024_824/'
dota_obb_train_dataset = dict(
    type='DOTAOBBDataset',
    data_root=dota_obb_data_root,
    ann_file='train/annfiles/',
    data_prefix=dict(img_path='train/images/'))
dota_obb_val_dataset = dict(
    type='DOTAOBBDataset',
    data_root=dota_obb_data_root,
    ann_file='val/annfiles/',
    data_prefix=dict(img_path='val/images/'),
    diff_thr=0)
