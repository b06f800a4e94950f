# Backbone initialisation shared by every segmentation config in configs/seg (the inits themselves:
# configs/_base_/backbone_inits.py).
_base_ = '../../_base_/backbone_inits.py'

custom_imports = dict(imports=['gersp_mm', 'gersp_mm.seg'], allow_failed_imports=False)

# mmseg's Potsdam/LoveDA models use ResNetV1c (deep 3x3 stem, initialised from open-mmlab://resnet50_v1c).
# GeRSP, ImageNet (torchvision) and random-init backbones are all the plain ResNet-50 (7x7 stem), so the
# model configs merge this dict into mmseg's backbone: mmseg's stock `ResNet` with mmseg's depth, strides,
# dilations, contract_dilation, norm (SyncBN, norm_eval=False) and freezing (frozen_stages=-1) kept, the
# same for every pre-training. The model configs also set `pretrained=None` (mmseg's default
# `open-mmlab://resnet50_v1c` cannot be combined with init_cfg).
gersp_backbone = dict(
    type='ResNet',
    init_cfg=_base_.gersp_init_cfg)

# Crash safety, merged into each config's default_hooks (`default_hooks = _base_.crash_safe_hooks`; a list of
# bases cannot define default_hooks twice): checkpoints written atomically and never with NaN/inf tensors,
# and a NaN/inf loss stops the run before the update.
crash_safe_hooks = dict(
    checkpoint=dict(type='AtomicCheckpointHook'),
    non_finite_guard=dict(type='NonFiniteGuardHook'))
