# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Remote-sensing semantic segmentation, built on mmsegmentation. Modules register into mmseg's registries."""
