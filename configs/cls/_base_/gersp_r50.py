# Backbone initialisation shared by every classification config in configs/cls: the same backbone
# and freezing for every pre-training (defect D8: the released code froze stage 1 for the baselines only).
#
# The GeRSP checkpoint: a GeRSP pre-training checkpoint or an exported backbone, i.e. any file whose
# state_dict holds the ResNet-50 weights under `backbone.*`. Change it here for all configs, or per run:
#   python tools/train.py CONFIG --cfg-options model.backbone.init_cfg.checkpoint=path/to/gersp.pth
gersp_checkpoint = 'checkpoints/gersp_r50_backbone.pth'

custom_imports = dict(imports=['gersp_mm', 'gersp_mm.cls'], allow_failed_imports=False)

# Merged into mmpretrain's stock ResNet-50 (plain stem, style='pytorch', BN, frozen_stages=-1,
# norm_eval=False), which stays the same for every pre-training; only init_cfg differs between variants.
# _scope_='gersp_mm': gersp_mm's Pretrained, which stops with one sentence when the checkpoint does not fit the
# backbone (another depth, missing tensors) instead of training on a partly random one.
gersp_backbone = dict(
    init_cfg=dict(type='Pretrained', checkpoint=gersp_checkpoint, prefix='backbone.', _scope_='gersp_mm'))
