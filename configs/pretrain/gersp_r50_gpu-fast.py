# The GPU data path plus the step-efficiency options, for one fast GPU (e.g. an H100) per process:
# bf16 autocast (mmengine's AmpOptimWrapper; its dynamic loss scaler is harmless for bf16), channels-last
# convolutions, one fused EMA update of the teacher.
# The same algorithm as gersp_r50.py up to bf16 rounding (tests compare it with the fp32 path on CPU).
#   tools/dist_train.sh configs/pretrain/gersp_r50_gpu-fast.py 8
# On a machine without a GPU, `tools/train.py ... --amp` runs it with CPU bf16 autocast instead.
_base_ = './gersp_r50_gpu-aug.py'

model = dict(foreach_ema=True, channels_last=True)
optim_wrapper = dict(type='AmpOptimWrapper', dtype='bfloat16')
# compile = True  # mmengine's option: torch.compile of the train step (the data preprocessor is excluded)
