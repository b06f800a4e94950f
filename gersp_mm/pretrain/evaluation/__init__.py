# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
from .features import extract_features, pooled_features
from .knn import VOTINGS, knn_classify, knn_votes, split_per_class

__all__ = ['VOTINGS', 'knn_classify', 'knn_votes', 'split_per_class', 'extract_features', 'pooled_features']
