# This package's runtime for the oriented-box configs, which inherit mmrotate's complete configs (model, data,
# schedule and mmrotate's default_runtime in one file: mmengine refuses a second base defining the same keys).
# So this base defines only what those configs lack: `custom_imports`, and two variables that each oriented
# config applies (`default_hooks = _base_.rotated_default_hooks`, `visualizer = _base_.rotated_visualizer`).
#
# mmrotate's registries have no import locations: its own tools import its modules before building anything
# (mmrotate.utils.register_all_modules); here the config imports the same four packages.
custom_imports = dict(
    imports=['gersp_mm', 'gersp_mm.det.rotated', 'mmrotate.datasets', 'mmrotate.evaluation', 'mmrotate.models',
             'mmrotate.visualization'],
    allow_failed_imports=False)
# As in ./default_runtime.py: checkpoints written atomically and never with NaN/inf tensors, the last 3 kept; a
# NaN/inf loss stops the run.
rotated_default_hooks = dict(
    checkpoint=dict(type='AtomicCheckpointHook', interval=1, max_keep_ckpts=3),
    non_finite_guard=dict(type='NonFiniteGuardHook'))
# mmrotate's RotLocalVisualizer (paints rotated boxes), one per run as PerRunDetLocalVisualizer in
# ./default_runtime.py: mmrotate names its visualizer 'visualizer', which a second Runner of a process would reuse.
rotated_visualizer = dict(
    _delete_=True, type='PerRunRotLocalVisualizer', vis_backends=[dict(type='LocalVisBackend')])
