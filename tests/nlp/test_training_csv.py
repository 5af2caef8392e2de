"""Training data from CSV: hostile files fail early with a message that says what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.csvdata import MAX_TEXT_CHARS
from nlp.linear import LinearClassifier
from nlp.training import (
    cross_validate,
    label_seeds,
    make_classifier,
    parse_examples,
    read_examples,
    read_texts,
)
from nlp.types import LabelTerms
from tests.conftest import shared_data

TEDDY = "teddy2020c/train_labeled.csv"


def write(tmp_path: Path, content: str | bytes, name: str = "data.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def test_reads_text_and_label_and_ignores_other_columns(tmp_path: Path) -> None:
    path = write(tmp_path, '\ufeffid,text,label,note\n1,"井盖丢了，很危险",01023,x\n\n2,"多行\n文字",06010,\n')
    assert read_examples(path) == (["井盖丢了，很危险", "多行\n文字"], ["01023", "06010"])
    assert read_texts(path) == ["井盖丢了，很危险", "多行\n文字"]


def test_gbk_file_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "text,label\n井盖丢了,01023\n".encode("gbk"))
    with pytest.raises(ValueError, match=r"not UTF-8.*GBK"):
        read_examples(path)


def test_utf16_or_binary_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"not UTF-8|NUL"):
        read_examples(write(tmp_path, "text,label\n井盖,1\n".encode("utf-16")))
    with pytest.raises(ValueError, match="NUL"):
        read_examples(write(tmp_path, b"text,label\nab\x00c,1\n"))


def test_missing_columns_are_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"missing column.*label"):
        read_examples(write(tmp_path, "text,category\n井盖,1\n"))
    with pytest.raises(ValueError, match=r"missing column.*label, text"):
        read_examples(write(tmp_path, "内容,类别\n井盖,1\n"))
    assert read_texts(write(tmp_path, "text\n井盖丢了\n")) == ["井盖丢了"]


def test_empty_files_and_cells(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="missing column"):
        read_examples(write(tmp_path, ""))
    with pytest.raises(ValueError, match="no examples"):
        read_examples(write(tmp_path, "text,label\n\n\n"))
    with pytest.raises(ValueError, match="line 3: empty label"):
        read_examples(write(tmp_path, "text,label\n井盖,1\n路灯,\n"))
    with pytest.raises(ValueError, match="no such file"):
        read_examples(tmp_path / "absent.csv")


def test_huge_file_and_huge_cells(tmp_path: Path) -> None:
    path = write(tmp_path, "text,label\n" + "井盖丢了,1\n" * 200)
    with pytest.raises(ValueError, match="over the 1,000-byte limit"):
        read_examples(path, max_bytes=1000)
    with pytest.raises(ValueError, match=f"over {MAX_TEXT_CHARS:,} characters"):
        read_examples(write(tmp_path, f"text,label\n{'长' * (MAX_TEXT_CHARS + 1)},1\n"))
    with pytest.raises(ValueError, match="malformed CSV"):
        read_examples(write(tmp_path, 'text,label\n"' + "x" * 200_000 + '",1\n'))


def test_uploaded_bodies_are_checked_the_same_way() -> None:
    assert parse_examples("text,label\n井盖丢了,01023\n".encode("utf-8-sig")) == (["井盖丢了"], ["01023"])
    assert parse_examples("TEXT,Label\n 路灯 , 01037 \n") == (["路灯"], ["01037"])
    with pytest.raises(ValueError, match="upload: not UTF-8"):
        parse_examples("text,label\n井盖,1\n".encode("gbk"))
    with pytest.raises(ValueError, match="label over 64"):
        parse_examples("text,label\n井盖," + "x" * 65 + "\n")
    with pytest.raises(ValueError, match=r"a\.csv: line 2: empty text"):
        parse_examples("text,label,note\n,,something\n", "a.csv")


def test_label_seeds_and_backend_choice(tmp_path: Path) -> None:
    seeds = label_seeds([LabelTerms("01023", ("不明井盖异常",), ("井盖", "井盖", " "))])
    assert seeds == [("不明井盖异常", "01023"), ("井盖", "01023")]
    assert isinstance(make_classifier("linear"), LinearClassifier)
    with pytest.raises(ValueError, match="checkpoint"):
        make_classifier("transformer")
    with pytest.raises(ValueError, match="unknown backend"):
        make_classifier("bert")


def test_cross_validation_never_scores_a_training_example() -> None:
    texts = ["路灯坏了", "路灯不亮", "路灯太暗", "井盖丢了", "井盖松了", "井盖坏了"]
    labels = ["light"] * 3 + ["cover"] * 3
    seen: list[set[str]] = []

    class Spy(LinearClassifier):
        def fit(self, texts, labels, **kwargs):  # type: ignore[no-untyped-def]
            seen.append(set(texts))
            return super().fit(texts, labels, **kwargs)

        def classify_many(self, texts):  # type: ignore[no-untyped-def]
            assert not set(texts) & seen[-1]
            return super().classify_many(texts)

    result = cross_validate(Spy, texts, labels, folds=3)
    assert len(seen) == 3 and result.metrics["n"] == 6 and None not in result.predicted


def test_reads_the_real_message_file() -> None:
    texts, labels = read_examples(shared_data(TEDDY))
    assert len(texts) == 446 and len(set(labels)) == 7
