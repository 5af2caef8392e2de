"""The Kubernetes manifests (#18), checked as configuration: no cluster here (and no kubectl), so each
property a city relies on is asserted on the parsed YAML."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.cli import parser as cli_parser
from bot.settings import Mode, Settings, load_settings

K8S = Path(__file__).resolve().parent.parent / "deploy" / "kubernetes"
SECRET_NAME = re.compile(r"PASSWORD|TOKEN|SECRET|AES_KEY|APPID|DATABASE_URL|REDIS_URL")
GRIDLINE_USER = 10001  # the Dockerfile's user


def _docs() -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    out = []
    for name in kustomization["resources"]:
        out += [d for d in yaml.safe_load_all((K8S / name).read_text(encoding="utf-8")) if d]
    return out


def _kind(kind: str, name: str) -> dict[str, Any]:
    found = [d for d in _docs() if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}"
    return found[0]


def _env_file(name: str) -> dict[str, str]:
    lines = (K8S / name).read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def _containers() -> list[dict[str, Any]]:
    return [c for d in _docs() if d["kind"] in ("Deployment", "Job")
            for c in d["spec"]["template"]["spec"]["containers"]]


def test_every_resource_file_is_listed_and_parses() -> None:
    listed = set(yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))["resources"])
    assert listed == {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert {d["kind"] for d in _docs()} >= {"Namespace", "ConfigMap", "Job", "Deployment", "Service",
                                            "PodDisruptionBudget", "PersistentVolumeClaim"}


def test_web_has_replicas_and_probes_that_survive_a_database_outage() -> None:
    web = _kind("Deployment", "gridline-web")
    assert web["spec"]["replicas"] >= 2 and web["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    container = web["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert "tcpSocket" in container["livenessProbe"]  # not /healthz: a DB outage must not restart pods
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert "--no-sender" in container["command"]
    assert _kind("Service", "gridline-web")["spec"]["selector"] == web["spec"]["selector"]["matchLabels"]


def test_migrations_run_as_a_job_and_senders_as_their_own_deployment() -> None:
    job = _kind("Job", "gridline-migrate")
    assert job["spec"]["template"]["spec"]["containers"][0]["command"] == ["gridline", "migrate"]
    sender = _kind("Deployment", "gridline-sender")
    assert sender["spec"]["replicas"] >= 2
    assert sender["spec"]["template"]["spec"]["containers"][0]["command"] == ["gridline", "sender"]


def test_every_command_is_a_gridline_command() -> None:
    parser = cli_parser()
    for container in _containers():
        command = container["command"]
        assert command[0] == "gridline"
        parser.parse_args(command[1:])  # exits on an unknown subcommand or option


def test_pods_run_as_the_image_s_non_root_user() -> None:
    for doc in _docs():
        if doc["kind"] not in ("Deployment", "Job"):
            continue
        pod = doc["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] and pod["securityContext"]["runAsUser"] == GRIDLINE_USER
        for container in pod["containers"]:
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            assert "limits" in container["resources"]


def test_settings_are_real_and_secrets_come_from_the_generated_secret() -> None:
    fields = {f"GRIDLINE_{name.upper()}" for name in Settings.model_fields}
    config = _kind("ConfigMap", "gridline-config")["data"]
    example = _env_file("secrets.env.example")
    assert not (set(config) | set(example)) - fields
    assert not [k for k in config if SECRET_NAME.search(k)], "a secret in the ConfigMap"
    assert all(v.startswith(("change-me", "postgresql://gridline:change-me@", "redis://")) for v in example.values())
    settings = load_settings({**config, **example})
    assert settings.effective_mode is Mode.PRODUCTION and not settings.sender_in_process
    for container in _containers():
        refs = {next(iter(ref.values()))["name"] for ref in container["envFrom"]}
        assert refs == {"gridline-config", "gridline-secrets"}
    assert "deploy/kubernetes/secrets.env" in (K8S.parent.parent / ".gitignore").read_text(encoding="utf-8")
