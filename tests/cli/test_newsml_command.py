"""The `newsml` command, called in-process: analyze (JSON and text views), --version, score forwarding."""

import json

import pytest

from newsml.cli import main
from tests.conftest import PAGES


def test_analyze_prints_json_and_text(capsys):
    page = str(PAGES / "scraped_page_nk_troops.txt")
    assert main(["analyze", page, "--components", "topic"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["page"] == page and out["topic"]["label"] == "world" and out["title"].startswith("North Korea")
    assert main(["analyze", page, "--components", "topic", "--format", "text"]) == 0
    assert "topic: world" in capsys.readouterr().out


def test_version_and_bad_arguments(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and capsys.readouterr().out.startswith("newsml ")
    with pytest.raises(SystemExit) as e:
        main(["analyze", "no/such/page.txt"])
    assert e.value.code == 2 and "is not a file" in capsys.readouterr().err


def test_score_is_forwarded(tmp_path):
    rec = tmp_path / "in.jsonl"
    rec.write_text(json.dumps({"id": "a", "title": "Storm", "text": "A storm hit the coast on Monday. "
                                                                   "Thousands lost power overnight."}) + "\n")
    assert main(["score", str(rec), "-o", str(tmp_path / "out.jsonl"), "--components", "topic", "--quiet"]) == 0
    assert json.loads((tmp_path / "out.jsonl").read_text())["id"] == "a"


def test_model_folder_flags_on_analyze_and_score(topic_model, tmp_path, capsys):
    """--topic-model PATH loads the user's folder in both commands (python -m newsml.score is the same parser)."""
    from newsml.topic import TopicClassifier

    mine = TopicClassifier(dict(topic_model.config, version="9.9-mine"), topic_model._t, topic_model._vocab)
    mine.save_pretrained(tmp_path / "my_topic")
    page = str(PAGES / "scraped_page_nk_troops.txt")
    assert main(["analyze", page, "--components", "topic", "--topic-model", str(tmp_path / "my_topic")]) == 0
    assert json.loads(capsys.readouterr().out)["topic"]["model"] == "newsml-topic@9.9-mine"
    out = tmp_path / "out.jsonl"
    assert main(["score", page, "-o", str(out), "--components", "topic", "--quiet",
                 "--topic-model", str(tmp_path / "my_topic")]) == 0
    rec = json.loads(out.read_text())
    assert rec["topic"]["model"] == "newsml-topic@9.9-mine" and rec["topic"]["label"] == "world"
    with pytest.raises(SystemExit) as e:
        main(["score", page, "--stance-model", str(tmp_path / "nothing_here")])
    assert e.value.code == 2 and "--stance-model must be a model folder" in capsys.readouterr().err
