# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
import copy
from typing import Callable, Dict, List, Optional, Union

import torch
import torch.nn.functional as F
from mmengine.dist import is_distributed
from mmengine.model import ExponentialMovingAverage
from mmpretrain.models.necks import GlobalAveragePooling
from mmpretrain.models.selfsup import BaseSelfSupervisor
from mmpretrain.models.utils import batch_shuffle_ddp, batch_unshuffle_ddp
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch import nn

from .foreach_ema import ForeachExponentialMovingAverage
from .key_queue import KeyQueue

STUDENT_FORWARDS = ('joint', 'separate')


@MODELS.register_module()
class GeRSP(BaseSelfSupervisor):
    """GeRSP: generic-knowledge boosted remote-sensing pre-training (IEEE TGRS 2024).

    One student network learns from two sources at once: a MoCo-v2 contrastive branch on unlabeled
    remote-sensing (RS) images, against keys from a momentum (EMA) teacher and a queue of negatives, and
    a supervised classification branch on labeled natural images::

        L = InfoNCE(q, k, queue) + alpha * CE(cls_head(f(natural)), label)

    With ``cls_head=None`` the model is MoCo v2 with the same fixes (the paper's MoCo baselines).

    Inputs (after the data preprocessor): ``[rs_view_1, rs_view_2, natural]``, each (N, 3, H, W);
    ``natural`` and the labels in ``data_samples`` only when ``cls_head`` is set.

    Defects of the released code fixed here (see ``docs/defects.md``): the teacher is initialised equal to the
    student after weight init (D2) and EMA-updates its projector too (D1, option ``ema_projector``); the
    queue is a ring buffer for any global batch size (D4); dimensions come from the backbone (D5); it runs
    without torch.distributed, and ``bn_groups`` emulates per-GPU BN statistics on one device (D7).

    Args:
        backbone (dict): Backbone config, e.g. mmpretrain's ``ResNet``; it must expose ``feat_dim`` or
            the neck must set ``in_channels``.
        neck (dict): Projector config (``MoCoV2Neck``); ``in_channels``/``hid_channels`` default to the
            backbone's feature dimension and ``out_channels`` to ``feat_dim``. It is applied to pooled
            features, so ``with_avg_pool`` must be False.
        head (dict): Contrastive head config (``ContrastiveHead`` with its temperature).
        cls_head (dict, optional): Classifier for the natural images (``LinearClsHead``);
            ``in_channels`` defaults to the backbone's feature dimension. None disables the supervised
            branch. Defaults to None.
        queue_len (int): Number of negative keys in the queue. Defaults to 65536.
        feat_dim (int): Dimension of the projected keys/queries. Defaults to 128.
        momentum (float): Teacher update rate in mmengine's convention,
            ``teacher = (1 - momentum) * teacher + momentum * student``; MoCo's ``m`` is
            ``1 - momentum`` (the paper's m = 0.999 is ``momentum=0.001``). Defaults to 0.001.
        alpha (float): Weight of the supervised loss. Defaults to 1.0.
        ema_projector (bool): EMA-update the teacher projector (MoCo v2 semantics). False reproduces the
            released code, whose teacher projector stays frozen (here: a frozen copy of the initial
            student projector). Defaults to True.
        student_forward (str): ``'joint'`` forwards ``cat([rs_view_1, natural])`` through the student
            in one batch, so its BN statistics mix both domains (released code); ``'separate'`` forwards
            each source on its own. Defaults to ``'joint'``.
        bn_groups (int): Split each per-process batch into this many groups, each forwarded separately
            with its own BN statistics; when not distributed, the teacher's key batch is also shuffled
            before the split (shuffle-BN). Set it to the number of GPUs to emulate, e.g. 8 on one device
            to reproduce 8 x 32 statistics. Defaults to 1.
        foreach_ema (bool): Update the teacher with one fused (foreach) operation per step instead of
            one per parameter (:class:`ForeachExponentialMovingAverage`; same result, fewer kernel
            launches and no host-device synchronisation). Defaults to False.
        channels_last (bool): Keep the convolution weights and the input views in the channels-last
            memory format (faster convolutions on tensor-core GPUs, above all under bf16 autocast; the
            same results up to float rounding). Defaults to False.
        data_preprocessor (dict, optional): Defaults to ``DualSourceDataPreprocessor``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 cls_head: Optional[dict] = None,
                 queue_len: int = 65536,
                 feat_dim: int = 128,
                 momentum: float = 0.001,
                 alpha: float = 1.0,
                 ema_projector: bool = True,
                 student_forward: str = 'joint',
                 bn_groups: int = 1,
                 foreach_ema: bool = False,
                 channels_last: bool = False,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        if student_forward not in STUDENT_FORWARDS:
            raise ValueError(f'student_forward must be one of {STUDENT_FORWARDS}, got {student_forward!r}')
        if bn_groups < 1:
            raise ValueError(f'bn_groups must be >= 1, got {bn_groups}')
        if not 0 < momentum <= 1:
            raise ValueError(f'momentum (mmengine convention, 1 - MoCo m) must be in (0, 1], got {momentum}')
        if data_preprocessor is None:
            data_preprocessor = dict(type='DualSourceDataPreprocessor')
        backbone = MODELS.build(backbone) if isinstance(backbone, dict) else backbone
        in_channels = getattr(backbone, 'feat_dim', None)
        neck = self._complete_neck(neck, in_channels, feat_dim)
        super().__init__(backbone=backbone, neck=neck, head=head,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.pool = GlobalAveragePooling()
        self.cls_head = None
        if cls_head is not None:
            cls_head = dict(cls_head)
            if in_channels is not None:
                cls_head.setdefault('in_channels', in_channels)
            self.cls_head = MODELS.build(cls_head)
        self.alpha = alpha
        self.student_forward = student_forward
        self.bn_groups = bn_groups
        self.channels_last = channels_last
        self._build_teacher(momentum, ema_projector, foreach_ema)
        self.queue = KeyQueue(queue_len, feat_dim)
        if channels_last:
            self.to(memory_format=torch.channels_last)

    @staticmethod
    def _complete_neck(neck: dict, in_channels: Optional[int], feat_dim: int) -> dict:
        neck = dict(neck)
        if neck.get('with_avg_pool', False):
            raise ValueError('GeRSP pools the backbone features itself: set neck.with_avg_pool=False')
        neck['with_avg_pool'] = False
        if in_channels is None and 'in_channels' not in neck:
            raise ValueError('The backbone has no `feat_dim` attribute: set neck.in_channels')
        neck.setdefault('in_channels', in_channels)
        neck.setdefault('hid_channels', neck['in_channels'])
        if neck.setdefault('out_channels', feat_dim) != feat_dim:
            raise ValueError(f'neck.out_channels ({neck["out_channels"]}) must equal feat_dim ({feat_dim}), '
                             'the dimension of the queued keys')
        return neck

    # The momentum teacher: the four methods below hold all that the ``ema_projector`` option (D1) changes.

    def _build_teacher(self, momentum: float, ema_projector: bool, foreach_ema: bool) -> None:
        """Build the teacher from the student (its weights are copied by :meth:`init_weights`).

        With ``ema_projector`` (MoCo v2), ``teacher`` is an EMA of the student's backbone, pooling and projector
        and ``teacher_projector`` is None. Without (the released code), ``teacher`` is an EMA of the backbone and
        pooling only, followed by ``teacher_projector``, a frozen copy of the student's initial projector.
        """
        self.ema_projector = ema_projector
        average = ForeachExponentialMovingAverage if foreach_ema else ExponentialMovingAverage
        self.teacher = average(self._teacher_source(), momentum)
        self.teacher_projector = None if ema_projector else copy.deepcopy(self.neck).requires_grad_(False)

    def _teacher_source(self) -> nn.Sequential:
        """The part of the student the EMA teacher tracks, in the teacher's module layout
        (``teacher.module.0`` backbone, ``.1`` pooling, ``.2`` projector with ``ema_projector``)."""
        source = nn.Sequential(self.backbone, self.pool)
        if self.ema_projector:
            source.append(self.neck)
        return source

    def _copy_student_to_teacher(self) -> None:
        """Make the teacher, and the frozen teacher projector if any, exact copies of the student (fixes D2)."""
        with torch.no_grad():
            self.teacher.module.load_state_dict(self._teacher_source().state_dict())
            if self.teacher_projector is not None:
                self.teacher_projector.load_state_dict(self.neck.state_dict())

    def _teacher_projection(self, images: torch.Tensor) -> torch.Tensor:
        """The teacher's projections (n, feat_dim) of images (n, 3, H, W), before normalisation."""
        feats = self.teacher(images)[0]
        return feats if self.teacher_projector is None else self.teacher_projector((feats, ))[0]

    def init_weights(self) -> None:
        """Initialise the student, then make the teacher an exact copy of it (fixes D2).

        Random initialisers fill tensors in memory order, so with ``channels_last`` the weights are drawn in
        the standard layout and converted afterwards: a seed gives the same weights either way.
        """
        if self.channels_last:
            self.to(memory_format=torch.contiguous_format)
        super().init_weights()
        self._copy_student_to_teacher()
        if self.channels_last:
            self.to(memory_format=torch.channels_last)

    def _pooled(self, images: torch.Tensor) -> torch.Tensor:
        """The student's pooled backbone features (n, C) of images (n, 3, H, W)."""
        return self.pool(self.backbone(images))[0]

    def _forward_in_groups(self, encoder: Callable[[torch.Tensor], torch.Tensor],
                           views: List[torch.Tensor]) -> List[torch.Tensor]:
        """Forward ``views`` through ``encoder`` as one batch per BN group.

        Args:
            encoder (callable): Maps images (n, 3, H, W) to features (n, C).
            views (list[Tensor]): Image batches forwarded together (their BN statistics are shared).

        Returns:
            list[Tensor]: Features of each view, in input order.
        """
        chunks = [view.tensor_split(self.bn_groups) for view in views]
        if any(chunk.size(0) == 0 for per_view in chunks for chunk in per_view):
            raise ValueError(f'bn_groups={self.bn_groups} is larger than the per-process batch '
                             f'({[view.size(0) for view in views]})')
        per_group = []
        for group in range(self.bn_groups):
            group_views = [per_view[group] for per_view in chunks]
            feats = encoder(torch.cat(group_views))
            per_group.append(feats.split([view.size(0) for view in group_views]))
        return [torch.cat([feats[i] for feats in per_group]) for i in range(len(views))]

    def _teacher_keys(self, images: torch.Tensor) -> torch.Tensor:
        """Normalised keys (N, feat_dim) of the teacher, with shuffle-BN (no gradient)."""
        if is_distributed():
            images, unshuffle = batch_shuffle_ddp(images)
        elif self.bn_groups > 1:
            # Emulate the cross-GPU shuffle: a permutation derived from the update count, so that a
            # resumed run draws the same permutations as an uninterrupted one.
            generator = torch.Generator().manual_seed(int(self.teacher.steps))
            shuffle = torch.randperm(images.size(0), generator=generator).to(images.device)
            images, unshuffle = images[shuffle], torch.argsort(shuffle)
        keys = F.normalize(self._forward_in_groups(self._teacher_projection, [images])[0], dim=1)
        if is_distributed():
            keys = batch_unshuffle_ddp(keys, unshuffle)
        elif self.bn_groups > 1:
            keys = keys[unshuffle]
        return keys

    def _check_labels(self, data_samples: List[DataSample]) -> None:
        """Refuse a label outside the classifier's range ``[0, num_classes)``, naming its image.

        The labels' one range check: it sees every batch, from a config's ``DualSourceDataset`` or from Python;
        the cross-entropy would fail without naming the image (on a GPU, with a device-side assertion).
        """
        labels = torch.cat([sample.gt_label for sample in data_samples])
        num_classes = self.cls_head.num_classes
        bad = ((labels < 0) | (labels >= num_classes)).nonzero()
        if len(bad):
            sample = data_samples[int(bad[0])]
            raise ValueError(f'Label {int(labels[bad[0]])} of {sample.get("img_path", "a natural image")} '
                             f'is outside the classifier range [0, {num_classes}): check cls_head.num_classes '
                             'against the natural dataset classes')

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """Compute the GeRSP losses of one batch.

        Args:
            inputs (list[Tensor]): ``[rs_view_1, rs_view_2]`` plus ``natural`` when the supervised branch
                is enabled, each of shape (N, 3, H, W).
            data_samples (list[DataSample]): Samples holding ``gt_label`` of the natural images.

        Returns:
            dict[str, Tensor]: ``loss_contrastive`` and, with a classifier, ``loss_cls`` (already weighted
            by ``alpha``) and the classifier's ``accuracy_top-k`` (logged, not summed).

        Raises:
            ValueError: When the number of views is wrong, or a label is outside the classifier's range
                (naming its image), before anything is computed or updated.
        """
        expected = 2 if self.cls_head is None else 3
        if len(inputs) != expected:
            raise ValueError(f'GeRSP expects {expected} input views (rs_view_1, rs_view_2'
                             f'{", natural" if expected == 3 else ""}), got {len(inputs)}')
        if self.cls_head is not None:
            self._check_labels(data_samples)
        if self.channels_last:
            inputs = [view.contiguous(memory_format=torch.channels_last) for view in inputs]
        rs_query, rs_key = inputs[0], inputs[1]
        if self.cls_head is None:
            (query_feats, ) = self._forward_in_groups(self._pooled, [rs_query])
        elif self.student_forward == 'joint':
            query_feats, natural_feats = self._forward_in_groups(self._pooled, [rs_query, inputs[2]])
        else:
            (query_feats, ) = self._forward_in_groups(self._pooled, [rs_query])
            (natural_feats, ) = self._forward_in_groups(self._pooled, [inputs[2]])
        query = F.normalize(self.neck((query_feats, ))[0], dim=1)

        with torch.no_grad():
            self.teacher.update_parameters(self._teacher_source())
            key = self._teacher_keys(rs_key)

        pos = (query * key).sum(dim=1, keepdim=True)
        neg = query @ self.queue.keys.clone().t()
        losses = dict(loss_contrastive=self.head.loss(pos, neg))
        if self.cls_head is not None:
            cls_losses = self.cls_head.loss((natural_feats, ), data_samples)
            losses['loss_cls'] = self.alpha * cls_losses.pop('loss')
            losses.update(cls_losses)
        self.queue.enqueue(key)
        return losses
