# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
from .atomic_checkpoint_hook import AtomicCheckpointHook, NonFiniteCheckpointError
from .non_finite_guard_hook import NonFiniteGuardHook, NonFiniteLossError

__all__ = ['AtomicCheckpointHook', 'NonFiniteCheckpointError', 'NonFiniteGuardHook', 'NonFiniteLossError']
