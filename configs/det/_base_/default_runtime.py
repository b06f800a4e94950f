# mmdet's runtime, with this package's modules imported, only the last 3 epoch checkpoints kept, and an unnamed
# visualizer.
_base_ = 'mmdet::_base_/default_runtime.py'

custom_imports = dict(imports=['gersp_mm', 'gersp_mm.det'], allow_failed_imports=False)
# Checkpoints are written atomically and never with NaN/inf tensors; a NaN/inf loss stops the run.
default_hooks = dict(
    checkpoint=dict(type='AtomicCheckpointHook', interval=1, max_keep_ckpts=3),
    non_finite_guard=dict(type='NonFiniteGuardHook'))
# mmdet names its visualizer 'visualizer', so a second Runner in the same process would reuse the first one
# and write into the first run's log folder; unnamed, each Runner names it after its own run.
visualizer = dict(_delete_=True, type='DetLocalVisualizer', vis_backends=[dict(type='LocalVisBackend')])
