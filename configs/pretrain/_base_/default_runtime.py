_base_ = 'mmpretrain::_base_/default_runtime.py'

custom_imports = dict(imports=['gersp_mm', 'gersp_mm.pretrain'], allow_failed_imports=False)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50),
    # one checkpoint per epoch, keeping the last 3 (the final one among them), not 100 (defect D13); written
    # atomically, old ones deleted only after the new one is complete, never with NaN/inf tensors
    checkpoint=dict(type='AtomicCheckpointHook', interval=1, max_keep_ckpts=3, save_last=True),
    # a NaN/inf loss stops the run before the update and before any checkpoint of it (action='skip' to skip)
    non_finite_guard=dict(type='NonFiniteGuardHook'))
# resume from an iteration checkpoint continues with the next batch, reading no image twice
custom_hooks = [dict(type='FastForwardSamplerHook')]
env_cfg = dict(dist_cfg=dict(backend='nccl'))
randomness = dict(seed=0, deterministic=False)
# Visualizer: LocalVisBackend writes <work_dir>/<timestamp>/vis_data/scalars.json, which
# tools/analysis_tools/plot_curves.py plots. To log to TensorBoard as well:
#   visualizer = dict(vis_backends=[dict(type='LocalVisBackend'), dict(type='TensorboardVisBackend')])
# (--cfg-options visualizer.vis_backends.0.type=TensorboardVisBackend switches to TensorBoard only.)
