# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Remote-sensing scene classification, built on mmpretrain. Modules register into mmpretrain's registries."""
