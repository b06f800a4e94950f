# NWPU-RESISC45 (45 classes) in class folders under data_root, with the train/test lists written by
#   python tools/dataset_converters/split_scene_classification.py nwpu45 data/NWPU-RESISC45
# into data_root/meta. 32 images per GPU. This base uses the 20% train split of seed 0.
_base_ = './scene_bs32.py'
dataset_type = 'NWPURESISC45'
data_root = 'data/NWPU-RESISC45'
data_preprocessor = dict(num_classes=45)
train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root, ann_file='meta/train-20p_seed0.txt'))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root, ann_file='meta/test-20p_seed0.txt'))
test_dataloader = val_dataloader
