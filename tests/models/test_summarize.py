"""Summarizer: the verifier alone (planted facts), selection bounds, the generator path, the shipped model."""

import pytest

from newsml.summarize.verify import unsupported, verify
from tests.conftest import DATA_DIR, needs_data

SOURCES = [
    "North Korea sent an estimated 14,000 troops to Russia, Ukrainian officials said.",
    "Leader Kim Jong Un ordered the deployment under a treaty with Vladimir Putin.",
    "South Korea condemned the decision on Monday.",
]


def test_guard_catches_invented_number():
    s = verify("North Korea sent an estimated 20,000 troops to Russia.", SOURCES, method="t")
    assert "20,000" not in s.text and s.sentences[0].kind == "copied" and s.sentences[0].source_index == 0
    assert s.faithful


def test_guard_catches_invented_name():
    s = verify("Kim Jong Un ordered the deployment with Xi Jinping.", SOURCES, method="t")
    assert "Xi" not in s.text and "Jinping" not in s.text and s.faithful


def test_supported_abstractive_sentence_is_kept():
    s = verify("Kim Jong Un ordered the deployment of 14,000 troops to Russia.", SOURCES, method="t")
    assert s.sentences[0].kind == "abstractive" and s.text.startswith("Kim Jong Un ordered")


def test_written_numbers_are_checked():
    assert unsupported("Three soldiers died.", " ".join(SOURCES))["numbers"] == ["3"]
    assert unsupported("The troops numbered 14,000.", " ".join(SOURCES))["numbers"] == []


def test_unsupported_sentence_without_source_is_dropped():
    s = verify("Completely unrelated gibberish about bananas. South Korea condemned the decision on Monday.", SOURCES, method="t")
    assert s.text == "South Korea condemned the decision on Monday."


def test_selector_bounds_any_length(summarizer):
    sel = summarizer.selector
    sents = [f"Sentence number {i} talks about the economy of the country in some detail." for i in range(5000)]
    idx = sel.select(sents, None, 300)
    assert 1 <= len(idx) <= sel.max_sentences and idx == sorted(idx)


def test_any_causal_lm_works_as_generator(tmp_path):
    """The hub path: any HF causal-LM id or folder. A tiny random Llama built from a config, no download."""
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from newsml.backbones import smollm2_path
    from newsml.summarize import Summarizer

    tok = AutoTokenizer.from_pretrained(smollm2_path())
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                      num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=1024)
    LlamaForCausalLM(cfg).save_pretrained(tmp_path / "tiny")
    tok.save_pretrained(tmp_path / "tiny")
    s = Summarizer.from_pretrained(generator=str(tmp_path / "tiny"))
    s.config["generation"]["max_new_tokens"] = 12
    out = s.summarize([{"title": "Troops", "text": " ".join(SOURCES)}])[0]
    assert out.text and out.faithful  # random tokens never survive the verifier with invented names/numbers
    assert all(x.text in SOURCES or x.kind == "abstractive" for x in out.sentences)


def test_greedy_decode_matches_generate(nk_page, summarizer):
    """The batched decoder (shared instruction read once, finished rows dropped) gives `generate`'s texts:
    the shipped rewriter on the fixture's sentences, rows of different lengths that end at different steps."""
    import torch

    from benchmarks.decode_bench import generate_reference
    from newsml import to_article
    from newsml.summarize.decode import greedy_decode

    s = summarizer
    model, tok = s.load()
    a = to_article(nk_page)
    prompts = [tok(p, add_special_tokens=False)["input_ids"] for p in s._sentence_prompts(a, list(range(6)))]
    assert len({len(p) for p in prompts}) > 1
    g = {"max_new_tokens": 24, "repetition_penalty": 1.1, "no_repeat_ngram_size": 3}
    with torch.inference_mode():
        ours = greedy_decode(model, prompts, pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id, **g)
        texts = generate_reference(model, tok, prompts, g)
    assert [tok.decode(x, skip_special_tokens=True) for x in ours] == texts
    assert len({len(x) for x in ours}) > 1  # rows did end at different steps


def test_fixture_page_summary(nk_page, summarizer):
    from newsml import to_article
    from newsml.text import numbers

    a = to_article(nk_page)
    s = summarizer.summarize([a])[0]
    assert 2 <= len(s.sentences) <= 4
    assert "North Korea" in s.text or "Korean" in s.text
    assert numbers(s.text) <= numbers(a.text) and s.faithful


def test_fifty_thousand_words_do_not_crash(summarizer):
    text = " ".join(f"The council met on day {i % 28 + 1} to discuss the budget for roads and schools." for i in range(4000))
    s = summarizer.summarize([text])[0]
    assert s.text and s.faithful


def test_adapter_round_trip(tmp_path, summarizer):
    """The shipped adapter loads into the base, and a save -> load of the summarizer folder is exact."""
    from newsml.summarize import DEFAULT_PATH, Summarizer

    s = summarizer
    s.save_pretrained(tmp_path / "s")
    again = Summarizer.from_pretrained(tmp_path / "s", use_adapter=False)
    assert {k: v for k, v in again.config.items() if k != "newsml_version"} == \
           {k: v for k, v in s.config.items() if k != "newsml_version"}
    assert again.selector.to_dict() == s.selector.to_dict()
    import numpy as np

    t0, t1 = s.selector.tensors(), again.selector.tensors()
    assert t0.keys() == t1.keys() and all(np.array_equal(t0[k], t1[k]) for k in t0)
    from safetensors.numpy import load_file

    w = load_file(str(DEFAULT_PATH / "adapter" / "adapter_model.safetensors"))
    assert w and all("lora_" in k for k in w)


def test_selector_logistic_file_equals_one_layer_mlp():
    """Older selector files (coef + intercept) load as a one-layer stack with the same scores."""
    import numpy as np

    from newsml.summarize.select import FEATURES, SentenceSelector

    rng = np.random.default_rng(0)
    coef, b = rng.normal(size=len(FEATURES)).tolist(), 0.3
    d = {"features": FEATURES, "coef": coef, "intercept": b, "mean": [0.0] * len(FEATURES), "scale": [1.0] * len(FEATURES)}
    sel = SentenceSelector.from_dict(d)
    from newsml.summarize.select import sentence_features

    X = sentence_features(SOURCES, "Troops")
    assert np.allclose(sel.scores(SOURCES, "Troops"), X @ np.array(coef) + b)
    assert SentenceSelector.from_dict(sel.to_dict()).to_dict() == sel.to_dict()


def test_selector_alone_respects_word_budget(nk_page, summarizer):
    from newsml import to_article
    sel = summarizer.selector
    a = to_article(nk_page)
    picks = sel.summary_picks(a.sentences, a.title, words=40, max_sentences=4)
    words = [len(a.sentences[i].split()) for i in picks]
    assert picks == sorted(picks) and 1 <= len(picks) <= 4
    assert sum(words[:-1]) < 40 or len(picks) == 1  # stops at the first sentence that reaches the budget
    assert any("troops" in a.sentences[i].lower() for i in picks)


def test_rewrite_guard_keeps_supported_and_replaces_invented():
    """Sentence mode: each rewrite is checked on its own; a failed one gives way to its own source."""
    from newsml.summarize.verify import verify_rewrites

    rewrites = ["South Korea condemned the decision.",  # for source 2: a supported compression
                "North Korea sent 20,000 troops to Russia."]  # for source 0: invented number
    s = verify_rewrites(rewrites, [2, 0], SOURCES, method="t", min_support=0.5)
    assert [x.source_index for x in s.sentences] == [0, 2]  # article order
    assert s.sentences[0].kind == "copied" and s.sentences[0].text == SOURCES[0]
    assert s.sentences[1].kind == "abstractive" and s.sentences[1].text == "South Korea condemned the decision."
    assert "20,000" not in s.text and s.faithful


def test_rewrite_guard_catches_invented_name_and_empty_output():
    from newsml.summarize.verify import verify_rewrites

    s = verify_rewrites(["Kim Jong Un ordered the deployment with Xi Jinping.", ""], [1, 2], SOURCES, method="t")
    assert [x.kind for x in s.sentences] == ["copied", "copied"] and "Xi" not in s.text
    assert s.text == " ".join(SOURCES[1:])


def test_rewrite_guard_replaces_an_invented_question():
    """A rewrite may not ask what its source does not (a heading turned into a made-up question); a
    question in the source may stay a question."""
    from newsml.summarize.verify import verify_rewrites

    sources = ["Media Literacy Question of the Day:", "Why did the council vote against the new school budget?",
               "The council voted against the new school budget on Monday."]
    s = verify_rewrites(["Media literacy question of the day: how should media literacy be taught?",
                         "Why did the council vote against the school budget?"], [0, 1], sources, method="t",
                        min_support=0.3)
    assert [x.kind for x in s.sentences] == ["copied", "abstractive"]
    assert s.sentences[0].text == sources[0] and s.sentences[1].text.endswith("school budget?")
    whole = verify("Media literacy question of the day: how should media literacy be taught?", sources, method="t",
                   min_support=0.3)  # the whole-summary mode's verifier applies the same rule
    assert [(x.kind, x.text) for x in whole.sentences] == [("copied", sources[0])]


def test_rewrite_guard_replaces_names_that_trade_places():
    """Every name and word is in the article, but the rewrite swaps who did what to whom (the fixture page's
    "Ukrainian forces ... Russian village" once came out as "Russian forces ... Ukrainian village")."""
    from newsml.summarize.verify import verify_rewrites

    src = ("Russia said last week that Ukrainian forces had been expelled from the last Russian village they had been "
           "holding, although Kyiv denied the claim.")
    swapped = verify_rewrites(["Russian forces have been expelled from Ukrainian village."], [0], [src], method="t",
                              min_support=0.3)
    faithful = verify_rewrites(["Ukrainian forces have been expelled from the last Russian village."], [0], [src],
                               method="t", min_support=0.3)
    assert swapped.sentences[0].kind == "copied" and swapped.text == src
    assert faithful.sentences[0].kind == "abstractive"


def test_context_window_spans():
    """The context scorer's view: [CLS] s1 [SEP] s2 [SEP] ...; a sentence with no tokens gets its [SEP]
    (a mean over nothing would be NaN), and sentences past the window get no span."""
    from transformers import AutoTokenizer

    from newsml.backbones import minilm_path
    from newsml.summarize.select import context_window

    tok = AutoTokenizer.from_pretrained(minilm_path())
    sents = ["North Korea sent troops.", "\u202c", "South Korea condemned it."] + ["More words here."] * 200
    ids, spans = context_window(tok, sents, 64)
    assert len(ids) <= 64 and ids[0] == tok.cls_token_id and 3 < len(spans) < len(sents)
    assert tok.decode(ids[spans[0][0]:spans[0][1]]) == "north korea sent troops."
    assert spans[1][1] - spans[1][0] == 1 and ids[spans[1][0]] == tok.sep_token_id
    assert all(b > a for a, b in spans) and all(ids[b] == tok.sep_token_id for a, b in spans[2:])


def test_context_scorer_reads_only_its_window_and_round_trips(nk_page, tmp_path, summarizer):
    """The shipped selector's MiniLM context scorer (`--stage context`): finite residuals for the sentences
    inside its window, 0 past it, scores = MLP + residuals, and a summarizer folder saved with it loads back
    with the same tensors and scores."""
    import numpy as np

    from newsml import to_article
    from newsml.summarize import Summarizer
    from newsml.summarize.select import context_window

    s = summarizer
    assert s.selector.context is not None and s.selector.context.encoder.lora  # shipped: a trained LoRA + head
    sents = list(to_article(nk_page).sentences) * 8  # far past the window
    mlp = s.selector.with_context(None).scores(sents)
    res = s.selector.context.residuals(sents)
    _, spans = context_window(s.selector.context.encoder.load()[1], sents, s.selector.context.max_tokens)
    assert np.isfinite(res).all() and (res[: len(spans)] != 0).all() and (res[len(spans):] == 0).all()
    assert np.allclose(s.selector.scores(sents), mlp + res)
    s.save_pretrained(tmp_path / "s")
    again = Summarizer.from_pretrained(tmp_path / "s", use_adapter=False).selector
    t0, t1 = s.selector.tensors(), again.tensors()
    assert t0.keys() == t1.keys() and all(np.array_equal(t0[k], t1[k]) for k in t0)
    assert np.allclose(again.scores(sents), s.selector.scores(sents))


def test_resume_phases_records_each_planned_length():
    """A checkpointed run's phases: one per planned length (pairs or epochs), legacy checkpoints included."""
    from training.summarizer.common import resume_phases

    fresh = resume_phases({}, 0, "epochs", 2, config_key="epochs", seconds=0.0)
    assert fresh == [{"from": 0, "to": 0, "epochs": 2, "seconds": 0.0}]
    done = [{"from": 0, "to": 2750, "epochs": 2, "seconds": 3000.0}]
    same = resume_phases({"phases": [dict(p) for p in done], "config": {"epochs": 2}}, 2000, "epochs", 2, config_key="epochs", seconds=0.0)
    assert same == done  # a resume with the same plan continues its phase
    more = resume_phases({"phases": [dict(p) for p in done], "config": {"epochs": 2}}, 2750, "epochs", 3, config_key="epochs", seconds=0.0)
    assert more == [*done, {"from": 2750, "to": 2750, "epochs": 3, "seconds": 0.0}]
    # a checkpoint written before phases were recorded: its past becomes one phase of unknown duration
    legacy = resume_phases({"step": 4125, "config": {"epochs": 3}}, 4125, "epochs", 4, config_key="epochs", seconds=0.0)
    assert legacy == [{"from": 0, "to": 4125, "epochs": 3, "seconds": None},
                      {"from": 4125, "to": 4125, "epochs": 4, "seconds": 0.0}]


def test_set_overrides_reach_every_lora_stage_and_are_refused_elsewhere(tmp_path):
    """`--set` changes a LoRA run's config, a stage without a config refuses it, and the old entry point runs each
    stage's script (the commands the shipped config records) and refuses the retired whole-summary stages."""
    from argparse import Namespace

    from training import train_summarizer
    from training.summarizer import selector
    from training.summarizer.common import start_run
    from training.summarizer.rewriter import RewriterConfig

    cfg = RewriterConfig()
    start_run(cfg, Namespace(set=["lr=1e-4", "batch_size=4"], n_examples=100, threads=None, out=str(tmp_path / "run")))
    assert (cfg.lr, cfg.batch_size, cfg.n_examples) == (1e-4, 4, 100)
    with pytest.raises(SystemExit):
        selector.main(["--set", "lr=1e-4"])
    for retired in (["--stage", "adapter"], ["--stage", "export"], ["--stage", "tune", "--mode", "summary"]):
        with pytest.raises(SystemExit, match="retired"):
            train_summarizer.main(retired)
    with pytest.raises(SystemExit):  # forwarded to selector.py, whose parser has no --set
        train_summarizer.main(["--stage", "selector", "--set", "lr=1e-4"])


@needs_data("cnn_dailymail", "test.jsonl.gz")
def test_cnn_stories_are_split_once_then_read_from_the_cache(tmp_path, monkeypatch):
    """The training stages' story reader on the sample CNN stories: a whole split is cached (keyed by the data
    file), a second read comes from the cache with the same sentences, `limit` reads the first stories, and
    changed data is split anew."""
    import gzip
    import json

    from evaluation.samples import load_samples
    from training.summarizer.common import cnn_stories

    monkeypatch.setenv("NEWSML_CACHE", str(tmp_path / "cache"))
    fixtures = load_samples(DATA_DIR, tasks=("summary",))
    rows = [json.dumps({"article": r["text"], "highlights": r["reference"]}) + "\n"
            for r in fixtures if r["dataset"] == "cnn_dailymail"][:4]
    (tmp_path / "data" / "cnn_dailymail").mkdir(parents=True)
    dest = tmp_path / "data" / "cnn_dailymail" / "validation.jsonl.gz"
    dest.write_bytes(gzip.compress("".join(rows).encode()))
    first = cnn_stories(tmp_path / "data", "validation")
    cached = list((tmp_path / "cache" / "cnn_stories").glob("validation-*.json.gz"))
    assert len(first) == 4 and len(cached) == 1 and all(len(sents) > 3 for sents, _, _ in first)
    assert first[0][2] == fixtures[[r["dataset"] for r in fixtures].index("cnn_dailymail")]["reference"]
    assert cnn_stories(tmp_path / "data", "validation") == first
    assert cnn_stories(tmp_path / "data", "validation", limit=2) == first[:2]
    dest.write_bytes(gzip.compress("".join(rows[:3]).encode()))
    assert cnn_stories(tmp_path / "data", "validation") == first[:3]


def test_copy_chooser_puts_back_only_the_rewrites_it_scores_above_threshold():
    """Step 4 alone: features for the kept rewrites only; a rewrite that dropped the source's names is put back
    (kind "extracted") by a chooser that weighs lost names, the other stays."""
    import numpy as np

    from newsml.summarize.copy_chooser import FEATURES, choose_copies, copy_features
    from newsml.summarize.verify import verify_rewrites

    s = verify_rewrites(["The country sent troops.", "South Korea condemned the decision.",
                         "North Korea sent 20,000 troops to Russia."], [0, 2, 1], SOURCES, method="t", min_support=0.3)
    kept, X = copy_features(s, SOURCES, " ".join(SOURCES), np.array([2.0, 0.5, 1.0]))
    assert X.shape == (len(kept), len(FEATURES)) and all(s.sentences[j].kind == "abstractive" for j in kept)
    lost_names = FEATURES.index("source_names"), FEATURES.index("rewrite_names")
    coef = np.zeros(len(FEATURES))
    coef[lost_names[0]], coef[lost_names[1]] = 4.0, -4.0  # more names in the source than in the rewrite: copy
    chooser = {"mean": [0.0] * len(FEATURES), "scale": [1.0] * len(FEATURES), "coef": coef.tolist(),
               "intercept": -2.0, "threshold": 0.5}
    out = choose_copies(s, SOURCES, " ".join(SOURCES), np.array([2.0, 0.5, 1.0]), chooser)
    by_source = {z.source_index: z for z in out.sentences}
    assert by_source[0].kind == "extracted" and by_source[0].text == SOURCES[0]  # "The country" lost North Korea, Russia
    assert by_source[2].kind == "abstractive"  # "South Korea condemned the decision." kept its name
    assert out.text == " ".join(z.text for z in out.sentences)
    assert choose_copies(s, SOURCES, " ".join(SOURCES), np.zeros(3), {**chooser, "threshold": 1.1}) == s
    # threshold 1.0 (the rule found no put-back that keeps novelty) is off, even for a probability that rounds to 1
    certain = {**chooser, "intercept": 1e3, "threshold": 1.0}
    assert choose_copies(s, SOURCES, " ".join(SOURCES), np.array([2.0, 0.5, 1.0]), certain) == s


def test_shipped_copy_chooser_reads_the_features_the_code_computes():
    import json

    from newsml.summarize import DEFAULT_PATH
    from newsml.summarize.copy_chooser import FEATURES

    ch = json.loads((DEFAULT_PATH / "config.json").read_text())["copy_chooser"]
    assert ch["features"] == list(FEATURES)
    # 1.0: its rule found no put-back that keeps validation novelty, so it never fires (2.8)
    assert len(ch["coef"]) == len(ch["mean"]) == len(ch["scale"]) == len(FEATURES) and 0 < ch["threshold"] <= 1


def test_the_one_install_step_round_trips_the_shipped_folder(tmp_path, summarizer):
    """Every training stage ships through training.summarizer.common.install (load, update the config,
    save_pretrained): with a no-op update, a copy of the shipped folder loads back with the same config,
    selector and context-scorer tensors, and its manifest verifies."""
    import shutil

    import numpy as np

    from newsml.safe_io import verify_manifest
    from newsml.summarize import DEFAULT_PATH, Summarizer
    from training.summarizer.common import install

    dest = tmp_path / "summarizer"
    shutil.copytree(DEFAULT_PATH, dest)
    install(lambda cfg: None, dest=dest)
    verify_manifest(dest)
    again = Summarizer.from_pretrained(dest, use_adapter=False)
    assert again.config == summarizer.config and again.selector.to_dict() == summarizer.selector.to_dict()
    t0, t1 = summarizer.selector.tensors(), again.selector.tensors()
    assert t0 and t0.keys() == t1.keys() and all(np.array_equal(t0[k], t1[k]) for k in t0)
