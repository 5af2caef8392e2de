"""Open311 GeoReport v2 settings, one frozen value built by the app factory from the ``open311`` section."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.sections import Open311Section


@dataclass(frozen=True, slots=True)
class Open311Config:
    # Set when clients must name the jurisdiction: a request naming another one is then a 404.
    jurisdiction_id: str | None = None
    # The spec lets anyone read requests. Residents' descriptions and addresses are personal data,
    # so by default reading needs an api_key too: set True to open reads to everyone.
    public_reads: bool = False
    contact: str = "The operator of this gridline installation"
    key_service: str = "API keys are issued by the operator (gridline apikey add --name NAME)"
    changeset: str = "2026-11-01T00:00:00+08:00"
    endpoint_type: Literal["production", "test"] = "production"
    public_url: str | None = None  # the base URL clients use, when it differs from what requests arrive at
    max_results: int = 1000

    @classmethod
    def of(cls, section: Open311Section) -> Open311Config:
        return cls(jurisdiction_id=section.jurisdiction_id, public_reads=section.public_reads)
