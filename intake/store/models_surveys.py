"""Tables for satisfaction surveys after a case closes (#7)."""

from __future__ import annotations
