# mmdet's runtime, with this package's modules imported, only the last 3 epoch checkpoints kept, and one
# visualizer per run.
_base_ = 'mmdet::_base_/default_runtime.py'

custom_imports = dict(imports=['gersp_mm', 'gersp_mm.det'], allow_failed_imports=False)
# Checkpoints are written atomically and never with NaN/inf tensors; a NaN/inf loss stops the run.
default_hooks = dict(
    checkpoint=dict(type='AtomicCheckpointHook', interval=1, max_keep_ckpts=3),
    non_finite_guard=dict(type='NonFiniteGuardHook'))
# mmdet names its visualizer 'visualizer', so a second Runner in the same process would reuse the first one
# and write into the first run's log folder. Each Runner names this one after its own run, and a name already
# taken in the process gets a suffix; host tools (browse_dataset.py) build it without a name.
visualizer = dict(_delete_=True, type='PerRunDetLocalVisualizer', vis_backends=[dict(type='LocalVisBackend')])
