# The paper recipe (gersp_r50.py) with the k-NN representation monitor on NWPU-RESISC45: every 5 epochs
# (and at the end: 100 is a multiple of 5), the student backbone's features classify 10 query images per
# class against a memory bank of 20 per class (1,350 images, drawn per class with seed 0), 20-NN with
# temperature-weighted votes; top-1/top-5 are logged as monitor/knn_top1, monitor/knn_top5.
#   tools/dist_train.sh configs/pretrain/gersp_r50_knn-monitor.py 8
# Any other config turns the monitor on the same way: add the KNNMonitorHook entry to its custom_hooks.
# Cost: a no-gradient forward of 1,350 images at 224 px shared by the GPUs, about 0.04% of an epoch's forwards.
# NWPU-RESISC45 in class folders under data/NWPU-RESISC45 (see configs/cls/README.md): edit `nwpu_data_root`
# or pass --cfg-options custom_hooks.1.dataset.data_root=... . To use the train/test lists of a split
# instead, replace `dataset` by memory_dataset=dict(..., ann_file='meta/train-20p_seed0.txt') and
# query_dataset=dict(..., ann_file='meta/test-20p_seed0.txt') (all their images are used).
_base_ = './gersp_r50.py'

nwpu_data_root = 'data/NWPU-RESISC45'

custom_imports = dict(imports=['gersp_mm', 'gersp_mm.pretrain', 'gersp_mm.cls'], allow_failed_imports=False)
custom_hooks = [
    *_base_.custom_hooks,
    dict(
        type='KNNMonitorHook',
        dataset=dict(
            type='NWPURESISC45',
            data_root=nwpu_data_root,
            pipeline=[
                dict(type='LoadImageUint8'),
                dict(type='Resize', scale=(224, 224)),
                dict(type='PackInputs'),
            ]),
        memory_per_class=20,
        query_per_class=10,
        split_seed=0,
        k=20,
        temperature=0.07,
        voting='weighted',
        interval=5,
        by_epoch=True,
        batch_size=64,
        num_workers=4),
]
