# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Remote-sensing object detection, built on mmdet. Modules register into mmdet's registries."""
