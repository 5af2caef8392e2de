"""Tables for the classifier's model registry, labels, keyword rules and triage (#5)."""

from __future__ import annotations
