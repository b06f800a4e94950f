# A user's config outside this repository: inherits an installed gersp_mm config through `gersp_mm::`.
_base_ = 'gersp_mm::pretrain/gersp_r18_tiny.py'
model = dict(alpha=0.5)
