"""Build the shipped event taxonomy, ``intake/taxonomy/data/taxonomy.yaml``.

Inputs: the transcribed GB/T 47678.5-2026 directory (a JSON fact file kept outside the repository, in
``../shared``) and the hand-written overlay ``intake/taxonomy/data/overlay.yaml`` (English names, resident
synonyms, severity, handler, department, and the local social-governance extension, majors 20-29).

The service never imports this script: it only reads the generated YAML. Output is deterministic (sorted by
code, stable key order), so a rebuild that changes nothing leaves the file byte-identical and a diff shows
exactly what an overlay edit changed.

    .venv/bin/python tools/build_taxonomy.py [STANDARD_JSON] [--overlay PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_STANDARD = ROOT.parent / "shared/data/standards/taxonomy_gbt47678.5-2026.json"
DEFAULT_OVERLAY = ROOT / "intake/taxonomy/data/overlay.yaml"
DEFAULT_OUT = ROOT / "intake/taxonomy/data/taxonomy.yaml"

NATIONAL = "GB/T 47678.5-2026"
LOCAL = "local"
LOCAL_MAJORS = {str(n) for n in range(20, 30)}
SEVERITIES = {"red", "yellow", "blue"}
HANDLERS = {"self", "community", "department"}
LEAF_KEYS = {"name_zh", "name_en", "severity", "time_limit_hours", "handler", "department", "self_handle",
             "synonyms", "see_also"}
MIN_SYNONYMS, MAX_SYNONYMS = 3, 8

Raw = Mapping[str, Any]


class OverlayError(ValueError):
    """The overlay disagrees with the standard or with itself; the message names the code."""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    standard = json.loads(args.standard.read_text(encoding="utf-8"))
    overlay = yaml.safe_load(args.overlay.read_text(encoding="utf-8"))
    try:
        document = build(standard, overlay)
    except OverlayError as exc:
        print(f"build_taxonomy: {exc}", file=sys.stderr)
        return 1
    args.out.write_text(dump(document), encoding="utf-8")
    leaves = [c for c in document["categories"] if c["kind"] != "major"]
    print(f"wrote {args.out}: {len(leaves)} leaves, {len(document['parts'])} parts")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("standard", nargs="?", type=Path, default=DEFAULT_STANDARD)
    parser.add_argument("--overlay", type=Path, default=DEFAULT_OVERLAY)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    return parser


def build(standard: Raw, overlay: Raw) -> dict[str, Any]:
    """Merge the standard and the overlay into the shipped document (a plain dict ready to dump)."""
    departments = [dict(d) for d in overlay["departments"]]
    known_departments = {d["code"] for d in departments}
    majors = _majors(standard, overlay["majors"])
    leaves = _national_matters(standard, overlay["matters"]) + _local_minors(overlay["local"], majors)
    codes = {leaf["code"] for leaf in leaves}
    for leaf in leaves:
        _check_leaf(leaf, known_departments, codes)
    return {
        "schema": 1,
        "source_note": _source_note(standard),
        "departments": departments,
        "categories": sorted(list(majors.values()) + leaves, key=lambda c: c["code"]),
        "parts": _parts(standard, overlay["parts"]),
    }


def _majors(standard: Raw, extra: Raw) -> dict[str, dict[str, Any]]:
    # National major names come from matter_majors (the 事项 list), which also covers 01-05.
    national: Mapping[str, str] = standard["matter_majors"]
    _same_codes("major", set(national) | LOCAL_MAJORS, set(extra))
    majors: dict[str, dict[str, Any]] = {}
    for code, entry in extra.items():
        source = LOCAL if code in LOCAL_MAJORS else NATIONAL
        name_zh = entry["name_zh"] if source == LOCAL else national[code]
        majors[code] = {"code": code, "kind": "major", "parent": None, "name_zh": name_zh,
                        "name_en": entry["name_en"], "source": source}
    return majors


def _national_matters(standard: Raw, extra: Raw) -> list[dict[str, Any]]:
    matters = {m["code"]: m for m in standard["matters"]}
    _same_codes("matter", set(matters), set(extra))
    return [
        _leaf(code, "matter", m["major_code"], m["name_zh"], extra[code], NATIONAL,
              m.get("derived_from_component"))
        for code, m in matters.items()
    ]


def _local_minors(extra: Raw, majors: Mapping[str, Any]) -> list[dict[str, Any]]:
    leaves = []
    for code, entry in extra.items():
        if len(code) != 5 or code[:2] not in LOCAL_MAJORS or code[:2] not in majors:
            raise OverlayError(f"local code {code}: must be 5 digits under a local major 20-29")
        leaves.append(_leaf(code, "local", code[:2], entry["name_zh"], entry, LOCAL, None))
    return leaves


def _leaf(code: str, kind: str, parent: str, name_zh: str, entry: Raw, source: str,
          part: str | None) -> dict[str, Any]:
    unknown = set(entry) - LEAF_KEYS
    if unknown:
        raise OverlayError(f"{code}: unknown keys {sorted(unknown)}")
    return {
        "code": code, "kind": kind, "parent": parent, "name_zh": name_zh, "name_en": entry.get("name_en"),
        "severity": entry.get("severity"), "time_limit_hours": entry.get("time_limit_hours"),
        "handler": entry.get("handler"), "department": entry.get("department"),
        "self_handle": entry.get("self_handle"), "synonyms": list(entry.get("synonyms") or []),
        "part": part, "source": source, "see_also": sorted(entry.get("see_also") or []),
    }


def _check_leaf(leaf: Raw, departments: set[str], codes: set[str]) -> None:
    code = leaf["code"]
    problems: list[str] = []
    if not leaf["name_en"]:
        problems.append("name_en missing")
    if leaf["severity"] not in SEVERITIES:
        problems.append(f"severity {leaf['severity']!r}")
    if leaf["handler"] not in HANDLERS or not isinstance(leaf["self_handle"], bool):
        problems.append(f"handler {leaf['handler']!r} / self_handle {leaf['self_handle']!r}")
    # A department is named exactly when the case is dispatched to one; a worker-owned case is on his list.
    if (leaf["handler"] == "department") != (leaf["department"] is not None):
        problems.append(f"department {leaf['department']!r} does not fit handler {leaf['handler']!r}")
    if leaf["department"] is not None and leaf["department"] not in departments:
        problems.append(f"unknown department {leaf['department']!r}")
    if leaf["handler"] == "self" and not leaf["self_handle"]:
        problems.append("handler self but not self_handle")
    hours = leaf["time_limit_hours"]
    if hours is not None and (not isinstance(hours, int) or hours <= 0):
        problems.append(f"time_limit_hours {hours!r}")
    synonyms = leaf["synonyms"]
    if not MIN_SYNONYMS <= len(set(synonyms)) == len(synonyms) <= MAX_SYNONYMS:
        problems.append(f"needs {MIN_SYNONYMS}-{MAX_SYNONYMS} distinct synonyms, has {len(synonyms)}")
    problems += [f"see_also {ref} unknown" for ref in leaf["see_also"] if ref not in codes or ref == code]
    if problems:
        raise OverlayError(f"{code}: " + "; ".join(problems))


def _parts(standard: Raw, extra: Raw) -> list[dict[str, Any]]:
    parts = {c["code"]: c for c in standard["components"]}
    _same_codes("part", set(parts), set(extra))
    return [
        {"code": code, "major": p["major_code"], "name_zh": p["name_zh"], "name_en": extra[code]["name_en"]}
        for code, p in sorted(parts.items())
    ]


def _same_codes(what: str, expected: set[str], given: set[str]) -> None:
    # Every item of the standard needs its overlay entry, and the overlay may not invent national codes.
    if expected != given:
        missing, unknown = sorted(expected - given), sorted(given - expected)
        raise OverlayError(f"{what} codes: missing {missing}, unknown {unknown}")


def _source_note(standard: Raw) -> str:
    origin = standard["sources"][0]
    return (
        f"{standard['standard']}. Codes and Chinese names of 部件 and 事项 are facts of the standard, "
        f"as transcribed by a third party ({origin['repo']} @ {origin['commit'][:12]}, {origin['path']}); "
        "confidence medium per ../shared/data/standards/SOURCES.md (single transcription, not checked "
        "against the standard text). Codes missing from that transcription are not invented. English "
        "names, synonyms, severity, time limits, handlers and departments are a local editorial overlay "
        "(overlay.yaml); majors 20-29 are a local social-governance extension with no official codes. "
        "Generated by tools/build_taxonomy.py: edit the overlay and rebuild, do not edit this file."
    )


class _Dumper(yaml.SafeDumper):
    """Block style for records, flow style for short scalar lists, and codes always quoted."""


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(not isinstance(item, dict | list) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    # "01009" is a string to PyYAML but an integer to YAML 1.2 readers: quote every all-digit code.
    style = '"' if data.isdigit() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(str, _represent_str)


def dump(document: Mapping[str, Any]) -> str:
    header = "# Generated by tools/build_taxonomy.py from GB/T 47678.5-2026 + overlay.yaml. Do not edit.\n"
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)
    return header + body


if __name__ == "__main__":
    sys.exit(main())
