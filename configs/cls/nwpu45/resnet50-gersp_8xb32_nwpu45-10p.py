# As resnet50-gersp_8xb32_nwpu45-20p.py, with 10% of each class for training (top-1 on the other 90%).
_base_ = './resnet50-gersp_8xb32_nwpu45-20p.py'
train_dataloader = dict(dataset=dict(ann_file='meta/train-10p_seed0.txt'))
val_dataloader = dict(dataset=dict(ann_file='meta/test-10p_seed0.txt'))
test_dataloader = val_dataloader
