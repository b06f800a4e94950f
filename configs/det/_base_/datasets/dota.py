# DOTA-v1.0, horizontal boxes, 15 classes, on the 800x800 patches (stride 640) written by
#   python tools/dataset_converters/prepare_dota.py data/DOTA data/DOTA/split_800_640 --nproc 8
# Train on the train patches with objects, evaluate on all val patches (difficult objects ignored).
# Pipeline, batch and metrics: see hbb_800x800.py.
_base_ = './hbb_800x800.py'
dataset_type = 'DOTAHBBDataset'
data_root = 'data/DOTA/split_800_640/'
train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='train/annotations.json',
                 data_prefix=dict(img='train/images/')))
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='val/annotations.json',
                 data_prefix=dict(img='val/images/')))
test_dataloader = val_dataloader
