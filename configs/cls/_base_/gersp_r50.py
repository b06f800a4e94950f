# Backbone initialisation shared by every classification config in configs/cls (the inits themselves:
# configs/_base_/backbone_inits.py).
_base_ = '../../_base_/backbone_inits.py'

custom_imports = dict(imports=['gersp_mm', 'gersp_mm.cls'], allow_failed_imports=False)

# Merged into mmpretrain's stock ResNet-50 (plain stem, style='pytorch', BN, frozen_stages=-1,
# norm_eval=False), which stays the same for every pre-training; only init_cfg differs between variants.
gersp_backbone = dict(init_cfg=_base_.gersp_init_cfg)
