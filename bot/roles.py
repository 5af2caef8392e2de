"""The role matrix: which staff role may call which admin endpoint. The one place that decides it.

``admin_auth`` (bot.middlewares) calls :func:`enforce` for every ``/admin/`` request before its view
runs. A route missing from the table is refused to everyone (fail closed), and
tests/bot/test_role_matrix.py walks every route × role over HTTP and fails on a route without an entry.
What a role may do *to a case* is the case state table (intake.cases.states.RULES); which cases it
sees is its scope (grids, assignment). The README's role table is :func:`markdown` (a test keeps them equal).
"""

from __future__ import annotations

from aiohttp import web

from intake.cases.model import Actor
from intake.cases.states import Role
from intake.errors import Forbidden

R = Role
ADMIN = frozenset({R.ADMIN})
DESK = frozenset({R.ADMIN, R.DISPATCHER})
ALL = frozenset({R.ADMIN, R.DISPATCHER, R.SUPERVISOR, R.WORKER, R.DEPARTMENT})
ORDER = (R.ADMIN, R.DISPATCHER, R.SUPERVISOR, R.WORKER, R.DEPARTMENT)
V = "/admin/v1"
# Open to anyone, no token: the API's own description (bot/admin_docs.py). Its shape is no secret (the
# repository shows it); a caller needs it before they have a token. Listed in MATRIX too (every role).
OPEN = frozenset({("GET", f"{V}/openapi.json"), ("GET", f"{V}/docs")})

MATRIX: dict[tuple[str, str], frozenset[Role]] = {
    **dict.fromkeys(OPEN, ALL),  # the API's description: open (see OPEN)
    # cases: what a role may do to a case is the state table; who sees which case is the scope
    ("GET", f"{V}/cases"): ALL, ("GET", f"{V}/cases/{{case_no}}"): ALL,
    ("GET", f"{V}/cases/export"): DESK | {R.SUPERVISOR},  # a spreadsheet of an area: the desk's and 督查's tool
    ("POST", f"{V}/cases/{{case_no}}/actions"): ALL, ("POST", f"{V}/reports"): DESK,
    ("GET", f"{V}/cases/{{case_no}}/messages"): DESK,
    ("POST", f"{V}/spot-checks"): DESK | {R.SUPERVISOR},  # 抽查: draw closed cases for re-check
    # the workflow's side records, in the caller's area: transfers out / in, requests pushed upstream
    ("GET", f"{V}/transfers"): DESK | {R.SUPERVISOR}, ("GET", f"{V}/upstream-requests"): DESK | {R.SUPERVISOR},
    # organisation
    ("GET", f"{V}/departments"): ALL, ("GET", f"{V}/departments/{{code}}"): ALL,
    ("POST", f"{V}/departments"): ADMIN, ("PATCH", f"{V}/departments/{{code}}"): ADMIN,
    ("POST", f"{V}/departments/{{code}}/deactivate"): ADMIN,
    ("GET", f"{V}/users"): ADMIN, ("POST", f"{V}/users"): ADMIN, ("GET", f"{V}/users/{{user_id}}"): ADMIN,
    ("PATCH", f"{V}/users/{{user_id}}"): ADMIN, ("POST", f"{V}/users/{{user_id}}/deactivate"): ADMIN,
    ("POST", f"{V}/users/{{user_id}}/rotate-token"): ADMIN,
    # grid and taxonomy
    ("GET", f"{V}/grid/locate"): ALL, ("GET", f"{V}/taxonomy"): ALL, ("GET", f"{V}/taxonomy/versions"): ALL,
    ("GET", f"{V}/taxonomy/{{code}}"): ALL, ("POST", f"{V}/taxonomy"): ADMIN,
    ("PATCH", f"{V}/taxonomy/{{code}}"): ADMIN,
    # messages
    ("GET", f"{V}/residents/{{resident_id}}/messages"): ADMIN, ("GET", f"{V}/outbox"): ADMIN,
    ("POST", f"{V}/outbox/{{message_id}}/requeue"): ADMIN, ("GET", f"{V}/grid-groups"): ADMIN,
    ("PUT", f"{V}/grid-groups/{{grid_code}}"): ADMIN, ("DELETE", f"{V}/grid-groups/{{grid_code}}"): ADMIN,
    # alerts and surveys
    ("GET", f"{V}/alerts"): ALL, ("GET", f"{V}/alerts/{{alert_id}}"): ALL, ("POST", f"{V}/alerts"): DESK,
    ("POST", f"{V}/alerts/cap"): DESK, ("POST", f"{V}/alerts/preview"): DESK,
    ("POST", f"{V}/alerts/{{alert_id}}/update"): DESK,
    ("POST", f"{V}/alerts/{{alert_id}}/cancel"): DESK, ("POST", f"{V}/alerts/{{alert_id}}/acks"): ALL,
    # personal data (PIPL): the staff read log
    ("GET", f"{V}/privacy/reads"): ADMIN,
    # page sessions (worker phones, console browsers): listed and revoked by an admin
    ("GET", f"{V}/sessions"): ADMIN, ("POST", f"{V}/sessions/{{session_id}}/revoke"): ADMIN,
    ("GET", f"{V}/surveys/stats"): DESK, ("GET", f"{V}/stats/cases"): DESK | {R.SUPERVISOR},
    # the classifier
    ("GET", f"{V}/nlp/triage"): DESK, ("POST", f"{V}/nlp/triage/{{case_no}}"): DESK,
    ("GET", f"{V}/nlp/suggest-labels"): DESK,
    **{(method, f"{V}/nlp/{path}"): ADMIN for method, path in (
        ("GET", "status"), ("GET", "models"), ("GET", "models/{id}"), ("POST", "models/{id}/activate"),
        ("POST", "rollback"), ("POST", "models/{id}/shadow"), ("DELETE", "shadow"),
        ("GET", "models/{id}/shadow-report"), ("POST", "shadow/run"), ("POST", "compare"), ("POST", "predict"),
        ("POST", "jobs"), ("GET", "jobs"), ("GET", "jobs/{id}"), ("GET", "rules"), ("POST", "rules"),
        ("PATCH", "rules/{id}"), ("DELETE", "rules/{id}"), ("GET", "labels"), ("GET", "labels/export"),
        ("POST", "labels/import"))},
}


def enforce(request: web.Request, who: Actor) -> None:
    """Refuse (403) a request whose route is not in the matrix or whose role the matrix does not allow."""
    resource = request.match_info.route.resource
    if resource is None:
        return  # no route matched: the router answers 404/405 itself
    method = "GET" if request.method == "HEAD" else request.method
    allowed = MATRIX.get((method, resource.canonical))
    if allowed is None:
        raise Forbidden("this endpoint is not in the role matrix (bot/roles.py)", route=resource.canonical)
    if who.role not in allowed:
        raise Forbidden(f"role {who.role} may not {method} {resource.canonical}", role=str(who.role))


def is_open(request: web.Request) -> bool:
    resource = request.match_info.route.resource
    method = "GET" if request.method == "HEAD" else request.method
    return resource is not None and (method, resource.canonical) in OPEN


def markdown() -> str:
    """The matrix as the README shows it."""
    head = "| Endpoint | " + " | ".join(str(r) for r in ORDER) + " |\n|---|" + "---|" * len(ORDER) + "\n"
    rows = sorted(MATRIX.items(), key=lambda item: (item[0][1], item[0][0]))
    return head + "".join(f"| `{m} {p}`{' (open, no token)' if (m, p) in OPEN else ''} | "
                          + " | ".join("✓" if r in roles else "" for r in ORDER) + " |\n" for (m, p), roles in rows)
