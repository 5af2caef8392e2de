"""The database: Tortoise models, migrations and wiring (:mod:`intake.store.db`).

Tortoise reads every model class's source (``inspect.getsource`` and a regex over it) to turn ``#:``
comments into field descriptions: about 0.17 s of CPU at every process start for our ~60 models, which
carry no such comments (descriptions, where wanted, are the fields' ``description=``). Skipped here,
before any model module runs; a Tortoise without that hook is left as it is.

The first class it reads is its own ``Model``, while ``tortoise.models`` is being imported (before the
hook can be replaced): ``inspect.getsource`` parses that whole 1,800-line module, 35–100 ms of every start.
When this package is the first to import Tortoise (``gridline`` is), ``getsource`` answers "no source"
(which Tortoise takes as "no comments") for the length of that import only.
"""

from __future__ import annotations

import inspect
import sys
from typing import Any


def _no_source(obj: Any) -> str:
    raise OSError("source not read while Tortoise is imported")


if "tortoise.models" not in sys.modules:
    _getsource = inspect.getsource
    inspect.getsource = _no_source  # type: ignore[assignment]
    try:
        import tortoise.models as _tortoise_models
    finally:
        inspect.getsource = _getsource
else:
    import tortoise.models as _tortoise_models

if hasattr(_tortoise_models, "_get_comments"):
    _tortoise_models._get_comments = lambda cls: {}
