# A user's detection config: inherits mmdet's own base and pulls gersp_mm in through custom_imports.
_base_ = 'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py'
custom_imports = dict(imports=['gersp_mm', 'gersp_mm.det'], allow_failed_imports=False)
model = dict(backbone=dict(init_cfg=None), roi_head=dict(bbox_head=dict(num_classes=20)))
