# Backbone initialisation shared by every segmentation config in configs/seg (defect D8 of SPEC.md).
#
# The GeRSP checkpoint: a GeRSP pre-training checkpoint or an exported backbone, i.e. any file whose
# state_dict holds the ResNet-50 weights under `backbone.*`. Change it here for all configs, or per run:
#   python tools/train.py CONFIG --cfg-options model.backbone.init_cfg.checkpoint=path/to/gersp.pth
gersp_checkpoint = 'checkpoints/gersp_r50_backbone.pth'

custom_imports = dict(imports=['gersp_mm', 'gersp_mm.seg'], allow_failed_imports=False)

# mmseg's Potsdam/LoveDA models use ResNetV1c (deep 3x3 stem, initialised from open-mmlab://resnet50_v1c).
# GeRSP, ImageNet (torchvision) and random-init backbones are all the plain ResNet-50 (7x7 stem), so the
# model configs merge this dict into mmseg's backbone: mmseg's stock `ResNet` with mmseg's depth, strides,
# dilations, contract_dilation, norm (SyncBN, norm_eval=False) and freezing (frozen_stages=-1) kept, the
# same for every pre-training. The model configs also set `pretrained=None` (mmseg's default
# `open-mmlab://resnet50_v1c` cannot be combined with init_cfg).
gersp_backbone = dict(
    type='ResNet',
    init_cfg=dict(type='Pretrained', checkpoint=gersp_checkpoint, prefix='backbone.'))
