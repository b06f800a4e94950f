# mmdet's runtime, with this package's modules imported and only the last 3 epoch checkpoints kept.
_base_ = 'mmdet::_base_/default_runtime.py'

custom_imports = dict(imports=['gersp_mm', 'gersp_mm.det'], allow_failed_imports=False)
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=3))
