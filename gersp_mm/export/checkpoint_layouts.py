# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The checkpoint layouts that hold a ResNet: where each keeps its (student) backbone.

mmdet, mmseg and mmpretrain's ``ResNet`` (``style='pytorch'``) use torchvision's parameter names, so a
backbone is the same set of tensors in every layout; only the key prefix and the wrapping differ.
"""
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Tuple


class Layout(NamedTuple):
    """A checkpoint layout that holds a ResNet.

    Attributes:
        name (str): Short name, printed by the tools and stored in the export's metadata.
        description (str): What writes such checkpoints.
        prefix (str): Key prefix of the student backbone.
        markers (tuple[str]): Keys whose presence identifies the layout.
        classifier (str, optional): Key prefix (``weight``/``bias``) of a linear classifier on the backbone
            features, when the layout has one.
    """
    name: str
    description: str
    prefix: str
    markers: Tuple[str, ...]
    classifier: Optional[str] = None


#: The known layouts, most specific first (the first whose markers are all present is taken).
LAYOUTS: List[Layout] = [
    Layout('gersp_mm', 'GeRSP pre-training checkpoint of gersp_mm (student = backbone.*)', 'backbone.',
           ('teacher.module.0.conv1.weight', 'queue.keys'), classifier='cls_head.fc.'),
    # MoCoGeRSP of the authors' mmselfsup 0.x fork: encoder_q is the student ResNet itself (backbone.* is the
    # same module), encoder_k the teacher, proj_q/proj_k the projectors, pred_q.0 the natural-image classifier.
    Layout('gersp_released', "the authors' released GeRSP checkpoint (mmselfsup 0.x MoCoGeRSP: student "
           'encoder_q.* = backbone.*, teacher encoder_k.*, proj_q/proj_k, classifier pred_q.0, queue)',
           'encoder_q.', ('encoder_q.conv1.weight', 'pred_q.0.weight'), classifier='pred_q.0.'),
    Layout('mmselfsup0_moco', 'MoCo checkpoint of mmselfsup 0.x (encoder_q = [backbone, neck], queue)',
           'backbone.', ('encoder_q.0.conv1.weight', 'queue')),
    Layout('mmpretrain_moco', 'MoCo checkpoint of mmpretrain / mmselfsup 1.x (backbone.*, encoder_k.*, queue)',
           'backbone.', ('encoder_k.module.0.conv1.weight', 'queue')),
    Layout('mm_model', 'OpenMMLab model checkpoint (backbone.*)', 'backbone.', ('backbone.conv1.weight', )),
    Layout('moco_official', 'official MoCo checkpoint (module.encoder_q.*)', 'module.encoder_q.',
           ('module.encoder_q.conv1.weight', )),
    Layout('torchvision_ddp', 'torchvision ResNet state dict saved from DDP (module.*)', 'module.',
           ('module.conv1.weight', 'module.layer1.0.conv1.weight'), classifier='module.fc.'),
    Layout('torchvision', 'torchvision ResNet state dict', '', ('conv1.weight', 'layer1.0.conv1.weight'),
           classifier='fc.'),
]
def checkpoint_state_dict(checkpoint: dict) -> Dict[str, Any]:
    """The state dict of a loaded checkpoint: its ``state_dict`` or ``model`` entry, else the dict itself."""
    for key in ('state_dict', 'model'):
        if isinstance(checkpoint.get(key), dict):
            return checkpoint[key]
    return checkpoint


def find_layout(state_dict: Mapping[str, Any]) -> Optional[Layout]:
    """The first of :data:`LAYOUTS` whose marker keys are all in ``state_dict``, or None."""
    return next((layout for layout in LAYOUTS if all(marker in state_dict for marker in layout.markers)), None)
