# mmdet's Faster R-CNN R50-FPN, backbone loaded from GeRSP, remote-sensing test settings: NMS IoU 0.3,
# up to 600 boxes per image, score threshold 0.05.
_base_ = ['mmdet::_base_/models/faster-rcnn_r50_fpn.py', '../../../_base_/backbone_inits.py']

model = dict(
    backbone=dict(init_cfg={{_base_.gersp_init_cfg}}),
    test_cfg=dict(rcnn=dict(score_thr=0.05, nms=dict(type='nms', iou_threshold=0.3), max_per_img=600)))
