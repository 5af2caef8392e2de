"""``gridline worker link``: the printed link opens the case signed in; without the secret it refuses."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest
from redis import Redis
from yarl import URL

from bot.settings import load_settings
from bot.worker.link_cli import signed_url
from intake.cases.context import utc_now
from intake.errors import Invalid, NotFound
from intake.org import sessions as listed
from intake.store.models_sessions import PageSession
from tests.bot.conftest import walk
from tests.bot.test_cli import gridline
from tests.bot.worker.conftest import LINK_SECRET, Site


async def test_the_printed_link_opens_the_case_signed_in(site: Site, uid: str) -> None:
    case_no = await walk(site.api, "dispatched", f"wcli-{uid}")
    settings = load_settings({"GRIDLINE_WORKER_LINK_SECRET": LINK_SECRET, "GRIDLINE_PUBLIC_URL": "https://grid.example"})
    user_id = site.api.staff["w1"].user_id
    assert user_id is not None
    url = URL(await signed_url(settings, user_id, case_no, "accept"))
    assert url.host == "grid.example" and url.query["action"] == "accept"
    async with site.phone() as phone, phone.get(url.path_qs) as resp:
        assert resp.status == 200 and 'id="act-accept"' in await resp.text()
    with pytest.raises(NotFound):
        await signed_url(settings, user_id, "440307-20261118-99999-9")
    with pytest.raises(NotFound):
        await signed_url(settings, 2**30, case_no)
    with pytest.raises(Invalid):
        await signed_url(load_settings({}), user_id, case_no)


def test_without_the_secret_the_command_refuses(tmp_path: Path) -> None:
    result = gridline(tmp_path, "worker", "link", "--user", "1", "--case", "440307-20261118-00001-3")
    assert result.returncode == 2 and "GRIDLINE_WORKER_LINK_SECRET" in result.stdout


def test_signout_needs_the_shared_store(tmp_path: Path) -> None:
    result = gridline(tmp_path, "worker", "signout", "--user", "1")
    assert result.returncode == 2 and "GRIDLINE_REDIS_URL" in result.stdout


def test_signout_ends_the_users_sessions_in_redis(tmp_path: Path, redis_url: str) -> None:
    client = Redis.from_url(redis_url)
    key = "gridline:worker:generation:424242"  # what every session of that user is checked against
    assert gridline(tmp_path, "migrate").returncode == 0  # the command also ends the sessions' rows
    try:
        before = int(client.get(key) or 0)
        result = gridline(tmp_path, "worker", "signout", "--user", "424242", env={"GRIDLINE_REDIS_URL": redis_url})
        assert result.returncode == 0, result.stderr
        assert "424242" in result.stdout and int(client.get(key) or 0) == before + 1
    finally:
        client.close()


async def test_signout_ends_the_users_listed_sessions_at_once(database: str, redis_url: str, tmp_path: Path,
                                                              uid: str) -> None:
    """The admin's list of sessions shows the lost phone gone now, not after its idle timeout."""
    user, other = random.randrange(10**8, 2**31 - 1), random.randrange(10**8, 2**31 - 1)
    now, idle = utc_now(), timedelta(hours=12)
    for digest, namespace, who in ((f"a{uid}", "worker", user), (f"b{uid}", "worker", user),
                                   (f"c{uid}", "console", user), (f"d{uid}", "worker", other)):
        await listed.started(digest.ljust(64, "0"), namespace, who, "Mozilla/5.0 (Linux; Android 14) wxwork/4.1",
                             now, idle)
    result = gridline(tmp_path, "worker", "signout", "--user", str(user),
                      env={"GRIDLINE_REDIS_URL": redis_url, "GRIDLINE_DATABASE_URL": database})
    assert result.returncode == 0, result.stderr
    rows = {r.digest[:13]: r for r in await PageSession.filter(digest__endswith="0", user_id__in=[user, other])
            if r.digest[1:13] == uid}
    assert {k[0] for k, r in rows.items() if r.ended_at is not None} == {"a", "b"}
    assert all(rows[f"{k}{uid}"].ended_by == "everywhere" for k in "ab")
    assert [r.user_id for r in await listed.live(utc_now(), "worker", user)] == []
    assert [r.id for r in await listed.live(utc_now(), "worker", other)] == [rows[f"d{uid}"].id]
    assert [r.id for r in await listed.live(utc_now(), "console", user)] == [rows[f"c{uid}"].id]
