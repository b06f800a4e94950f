# DIOR, horizontal boxes, 20 classes: train on the official trainval split (train.txt + val.txt, 11,725
# images), evaluate on test (11,738 images). Images are 800x800. Pipeline, batch and metrics: see
# hbb_800x800.py.
_base_ = './hbb_800x800.py'
dataset_type = 'DIORDataset'
data_root = 'data/DIOR/'
train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root, split='trainval'))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root, split='test'))
test_dataloader = val_dataloader
