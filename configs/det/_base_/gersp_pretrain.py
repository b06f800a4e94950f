# The GeRSP pre-trained ResNet-50 that the detection configs start from: any checkpoint whose state_dict
# holds the backbone under `backbone.*` keys, i.e. a GeRSP pre-training checkpoint written by
# tools/train.py (e.g. work_dirs/gersp_r50/epoch_100.pth) or a backbone exported from one.
# Change the path here, or per run:
#   --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/gersp_r50/epoch_100.pth
gersp_checkpoint = 'checkpoints/gersp_r50_backbone.pth'
# _scope_='gersp_mm': gersp_mm's Pretrained, which stops with one sentence when the checkpoint does not fit the
# backbone (another depth, missing tensors) instead of training on a partly random one.
gersp_init_cfg = dict(type='Pretrained', checkpoint=gersp_checkpoint, prefix='backbone.', _scope_='gersp_mm')
