"""Which query parameters each admin endpoint reads: anything else is refused, naming it (#16).

``?light=red`` on the case list used to return every case: a filter the server does not know was
silently ignored, so the answer looked filtered and was not. ``admin_auth`` calls :func:`check` after
the role matrix; a route missing here accepts only ``lang``, so a new filter must be declared where
its view reads it. tests/bot/test_admin_query_params.py walks every GET route with an unknown parameter.
"""

from __future__ import annotations

from aiohttp import web

from intake.errors import Invalid

V = "/admin/v1"
COMMON = frozenset({"lang"})  # every answer may be asked for in a language
PAGED = frozenset({"page", "per_page"})
CASE_FILTERS = frozenset({"status", "grid", "category", "reporter", "overdue", "text", "assignee"})

QUERY: dict[tuple[str, str], frozenset[str]] = {
    ("GET", f"{V}/cases"): CASE_FILTERS | PAGED,
    ("GET", f"{V}/cases/export"): CASE_FILTERS | {"format"},
    ("GET", f"{V}/grid/locate"): frozenset({"lat", "lng", "datum"}),
    ("GET", f"{V}/taxonomy"): frozenset({"include_retired"}),
    ("GET", f"{V}/alerts"): PAGED,
    ("GET", f"{V}/alerts/{{alert_id}}"): frozenset({"street"}),
    ("GET", f"{V}/surveys/stats"): frozenset({"by", "from", "to", "min_sample"}),
    ("GET", f"{V}/stats/cases"): frozenset({"by", "from", "to", "area", "order"}),
    ("GET", f"{V}/residents/{{resident_id}}/messages"): PAGED,
    ("GET", f"{V}/outbox"): PAGED | {"status"},
    ("GET", f"{V}/nlp/models"): frozenset({"status"}),
    ("GET", f"{V}/nlp/rules"): frozenset({"include_inactive"}),
    ("GET", f"{V}/nlp/labels"): PAGED | {"category", "source"},
    ("GET", f"{V}/nlp/triage"): PAGED | {"order"},
    ("GET", f"{V}/nlp/suggest-labels"): frozenset({"n"}),
    ("GET", f"{V}/departments"): frozenset({"active", "line", "region"}),
    ("GET", f"{V}/users"): frozenset({"active", "department", "role"}),
    ("GET", f"{V}/privacy/reads"): frozenset({"case_no", "limit", "user_id"}),
    ("GET", f"{V}/sessions"): frozenset({"namespace", "user_id"}),
    ("GET", f"{V}/transfers"): PAGED | {"case_no", "into", "moved", "from", "to"},
    ("GET", f"{V}/upstream-requests"): PAGED | {"case_no", "status", "service_code", "from", "to"},
}


def check(request: web.Request) -> None:
    """400 naming every query parameter this endpoint does not read."""
    if not request.query:
        return
    resource = request.match_info.route.resource
    if resource is None:
        return
    method = "GET" if request.method == "HEAD" else request.method
    known = COMMON | QUERY.get((method, resource.canonical), frozenset())
    unknown = sorted(name[:40] for name in set(request.query) - known)[:10]  # named back, never at length
    if unknown:
        raise Invalid(f"unknown query parameter(s): {', '.join(unknown)}", unknown=unknown, allowed=sorted(known))
