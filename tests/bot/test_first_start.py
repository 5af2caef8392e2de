"""A newcomer's first ``gridline serve``: the log says where to look and which classifier serves, with no
ORM shutdown line before it; ``/`` leads to the sandbox, or lists the pages outside sandbox mode."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot import welcome
from bot.keys import SETTINGS
from bot.settings import load_settings
from tests.bot.test_cli import ROOT, gridline
from tests.bot.test_workers import _free_port


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _lines(stream: Any) -> queue.Queue[str]:
    """The process's stderr lines, read on a thread so the test can wait with a deadline."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in stream], daemon=True).start()
    return lines


def _until_ready(lines: queue.Queue[str], seconds: float) -> tuple[list[str], dict[str, Any]]:
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        seen.append(line)
        if "gridline ready" in line:
            return seen, json.loads(line)
    raise AssertionError("no 'gridline ready' line:\n" + "".join(seen[-20:]))


def test_a_fresh_start_logs_the_url_the_pages_and_the_serving_classifier(tmp_path: Path) -> None:
    migrated = gridline(tmp_path, "migrate")
    assert migrated.returncode == 0 and "Tortoise-ORM shutdown" not in migrated.stderr, migrated.stderr
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDLINE_")}
    env.update({"GRIDLINE_DATABASE_URL": f"sqlite://{tmp_path / 'fresh.sqlite3'}", "PYTHONPATH": str(ROOT)})
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port)], cwd=tmp_path, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        before, ready = _until_ready(_lines(proc.stderr), 240)
        url = f"http://127.0.0.1:{port}"
        assert ready["url"] == url and ready["pages"][0] == f"{url}/sandbox"
        assert {f"{url}/healthz", f"{url}/console/", f"{url}/worker/"} <= set(ready["pages"])
        assert (ready["classifier"], ready["model_version"], ready["default_model"]) == ("keyword", None, "building")
        assert f"open {url}/sandbox" in ready["msg"] and "keyword matcher" in ready["msg"]
        assert "the default model is being built in the background" in ready["msg"]
        assert not [line for line in before if "Tortoise-ORM" in line], before

        opener = urllib.request.build_opener(_NoRedirect)
        try:
            opener.open(f"{url}/", timeout=10)
            raise AssertionError("/ did not redirect")
        except urllib.error.HTTPError as answer:
            assert (answer.code, answer.headers["Location"]) == (302, "/sandbox")
        with urllib.request.urlopen(f"{url}/healthz", timeout=10) as response:
            health = json.loads(response.read())
        assert (health["classifier"], health["model_version"]) == ("keyword", None)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


async def test_outside_sandbox_mode_the_landing_lists_the_pages() -> None:
    app = web.Application()
    app[SETTINGS] = load_settings({"GRIDLINE_WECHAT_TOKEN": "t" * 32, "GRIDLINE_WECHAT_APPID": "wx0123456789abcdef"})
    app.add_routes(welcome.routes)
    async with TestClient(TestServer(app)) as client, client.get("/", allow_redirects=False) as resp:
        text = await resp.text()
    assert resp.status == 200 and resp.content_type == "text/plain"
    assert "/healthz" in text and "/mp/v1/docs" in text and "/sandbox" not in text


def test_the_url_to_open_for_each_bind_address() -> None:
    assert welcome.base_url("0.0.0.0", 8080) == "http://127.0.0.1:8080"
    assert welcome.base_url("127.0.0.1", 9) == "http://127.0.0.1:9"
    assert welcome.base_url("::1", 8080) == "http://[::1]:8080"
    assert welcome.base_url("gridline.example", 80) == "http://gridline.example:80"
