# ATSS R50-FPN with 6 DyHead blocks, backbone loaded from GeRSP, remote-sensing test settings: NMS IoU 0.3,
# up to 600 boxes per image, score threshold 0.05.
# mmdet defines this model only inside its full COCO config (dyhead/atss_r50_fpn_dyhead_1x_coco.py), which
# cannot be combined with other dataset and schedule bases. It is derived here from mmdet's RetinaNet model
# base (same data preprocessor, backbone and FPN inputs) by the changes that make it ATSS + DyHead; the
# result equals mmdet's model except for the lines marked "protocol" (tests/det checks this).
_base_ = ['mmdet::_base_/models/retinanet_r50_fpn.py', '../../../_base_/backbone_inits.py']

model = dict(
    type='ATSS',
    backbone=dict(init_cfg={{_base_.gersp_init_cfg}}),  # protocol
    neck=[
        dict(
            type='FPN',
            in_channels=[256, 512, 1024, 2048],
            out_channels=256,
            start_level=1,
            add_extra_convs='on_output',
            num_outs=5),
        dict(type='DyHead', in_channels=256, out_channels=256, num_blocks=6),
    ],
    bbox_head=dict(
        type='ATSSHead',
        stacked_convs=0,
        anchor_generator=dict(ratios=[1.0], octave_base_scale=8, scales_per_octave=1),
        bbox_coder=dict(target_stds=[0.1, 0.1, 0.2, 0.2]),
        loss_bbox=dict(type='GIoULoss', loss_weight=2.0),
        loss_centerness=dict(type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0)),
    train_cfg=dict(_delete_=True, assigner=dict(type='ATSSAssigner', topk=9), allowed_border=-1, pos_weight=-1,
                   debug=False),
    test_cfg=dict(score_thr=0.05, nms=dict(type='nms', iou_threshold=0.3), max_per_img=600))  # protocol
