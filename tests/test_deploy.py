"""The deployment files (#16, #18): compose.yaml and the Dockerfile, checked as configuration.

No image is built here (base images need the network); where the Docker Compose plugin is installed,
``docker compose config`` also validates the file against Compose's own schema.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.settings import Mode, Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
GRIDLINE_SERVICES = ("migrate", "web", "sender")
# An interpolation of one variable, with an optional default (`:-x`) or required-message (`:?msg`).
INTERPOLATION = re.compile(r"^\$\{[A-Z_][A-Z0-9_]*(:?[-?][^}]*)?\}$")
SECRET_NAME = re.compile(r"PASSWORD|TOKEN|SECRET|AES_KEY|APPID|SMTP_URL|DATABASE_URL")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    services = compose["services"]
    assert isinstance(services, dict)
    return services


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    assert isinstance(env, dict), "environment must be a mapping (NAME: value), not a list"
    return {str(k): str(v) for k, v in env.items()}


def test_services_and_commands(compose: dict[str, Any]) -> None:
    services = _services(compose)
    assert set(services) == {"postgres", "redis", "migrate", "web", "sender"}
    assert services["migrate"]["command"] == ["gridline", "migrate"]
    web = services["web"]["command"]
    assert web[:2] == ["gridline", "serve"] and "--no-sender" in web and "--workers" in web
    assert web[web.index("--host") + 1] == "0.0.0.0"  # reachable from the proxy, not only inside the container
    assert services["sender"]["command"] == ["gridline", "sender"]
    for name in GRIDLINE_SERVICES:
        assert services[name]["build"] == "." and services[name]["image"] == "gridline:latest"


def test_migrations_run_once_before_every_gridline_process(compose: dict[str, Any]) -> None:
    services = _services(compose)
    migrate = services["migrate"]
    assert migrate["restart"] == "no"  # a one-shot: restarting it would never let the others start
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in ("web", "sender"):
        assert services[name]["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }, name


def test_health_checks(compose: dict[str, Any]) -> None:
    services = _services(compose)
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    # the sender has no HTTP port: the image's /healthz check would mark it unhealthy forever
    sender_check = " ".join(services["sender"]["healthcheck"]["test"])
    assert "/healthz" not in sender_check and "ping()" in sender_check
    assert services["migrate"]["healthcheck"] == {"disable": True}
    for name in ("postgres", "redis", "web", "sender"):
        check = services[name]["healthcheck"]
        assert check["test"][0] in ("CMD", "CMD-SHELL") and check["retries"] >= 3, name


def test_every_gridline_variable_is_a_setting(compose: dict[str, Any]) -> None:
    fields = {f"GRIDLINE_{name.upper()}" for name in Settings.model_fields}
    for name, service in _services(compose).items():
        unknown = {key for key in _environment(service) if key.startswith("GRIDLINE_")} - fields
        assert not unknown, f"{name} sets {unknown}: not fields of bot.settings.Settings (a typo is ignored silently)"
    for example in ("deploy.env.example", "gridline.env.example"):
        names = set(re.findall(r"^#? ?(GRIDLINE_[A-Z0-9_]+)=", (ROOT / example).read_text(encoding="utf-8"), re.M))
        assert names and not names - fields, f"{example}: {names - fields}"


def test_gridline_services_run_in_production_mode_behind_the_proxy(compose: dict[str, Any]) -> None:
    for name in GRIDLINE_SERVICES:
        env = _environment(_services(compose)[name])
        assert env["GRIDLINE_DATABASE_URL"].startswith("postgresql://gridline:${POSTGRES_PASSWORD:?")
        assert env["GRIDLINE_DATABASE_URL"].endswith("@postgres:5432/gridline")
        assert env["GRIDLINE_REDIS_URL"] == "redis://redis:6379/0"
        assert env["GRIDLINE_MODE"] == "${GRIDLINE_MODE:-production}"
        assert env["GRIDLINE_BEHIND_PROXY"] == "true"
        # production mode refuses to start without these: compose must refuse first, naming the variable
        for required in ("GRIDLINE_WECHAT_TOKEN", "GRIDLINE_WECHAT_APPID", "GRIDLINE_ADMIN_TOKEN",
                         "GRIDLINE_WORKER_LINK_SECRET", "GRIDLINE_PUBLIC_URL"):
            assert env[required].startswith("${" + required + ":?"), required


def _interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ``${VAR}``, ``${VAR:-default}`` and ``${VAR:?message}``, enough for this file."""
    def one(match: re.Match[str]) -> str:
        name, op, rest = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        if op == ":?":
            raise KeyError(f"{name}: {rest}")
        return rest or ""
    return re.sub(r"\$\{([A-Z0-9_]+)(?:(:[-?])([^}]*))?\}", one, value)


def test_the_example_env_gives_valid_production_settings(compose: dict[str, Any]) -> None:
    example = dict(line.split("=", 1) for line in (ROOT / "deploy.env.example").read_text(encoding="utf-8")
                   .splitlines() if line and not line.startswith("#"))
    for name in GRIDLINE_SERVICES:
        env = {k: _interpolate(v, example) for k, v in _environment(_services(compose)[name]).items()}
        settings = load_settings(env)
        assert settings.effective_mode is Mode.PRODUCTION and settings.behind_proxy
        assert settings.redis_url == "redis://redis:6379/0" and not settings.sender_in_process
    # a missing secret stops compose with a message naming it, before any container starts
    with pytest.raises(KeyError, match="GRIDLINE_WECHAT_TOKEN"):
        _interpolate(_environment(_services(compose)["web"])["GRIDLINE_WECHAT_TOKEN"], {})


def test_no_secret_literals(compose: dict[str, Any]) -> None:
    for name, service in _services(compose).items():
        for key, value in _environment(service).items():
            if not SECRET_NAME.search(key):
                continue
            # the secret must be an interpolation; the database URL may wrap one (the password) and nothing else
            if not INTERPOLATION.match(value):
                literal = re.sub(r"\$\{POSTGRES_PASSWORD:\?[^}]*\}", "<password>", value)
                assert literal == "postgresql://gridline:<password>@postgres:5432/gridline", f"{name}.{key}: {value}"
    # no default hides behind `:-` for a secret
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    for var in re.findall(r"\$\{([A-Z0-9_]+):-", text):
        assert not SECRET_NAME.search(var), f"{var} has a default value in compose.yaml"
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert ".env" in ignored and "gridline.env" in ignored


def test_examples_hold_placeholders_only() -> None:
    for example in ("deploy.env.example", "gridline.env.example"):
        for line in (ROOT / example).read_text(encoding="utf-8").splitlines():
            key, _, value = line.lstrip("# ").partition("=")
            if SECRET_NAME.search(key) and not line.startswith("#"):
                assert value == "" or value.startswith("change-me"), f"{example}: {key} is not a placeholder"


def test_dockerfile_runs_as_non_root() -> None:
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()]
    runtime = lines[max(i for i, line in enumerate(lines) if line.startswith("FROM ")):]
    users = [line.split()[1] for line in runtime if line.startswith("USER ")]
    assert users, "the runtime stage has no USER: it would run as root"
    assert users[-1] not in ("root", "0", "0:0"), users[-1]
    assert any("useradd" in line and users[-1] in line for line in runtime)
    assert any(line.startswith("HEALTHCHECK") for line in runtime)


@pytest.mark.skipif(shutil.which("docker") is None, reason="no docker client")
def test_docker_compose_accepts_the_file(tmp_path: Path) -> None:
    if subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30).returncode != 0:
        pytest.skip("no Docker Compose plugin")
    env = (ROOT / "deploy.env.example").read_text(encoding="utf-8")
    (tmp_path / ".env").write_text(env, encoding="utf-8")
    result = subprocess.run(["docker", "compose", "-f", str(ROOT / "compose.yaml"), "--project-directory",
                             str(ROOT), "--env-file", str(tmp_path / ".env"), "config", "--quiet"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
