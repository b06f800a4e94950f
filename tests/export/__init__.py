# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
