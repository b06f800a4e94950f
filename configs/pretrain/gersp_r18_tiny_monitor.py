# The tiny GeRSP run with the k-NN representation monitor on: after each epoch, the student backbone's
# features of the six real NWPU-RESISC45 images in tests/data/cls/nwpu (2 classes x 3) classify, per
# class, 1 query image against a memory bank of 2 (seed 0); top-1 is logged as monitor/knn_top1.
_base_ = './gersp_r18_tiny.py'

custom_imports = dict(imports=['gersp_mm', 'gersp_mm.pretrain', 'gersp_mm.cls'], allow_failed_imports=False)
custom_hooks = [
    *_base_.custom_hooks,
    dict(
        type='KNNMonitorHook',
        dataset=dict(
            type='NWPURESISC45',
            data_root='{{ fileDirname }}/../../tests/data/cls/nwpu',  # from any folder
            pipeline=[
                dict(type='LoadImageUint8'),
                dict(type='Resize', scale=(64, 64)),
                dict(type='PackInputs'),
            ]),
        memory_per_class=2,
        query_per_class=1,
        k=2,
        interval=1,
        batch_size=4),
]
