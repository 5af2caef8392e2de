"""Prometheus metrics: one registry per app, so tests and several apps in a process stay apart."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST


@dataclass(frozen=True)
class Metrics:
    registry: CollectorRegistry
    requests: Counter
    latency: Histogram
    cases_opened: Counter
    case_actions: Counter
    sweeps: Counter

    @classmethod
    def create(cls) -> Metrics:
        reg = CollectorRegistry()
        return cls(
            registry=reg,
            requests=Counter("gridline_http_requests_total", "HTTP requests", ["method", "route", "status"],
                             registry=reg),
            latency=Histogram("gridline_http_request_seconds", "HTTP request latency", ["route"], registry=reg,
                              buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)),
            cases_opened=Counter("gridline_cases_opened_total", "Cases opened", ["channel", "routed"],
                                 registry=reg),
            case_actions=Counter("gridline_case_actions_total", "Case actions", ["action"], registry=reg),
            sweeps=Counter("gridline_sla_supervisions_total", "督办 records raised", ["level"], registry=reg),
        )

    def render(self) -> bytes:
        return bytes(generate_latest(self.registry))
