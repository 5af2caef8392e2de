"""Tables for weather / typhoon alerts, their targets and the grid workers' acknowledgements (#7)."""

from __future__ import annotations
