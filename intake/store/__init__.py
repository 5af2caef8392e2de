"""The database: Tortoise models, migrations and wiring (:mod:`intake.store.db`).

Tortoise reads every model class's source (``inspect.getsource`` and a regex over it) to turn ``#:``
comments into field descriptions: about 0.17 s of CPU at every process start for our ~60 models, which
carry no such comments (descriptions, where wanted, are the fields' ``description=``). Skipped here,
before any model module runs; a Tortoise without that hook is left as it is.
"""

from __future__ import annotations

import tortoise.models as _tortoise_models

if hasattr(_tortoise_models, "_get_comments"):
    _tortoise_models._get_comments = lambda cls: {}
