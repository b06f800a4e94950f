# The backbone initialisations every downstream config (configs/det, configs/seg, configs/cls) chooses from,
# in one place. Each config family merges them into its host library's stock ResNet-50 with the same freezing
# and normalisation for every initialisation (the released code froze stage 1 for the baselines only: defect D8).
#
# The GeRSP checkpoint: a GeRSP pre-training checkpoint written by tools/train.py (e.g.
# work_dirs/gersp_r50/epoch_100.pth) or a backbone exported from one, i.e. any file whose state_dict holds the
# ResNet-50 under `backbone.*`. Change it here for all configs, or per run:
#   python tools/train.py CONFIG --cfg-options model.backbone.init_cfg.checkpoint=path/to/gersp.pth
gersp_checkpoint = 'checkpoints/gersp_r50_backbone.pth'
# _scope_='gersp_mm': gersp_mm's Pretrained, which stops with one sentence when the checkpoint does not fit the
# backbone (another depth, missing tensors) instead of training on a partly random one.
gersp_init_cfg = dict(type='Pretrained', checkpoint=gersp_checkpoint, prefix='backbone.', _scope_='gersp_mm')
# torchvision's ImageNet-1k supervised ResNet-50, in place of the GeRSP init_cfg of the config it is merged into.
in1k_init_cfg = dict(_delete_=True, type='Pretrained', checkpoint='torchvision://resnet50')
