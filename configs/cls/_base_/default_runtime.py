# mmpretrain's runtime, with a fixed default seed (select another with --cfg-options randomness.seed=N),
# a checkpoint every 10 epochs (the last two kept) and a log line every 10 iterations.
_base_ = 'mmpretrain::_base_/default_runtime.py'
# Checkpoints are written atomically and never with NaN/inf tensors; a NaN/inf loss stops the run.
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(type='AtomicCheckpointHook', interval=10, max_keep_ckpts=2),
    non_finite_guard=dict(type='NonFiniteGuardHook'))
randomness = dict(seed=0, deterministic=False)
