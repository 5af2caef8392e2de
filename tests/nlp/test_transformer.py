"""The transformer backend on a tiny BERT built from scratch: real loading, fine-tuning, saving."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp.types import Classifier

EXTRA = "the transformers extra is not installed: pip install '.[transformers]'"
torch = pytest.importorskip("torch", reason=EXTRA)
transformers = pytest.importorskip("transformers", reason=EXTRA)
tokenizers = pytest.importorskip("tokenizers", reason=EXTRA)

from nlp.transformer import TransformerClassifier  # noqa: E402

EXAMPLES = {
    "light": ["路灯坏了", "楼下路灯不亮", "路灯一闪一闪", "巷子里没路灯太黑", "路灯灭了好几天", "公园路灯太暗"],
    "cover": ["井盖丢了", "井盖被偷了", "井盖松动很响", "路中间井盖没了", "井盖翘起来", "井盖裂了"],
    "noise": ["楼上太吵了", "广场舞噪音", "半夜施工很吵", "酒吧噪音扰民", "装修噪音太大", "喇叭吵得睡不着"],
}


def _pairs() -> tuple[list[str], list[str]]:
    texts = [t for ts in EXAMPLES.values() for t in ts]
    return texts, [label for label, ts in EXAMPLES.items() for _ in ts]


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer, hidden-64 BERT with a WordPiece vocabulary trained here on Chinese text."""
    directory = tmp_path_factory.mktemp("tiny-bert")
    wordpiece = tokenizers.BertWordPieceTokenizer(handle_chinese_chars=True, lowercase=False)
    wordpiece.train_from_iterator(_pairs()[0] * 3, vocab_size=500, min_frequency=1)
    tokenizer = transformers.BertTokenizerFast(tokenizer_object=tokenizers.Tokenizer.from_str(wordpiece.to_str()))
    tokenizer.save_pretrained(directory)
    config = transformers.BertConfig(vocab_size=wordpiece.get_vocab_size(), hidden_size=64, num_hidden_layers=2,
                                     num_attention_heads=2, intermediate_size=128, max_position_embeddings=64)
    torch.manual_seed(0)
    transformers.BertModel(config).save_pretrained(directory)
    return directory


@pytest.fixture(scope="module")
def trained(checkpoint: Path) -> TransformerClassifier:
    texts, labels = _pairs()
    model = TransformerClassifier(checkpoint, epochs=1, max_steps=60, batch_size=6, learning_rate=3e-3,
                                  max_length=16)
    return model.fit(texts, labels, seeds=[("井盖", "cover")])


def test_tokenizer_sees_chinese_not_unknown(checkpoint: Path) -> None:
    tok = transformers.AutoTokenizer.from_pretrained(checkpoint, local_files_only=True)
    assert "[UNK]" not in tok.tokenize("路灯坏了")


def test_fine_tuning_learns_the_toy_task(trained: TransformerClassifier) -> None:
    assert isinstance(trained, Classifier)
    assert trained.name.startswith("transformer:")
    got = [p.code for p in trained.classify_many(["楼下路灯不亮", "井盖被偷了", "广场舞噪音"])]
    assert got == ["light", "cover", "noise"]
    prediction = trained.classify("路口井盖丢了，着火了")
    assert 0 < prediction.confidence <= 1 and prediction.top[0].code == prediction.code
    assert prediction.severity_hint == "red"


def test_terms_by_occlusion_name_words_of_the_message(trained: TransformerClassifier) -> None:
    terms = trained.terms("楼下路灯坏了", k=2)
    assert terms and all(t in "楼下路灯坏了" for t in terms)


def test_save_and_load_round_trip(trained: TransformerClassifier, tmp_path: Path) -> None:
    directory = trained.save(tmp_path / "model")
    meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    assert meta["backend"] == "transformer" and meta["labels"] == ["cover", "light", "noise"]
    loaded = TransformerClassifier.load(directory)
    texts = ["路灯不亮了", "井盖没了"]
    assert [p.top for p in loaded.classify_many(texts)] == [p.top for p in trained.classify_many(texts)]


def test_missing_checkpoint_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="checkpoint"):
        TransformerClassifier(tmp_path / "nope").fit(["a", "b"], ["x", "y"])


def test_weights_are_safetensors_and_load_model_dispatches(trained: TransformerClassifier, tmp_path: Path) -> None:
    from nlp.training import load_model

    directory = trained.save(tmp_path / "model")
    files = json.loads((directory / "meta.json").read_text(encoding="utf-8"))["files"]
    assert any(name.endswith(".safetensors") for name in files)
    assert not any(name.endswith((".bin", ".pt", ".pkl")) for name in files)  # nothing unpickled on load
    assert load_model(directory).name == trained.name


def test_retrain_api_and_command_line_fine_tune_from_a_checkpoint_dir(checkpoint: Path, tmp_path: Path) -> None:
    from nlp.training import train_and_validate

    texts, labels = _pairs()
    result = train_and_validate(texts * 2, labels * 2, backend="transformer", checkpoint=checkpoint, validation=0.0,
                                options={"max_steps": 5, "batch_size": 6, "max_length": 16})
    assert result.model.name.startswith("transformer:") and result.model.labels == ("cover", "light", "noise")
    import argparse

    from bot import nlp_cli

    data = tmp_path / "train.csv"
    data.write_text("text,label\n" + "".join(f"{t},{y}\n" for t, y in zip(texts, labels, strict=True)),
                    encoding="utf-8")
    parser = argparse.ArgumentParser()
    nlp_cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["nlp", "train", "--data", str(data), "--backend", "transformer", "--checkpoint",
                              str(checkpoint), "--out", str(tmp_path / "out")])
    assert nlp_cli.run(args) == 0 and (tmp_path / "out" / "meta.json").is_file()
