# GeRSP on ONE GPU with the paper's total batch (256 + 256) and its per-GPU BN statistics: each batch is
# forwarded as 8 groups of 32 + 32 (split BN), the teacher's keys shuffled across groups (shuffle-BN).
# Needs a large-memory GPU (or lower batch_size and bn_groups together, with --auto-scale-lr).
_base_ = './gersp_r50.py'

model = dict(bn_groups=8)
train_dataloader = dict(batch_size=256, num_workers=16)
