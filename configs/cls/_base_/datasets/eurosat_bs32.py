# EuroSAT RGB (10 classes) in class folders under data_root, with the train/test lists written by
#   python tools/dataset_converters/split_scene_classification.py eurosat data/EuroSAT/2750
# into data_root/meta (data_root: the 2750/ folder of the official EuroSAT.zip). 32 images per GPU, the 80%
# train split of seed 0.
_base_ = './scene_bs32.py'
dataset_type = 'EuroSAT'
data_root = 'data/EuroSAT/2750'
data_preprocessor = dict(num_classes=10)
train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root, ann_file='meta/train-80p_seed0.txt'))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root, ann_file='meta/test-80p_seed0.txt'))
test_dataloader = val_dataloader
