# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
import time
from typing import Optional, Sequence, Tuple, Union

import torch
from mmengine.hooks import Hook, LoggerHook
from mmengine.model import is_model_wrapper
from mmpretrain.evaluation import Accuracy
from mmpretrain.registry import DATASETS, HOOKS
from torch import nn

from ..evaluation import VOTINGS, extract_features, knn_classify, split_per_class


@HOOKS.register_module()
class KNNMonitorHook(Hook):
    """Monitor the student's representation during pre-training with a k-NN classifier.

    Every ``interval`` epochs (or iterations, ``by_epoch=False``), the features of the student backbone
    (its last output, global-average-pooled: GeRSP's own pooling) are extracted (:func:`extract_features`)
    for a small labeled set: the memory bank and the queries. Each query is classified by
    :func:`knn_classify` (cosine similarity, ``k`` neighbours, temperature-weighted or majority votes) and
    the accuracies, in percent as mmpretrain's ``Accuracy``, go to

    - the message hub, as ``<prefix>/knn_top1`` (and ``<prefix>/knn_top5`` when the memory bank holds
      at least 5 classes; a class counts for top-5 only when a neighbour voted for it);
    - the visualizer (``vis_data/scalars.json``, TensorBoard, ... at the step of the iterations done,
      with ``epoch``/``iter`` as in mmengine's training records);
    - the log, with the set sizes and the time taken.

    The labeled set is either one dataset split per class with a fixed seed (``dataset``,
    ``memory_per_class``, ``query_per_class``) or two datasets (``memory_dataset``, ``query_dataset``,
    used whole), e.g. the train and test lists of an NWPU-RESISC45 split. Labels are read from the
    datasets' ``gt_label`` data info. Images are decoded by the datasets' pipelines, which must produce
    one image size (e.g. ``Resize``) and no random augmentation, then normalised like the model's
    inputs: the mean, std and BGR -> RGB conversion of the model's data preprocessor (for GeRSP: the
    remote-sensing statistics), or ``mean``/``std``/``to_rgb`` given here.

    The backbone is put in eval mode (BN running statistics, no update) under ``torch.no_grad`` and
    each of its modules gets its previous mode back. Under DDP every rank extracts an interleaved
    shard of the images (the last shard is filled up by repeating images, so no rank is idle), the
    features are all-gathered, and every rank computes the same k-NN result (the logger and
    visualizer write on rank 0): no rank waits for another beyond the gather.

    Cost: one no-gradient forward of the backbone per image of the set, divided over the ranks, plus a
    (queries x memory) similarity matrix (computed in chunks of 1,024 queries). NWPU-RESISC45 with
    20 + 10 images per class (1,350 images, ``gersp_r50_knn-monitor.py``) is about 0.04% of the forward
    passes of one epoch of the paper recipe (~5,000 iterations x 8 GPUs x 96 images), measured every 5
    epochs. Measured on 2 CPU cores: ResNet-50 at 224 px, 0.24 s per image (135 images in 32 s); the
    tiny test set (6 images, ResNet-18 at 64 px) takes under 0.1 s. The datasets are built once, in
    ``before_train``, where a bad configuration also fails.

    Tiny sets work: ``k`` is capped at the memory bank size, a class with one image goes to the memory
    bank, and with fewer images than ranks the shards repeat images.

    Args:
        dataset (dict, optional): Config of one labeled dataset, split per class by the seeded
            permutation of its samples: the first ``memory_per_class`` go to the memory bank, the next
            ``query_per_class`` are queries.
        memory_per_class (int | float): Memory images per class: a count (>= 1) or a fraction of the
            class in (0, 1) (rounded half up). Each class keeps at least one memory image. Defaults to 0.5.
        query_per_class (int | float, optional): Query images per class, a count (>= 1) or fraction
            in (0, 1]; fewer when the class runs out. None: all the images not in the memory bank.
            Defaults to None.
        split_seed (int): Seed of the per-class permutation. Defaults to 0.
        memory_dataset (dict, optional): Config of the memory bank dataset (with ``query_dataset``,
            instead of ``dataset``).
        query_dataset (dict, optional): Config of the query dataset.
        interval (int): Measure every ``interval`` epochs (``by_epoch=True``) or training iterations.
            Defaults to 1.
        by_epoch (bool): Count ``interval`` in epochs (at the end of an epoch) or in iterations.
            Defaults to True.
        k (int): Number of neighbours (capped at the memory bank size). Defaults to 20.
        temperature (float): Temperature of the weighted votes. Defaults to 0.07.
        voting (str): ``'weighted'`` (``exp(similarity / temperature)`` per neighbour, the SSL protocol)
            or ``'majority'`` (one vote per neighbour, ties broken by summed similarity).
            Defaults to ``'weighted'``.
        batch_size (int): Images per forward. Defaults to 64.
        num_workers (int): Data-loading workers of the monitor. Defaults to 0.
        mean (Sequence[float], optional): Per-channel mean, after ``to_rgb``. None: the model's data
            preprocessor's. Defaults to None.
        std (Sequence[float], optional): Per-channel std. None: the data preprocessor's.
        to_rgb (bool, optional): Convert the decoded BGR images to RGB. None: as the data preprocessor
            does. Defaults to None.
        prefix (str): Prefix of the logged keys. Defaults to ``'monitor'``.
    """

    def __init__(self,
                 dataset: Optional[dict] = None,
                 memory_per_class: Union[int, float] = 0.5,
                 query_per_class: Optional[Union[int, float]] = None,
                 split_seed: int = 0,
                 memory_dataset: Optional[dict] = None,
                 query_dataset: Optional[dict] = None,
                 interval: int = 1,
                 by_epoch: bool = True,
                 k: int = 20,
                 temperature: float = 0.07,
                 voting: str = 'weighted',
                 batch_size: int = 64,
                 num_workers: int = 0,
                 mean: Optional[Sequence[float]] = None,
                 std: Optional[Sequence[float]] = None,
                 to_rgb: Optional[bool] = None,
                 prefix: str = 'monitor') -> None:
        if (dataset is None) == (memory_dataset is None and query_dataset is None) or \
                (memory_dataset is None) != (query_dataset is None):
            raise ValueError('KNNMonitorHook needs either `dataset` (split per class) or both `memory_dataset` '
                             'and `query_dataset`')
        _check_per_class('memory_per_class', memory_per_class, allow_one=False)
        if query_per_class is not None:
            _check_per_class('query_per_class', query_per_class, allow_one=True)
        for name, value in (('interval', interval), ('k', k), ('batch_size', batch_size)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f'{name} must be an integer >= 1, got {value!r}')
        if num_workers < 0:
            raise ValueError(f'num_workers must be >= 0, got {num_workers}')
        if temperature <= 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        if voting not in VOTINGS:
            raise ValueError(f'voting must be one of {VOTINGS}, got {voting!r}')
        if (mean is None) != (std is None):
            raise ValueError('Give both `mean` and `std`, or neither (to use the data preprocessor\'s)')
        self.dataset_cfgs = dict(dataset=dataset, memory=memory_dataset, query=query_dataset)
        self.memory_per_class = memory_per_class
        self.query_per_class = query_per_class
        self.split_seed = split_seed
        self.interval = interval
        self.by_epoch = by_epoch
        self.k = k
        self.temperature = temperature
        self.voting = voting
        self.batch_size = batch_size
        self.num_workers = num_workers
        self.mean = mean
        self.std = std
        self.to_rgb = to_rgb
        self.prefix = prefix

    def before_train(self, runner) -> None:
        """Build the labeled set, split it, and resolve the normalisation (fails early on bad input)."""
        model = self._unwrap(runner.model)
        if self.dataset_cfgs['dataset'] is not None:
            dataset = DATASETS.build(self.dataset_cfgs['dataset'])
            labels = _labels_of(dataset)
            memory_idx, query_idx = split_per_class(labels, self.memory_per_class, self.query_per_class,
                                                    self.split_seed)
            self.memory = (dataset, memory_idx, labels[memory_idx])
            self.query = (dataset, query_idx, labels[query_idx])
        else:
            memory = DATASETS.build(self.dataset_cfgs['memory'])
            query = DATASETS.build(self.dataset_cfgs['query'])
            memory_labels, query_labels = _labels_of(memory), _labels_of(query)
            self.memory = (memory, list(range(len(memory))), memory_labels)
            self.query = (query, list(range(len(query))), query_labels)
        if len(self.memory[1]) == 0 or len(self.query[1]) == 0:
            raise ValueError(f'KNNMonitorHook: the labeled set gives {len(self.memory[1])} memory and '
                             f'{len(self.query[1])} query images; both must be non-empty')
        self.num_classes = int(max(self.memory[2].max(), self.query[2].max())) + 1
        self.topk = (1, 5) if len(self.memory[2].unique()) >= 5 else (1, )
        self.norm = self._normalisation(model)
        runner.logger.info(f'KNNMonitorHook: {len(self.memory[1])} memory and {len(self.query[1])} query images '
                           f'of {len(self.memory[2].unique())} classes, {self.k}-NN with {self.voting} votes, '
                           f'every {self.interval} {"epoch" if self.by_epoch else "iteration"}(s)')

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if not self.by_epoch and self.every_n_train_iters(runner, self.interval):
            self._measure(runner, step=runner.iter + 1)

    def after_train_epoch(self, runner) -> None:
        if self.by_epoch and self.every_n_epochs(runner, self.interval):
            self._measure(runner, step=runner.iter)

    @staticmethod
    def _unwrap(model: nn.Module) -> nn.Module:
        model = model.module if is_model_wrapper(model) else model
        if not isinstance(getattr(model, 'backbone', None), nn.Module):
            raise TypeError(f'KNNMonitorHook needs a model with a `backbone`, got {type(model).__name__}')
        return model

    def _normalisation(self, model: nn.Module) -> Tuple[Optional[torch.Tensor], Optional[torch.Tensor], bool]:
        """(mean (3, 1, 1) or None, std (3, 1, 1) or None, BGR -> RGB) applied to the uint8 images."""
        preprocessor = getattr(model, 'data_preprocessor', None)
        to_rgb = self.to_rgb if self.to_rgb is not None else bool(getattr(preprocessor, '_channel_conversion', False))
        if self.mean is not None:
            return torch.tensor(self.mean).view(-1, 1, 1), torch.tensor(self.std).view(-1, 1, 1), to_rgb
        if not hasattr(preprocessor, '_enable_normalize'):
            raise ValueError(f'KNNMonitorHook cannot read the normalisation of {type(preprocessor).__name__}: '
                             'set its `mean` and `std`')
        if not preprocessor._enable_normalize:
            return None, None, to_rgb
        return preprocessor.mean.detach().cpu(), preprocessor.std.detach().cpu(), to_rgb

    def _measure(self, runner, step: int) -> None:
        start = time.perf_counter()
        model = self._unwrap(runner.model)
        modes = [(module, module.training) for module in model.backbone.modules()]
        model.backbone.eval()
        try:
            with torch.no_grad():
                memory_feats, query_feats = (
                    extract_features(model.backbone, dataset, indices, self.batch_size, self.num_workers, *self.norm)
                    for dataset, indices, _ in (self.memory, self.query))
        finally:
            for module, training in modes:
                module.training = training
        memory_labels, query_labels = self.memory[2].to(memory_feats.device), self.query[2]
        scores = knn_classify(query_feats, memory_feats, memory_labels, self.num_classes, self.k, self.temperature,
                              self.voting).cpu()
        accuracies = Accuracy.calculate(scores, query_labels, topk=self.topk)
        results = {f'{self.prefix}/knn_top{k}': float(acc[0]) for k, acc in zip(self.topk, accuracies)}
        for key, value in results.items():
            runner.message_hub.update_scalar(key, value)
        records = dict(results, iter=step)
        if runner.log_processor.by_epoch:
            records['epoch'] = runner.epoch + 1
        # also into the LoggerHook's json log, next to the training records
        logger_hooks = [hook for hook in runner.hooks if isinstance(hook, LoggerHook)]
        json_log = logger_hooks[0].json_log_path if logger_hooks else None
        runner.visualizer.add_scalars(records, step=step, file_path=json_log)
        summary = '  '.join(f'{key}: {value:.2f}' for key, value in results.items())
        runner.logger.info(f'k-NN monitor (epoch {runner.epoch + 1}, iter {step}): {summary}  '
                           f'({len(self.memory[1])} memory / {len(self.query[1])} query images, '
                           f'{time.perf_counter() - start:.2f} s)')


def _labels_of(dataset) -> torch.Tensor:
    """Labels (N, ) of a dataset from its data info, without loading the images."""
    labels = []
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        if 'gt_label' not in info:
            raise ValueError(f'KNNMonitorHook needs a labeled dataset: sample {index} of '
                             f'{type(dataset).__name__} has no gt_label')
        labels.append(int(info['gt_label']))
    if not labels:
        raise ValueError(f'KNNMonitorHook: the dataset {type(dataset).__name__} is empty')
    labels = torch.tensor(labels)
    if labels.min() < 0:
        raise ValueError(f'KNNMonitorHook: negative label {int(labels.min())} in {type(dataset).__name__}')
    return labels


def _check_per_class(name: str, value: Union[int, float], allow_one: bool) -> None:
    upper = 'in (0, 1]' if allow_one else 'in (0, 1)'
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f'{name} must be a count >= 1 or a fraction {upper}, got {value!r}')
    if isinstance(value, int) and value < 1:
        raise ValueError(f'{name} must be a count >= 1 or a fraction {upper}, got {value}')
    if isinstance(value, float) and not (0 < value < 1 or (allow_one and value == 1)):
        raise ValueError(f'{name} must be a count >= 1 or a fraction {upper}, got {value}')
