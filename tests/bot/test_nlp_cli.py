"""``gridline nlp``: train → predict → evaluate, the default model's build, and the shipped seed examples."""

from __future__ import annotations

import argparse
import collections
import json
from pathlib import Path

import pytest

from bot import nlp_cli
from intake.taxonomy.catalog import Catalog
from nlp.training import read_examples

ROWS = {
    "01037": ["路灯坏了", "楼下路灯不亮", "路灯一闪一闪的", "巷子里没路灯", "路灯灭了好几天", "公园路灯太暗"],
    "01023": ["井盖丢了", "井盖被偷了", "井盖松动很响", "路中间井盖没了", "井盖翘起来了", "井盖裂了"],
    "06028": ["楼上太吵了", "广场舞噪音", "酒吧噪音扰民", "喇叭吵得睡不着", "邻居唱歌太吵", "音响太大声"],
}
TAXONOMY = """schema: 1
departments: []
categories:
- {code: "01", kind: major, parent: null, name_zh: 市政公用设施类, name_en: Utilities}
- {code: "01023", kind: matter, parent: "01", name_zh: 不明井盖异常, name_en: Manhole cover, synonyms: [井盖]}
- {code: "01037", kind: matter, parent: "01", name_zh: 路灯异常, name_en: Street light, synonyms: [路灯不亮]}
"""


def cli(*argv: str | Path) -> int:
    parser = argparse.ArgumentParser(prog="gridline")
    nlp_cli.register(parser.add_subparsers(dest="command", required=True))
    return nlp_cli.run(parser.parse_args([str(a) for a in argv]))


@pytest.fixture
def data(tmp_path: Path) -> Path:
    lines = ["text,label"] + [f"{t},{code}" for code, texts in ROWS.items() for t in texts]
    (tmp_path / "train.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "test.csv").write_text("text,label\n路灯又不亮了,01037\n井盖没了,01023\n太吵了,06028\n",
                                       encoding="utf-8")
    return tmp_path


def test_train_predict_evaluate(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("nlp", "train", "--data", data / "train.csv", "--out", data / "model") == 0
    assert "3 labels" in capsys.readouterr().out and (data / "model" / "meta.json").is_file()

    assert cli("nlp", "predict", "路灯又坏了", "--model", data / "model", "--json") == 0
    prediction = json.loads(capsys.readouterr().out)
    assert prediction["code"] == "01037" and prediction["model"].startswith("linear:")

    assert cli("nlp", "evaluate", "--train", data / "train.csv", "--test", data / "test.csv", "--json") == 0
    out, err = capsys.readouterr()
    metrics = json.loads(out)  # exactly one JSON object: json.loads rejects anything after it
    assert out.count("\n") == 1 and metrics["n"] == 3 and metrics["accuracy"] == 1.0
    assert {"macro_f1", "accuracy_at_80_coverage", "coverage_at_95_precision", "per_class",
            "confusion_matrix"} <= set(metrics)
    assert "cross-validation" in err  # progress went to stderr


def test_evaluate_report_and_human_output(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli("nlp", "evaluate", "--train", data / "train.csv", "--test", data / "test.csv", "--report",
               data / "report")
    assert code == 0 and "macro-F1 1.000" in capsys.readouterr().out
    assert {p.name for p in (data / "report").iterdir()} == {"metrics.json", "confusion.png", "reliability.png",
                                                             "misclassified.html"}
    assert (data / "report" / "reliability.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bins = json.loads((data / "report" / "metrics.json").read_text(encoding="utf-8"))["reliability"]
    assert len(bins) == 10 and sum(b["n"] for b in bins) == 3


def test_predict_defaults_to_the_keyword_matcher(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("nlp", "predict", "小区门口井盖被偷了") == 0
    out = capsys.readouterr().out
    assert out.startswith("01023 不明井盖异常") and "(keyword)" in out


def test_bad_input_is_an_error_on_stderr(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (data / "bad.csv").write_text("内容,类别\n井盖,1\n", encoding="utf-8")
    assert cli("nlp", "train", "--data", data / "bad.csv", "--out", data / "m") == 2
    out, err = capsys.readouterr()
    assert out == "" and "missing column" in err
    assert cli("nlp", "predict", "x", "--model", data) == 2
    assert "not a model directory" in capsys.readouterr().err


def test_build_default_trains_from_seed_examples_and_taxonomy(
        data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    seeds = data / "seeds.csv"
    seeds.write_text("text,label\n" + "".join(f"{t},{c}\n" for c in ("01023", "01037") for t in ROWS[c]),
                     encoding="utf-8")
    (data / "taxonomy.yaml").write_text(TAXONOMY, encoding="utf-8")
    monkeypatch.setattr(nlp_cli, "SEED_EXAMPLES", seeds)
    assert cli("nlp", "build-default", "--out", data / "default", "--taxonomy", data / "taxonomy.yaml") == 0
    capsys.readouterr()
    assert cli("nlp", "predict", "井盖不见了", "--model", data / "default") == 0
    assert capsys.readouterr().out.startswith("01023")
    seeds.write_text("text,label\n吵,06028\n", encoding="utf-8")
    assert cli("nlp", "build-default", "--out", data / "d2", "--taxonomy", data / "taxonomy.yaml") == 2
    assert "06028" in capsys.readouterr().err


def test_shipped_seed_examples_cover_every_live_leaf() -> None:
    texts, labels = read_examples(nlp_cli.SEED_EXAMPLES)
    leaves = {c.code for c in Catalog.load().leaves()}
    counts = collections.Counter(labels)
    assert set(counts) == leaves
    assert min(counts.values()) >= 3
    assert len(set(texts)) == len(texts)


@pytest.mark.parametrize(("content", "message"), [
    ("text,label\n井盖丢了,01023\n".encode("gbk"), "not UTF-8"),
    (b"text,label\n\xe4\xba\x95\xe7\x9b\x96,01023\n\x00\x00", "NUL bytes"),
    ("text,label\n井盖丢了,\n".encode(), "line 2: empty label"),
    ("text\n井盖丢了\n".encode(), "missing column(s) label"),
    (b"", "missing column"),
])
def test_hostile_csv_exits_2_through_the_real_entry_point(
        data: Path, content: bytes, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    from bot import cli as gridline

    (data / "hostile.csv").write_bytes(content)
    for argv in (["train", "--data", data / "hostile.csv", "--out", data / "m"],
                 ["evaluate", "--train", data / "train.csv", "--test", data / "hostile.csv", "--json"]):
        assert gridline.main(["nlp", *map(str, argv)]) == 2
        out, err = capsys.readouterr()
        assert out == "" and message in err and "Traceback" not in err
    assert not (data / "m").exists()


def test_oversized_csv_is_refused_before_reading(data: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from nlp import csvdata

    monkeypatch.setattr(csvdata.read_examples, "__kwdefaults__", {"max_bytes": 100})
    assert cli("nlp", "train", "--data", data / "train.csv", "--out", data / "m") == 2
    assert "over the 100-byte limit" in capsys.readouterr().err


def test_evaluate_uses_unlabelled_text_and_backends_agree(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from nlp.training import BACKENDS

    assert nlp_cli.BACKENDS == BACKENDS
    (data / "unlabelled.csv").write_text("text\n路灯坏了没人修\n井盖不见了\n", encoding="utf-8")
    assert cli("nlp", "evaluate", "--train", data / "train.csv", "--test", data / "test.csv",
               "--unlabelled", data / "unlabelled.csv", "--json") == 0
    assert json.loads(capsys.readouterr().out)["n"] == 3


def test_evaluate_concatenates_repeated_train_and_unlabelled_files(
        data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [(t, code) for code, texts in ROWS.items() for t in texts]
    (data / "a.csv").write_text("text,label\n" + "".join(f"{t},{c}\n" for t, c in rows[::2]), encoding="utf-8")
    (data / "b.csv").write_text("text,label\n" + "".join(f"{t},{c}\n" for t, c in rows[1::2]), encoding="utf-8")
    (data / "u1.csv").write_text("text\n路灯坏了没人修\n", encoding="utf-8")
    # A file with the government's replies, some blank: read and checked like any other column.
    (data / "u2.csv").write_text("text,reply\n井盖不见了,已转市政部门处理\n楼上装修,\n", encoding="utf-8")
    assert cli("nlp", "evaluate", "--train", data / "a.csv", "--train", data / "b.csv", "--test", data / "test.csv",
               "--unlabelled", data / "u1.csv", "--unlabelled", data / "u2.csv", "--json") == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["n_train"] == len(rows) and metrics["n"] == 3
    assert metrics["top3_accuracy"] == 1.0 and 0.0 <= metrics["ece"] <= 1.0
    (data / "u3.csv").write_text("text,reply\n井盖不见了," + "答" * 20_001 + "\n", encoding="utf-8")
    assert cli("nlp", "evaluate", "--train", data / "a.csv", "--test", data / "test.csv",
               "--unlabelled", data / "u3.csv") == 2
    assert "reply over 20,000 characters" in capsys.readouterr().err


# Everyday complaints in neither seed_examples.csv nor calibration_examples.csv (checked below).
UNSEEN = ["我家楼下的垃圾好几天没人收了臭死了", "小区门口那个路灯坏了一个礼拜了", "下水道堵了污水冒到路上",
          "楼道里堆满了杂物消防通道都堵了", "井盖没了晚上很危险", "有人在河边倒建筑垃圾", "停车场收费太贵还乱收费",
          "隔壁装修天天早上七点就开始砸墙", "咱这条街的路灯又不亮了", "楼上天天半夜蹦迪"]


def test_shipped_default_model_is_never_certain_about_unseen_everyday_text(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from nlp.training import load_model

    seen = set(read_examples(nlp_cli.SEED_EXAMPLES)[0]) | set(read_examples(nlp_cli.CALIBRATION_EXAMPLES)[0])
    assert not seen & set(UNSEEN)
    assert cli("nlp", "build-default", "--out", tmp_path / "default") == 0
    assert "142 held-out messages" in capsys.readouterr().out
    model = load_model(tmp_path / "default")
    assert model.metrics["held_out"] == 142 and model.metrics["out_of_fold"]["n"] > 1000
    confidences = [p.confidence for p in model.classify_many(UNSEEN)]
    assert max(confidences) < 0.99, confidences
    assert sum(c >= 0.5 for c in confidences) >= 7  # still sure enough to be useful


def test_shipped_calibration_examples_are_held_out_and_valid() -> None:
    texts, labels = read_examples(nlp_cli.CALIBRATION_EXAMPLES)
    assert set(labels) <= {c.code for c in Catalog.load().leaves()}
    assert not set(texts) & set(read_examples(nlp_cli.SEED_EXAMPLES)[0])
    assert len(set(texts)) == len(texts) >= nlp_cli.MIN_HELD_OUT
