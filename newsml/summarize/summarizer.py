"""Summarizer: select -> generate -> verify. Abstractive, and never keeps an invented number or name.

    >>> s = Summarizer.from_pretrained()            # SmolLM2-135M-Instruct + newsml LoRA adapter
    >>> s.summarize([article])[0].text

1. **select** (`summarize/select.py`): a small MLP sentence scorer trained on ROUGE-oracle labels ranks
   the body sentences, plus (when the folder has one) a residual from MiniLM reading the article's first
   tokens at once (the shipped scorer: 512; any input length is safe: features are linear, the window and
   prompts are bounded).
2. **generate**: a causal LM continues short prompts (`summarize/prompt.py`); batched, length-sorted,
   greedy (`summarize/decode.py`: the shared instruction read once, finished rows leave the batch).
   Each of the selector's best sentences is rewritten into one short highlight (`generation_mode`
   "sentences"; the 1.x whole-summary mode was retired in 2.5).
3. **verify** (`summarize/verify.py`): each generated sentence's numbers and names must occur in the
   article and it must overlap the article's sentences; with a `meaning_check` in the config (version 2.5),
   the NLI cross-encoder (`newsml.nli`) must also find it entailed by its source sentence and not
   contradicted (a dropped negation, swapped roles, a moved place, a reversed verb keep every name and number
   and pass the exact checks); with `role_check` (2.7), no two names may trade roles (`verify.swapped_roles`:
   NLI reads "Ukraine accused Russia" as entailed by "Russia accused Ukraine"). Otherwise the guard puts the
   source sentence in its place (or drops it).
4. **choose** (`summarize/copy_chooser.py`, when the config has a `copy_chooser`): a small logistic model puts the
   source sentence back where a verified rewrite is likely to have lost what a highlight keeps.
"""

from __future__ import annotations

import threading
from pathlib import Path

from newsml.errors import ModelLoadError, type_error
from newsml.pretrained import Pretrained
from newsml.summarize.copy_chooser import choose_copies
from newsml.summarize.decode import greedy_decode
from newsml.summarize.prompt import build_sentence_prompt
from newsml.summarize.select import SentenceSelector
from newsml.summarize.verify import first_sentence, verify, verify_rewrites
from newsml.types import Summary

ARCHITECTURE = "newsml.summarizer.select_generate_verify.v1"
DEFAULT_PATH = Path(__file__).parents[1] / "models" / "summarizer"
SENTENCE_PROMPTS_PER_ARTICLE = 4  # sentence mode: generate() batches batch_size x this many prompts


class Summarizer(Pretrained):
    default_path = DEFAULT_PATH

    def __init__(self, config: dict, selector: SentenceSelector, generator: str | None, adapter_dir: Path | None,
                 device: str | None = None):
        self.config = config
        self.selector = selector
        self.generator_name = generator
        self.adapter_dir = adapter_dir
        self.device = device  # None: CUDA when available, else CPU (decided on first use)
        self._model = None
        self._tok = None
        self._nli = None
        self._lock = threading.Lock()

    @classmethod
    def from_pretrained(cls, path: str | Path | None = None, *, device: str | None = None,
                        generator: str | None = None, use_adapter: bool = True) -> Summarizer:
        """Load the shipped summarizer (or a saved folder). `generator`: any HF causal-LM id or local
        path to use instead of the default base (the adapter is then skipped unless it matches)."""
        from newsml.backbones import SMOLLM2_MISSING, hub_offline, smollm2_available_offline
        from newsml.safe_io import load_folder

        if generator is None and hub_offline() and not smollm2_available_offline():
            raise ModelLoadError(SMOLLM2_MISSING)  # fail at load, with both fixes, not deep inside transformers later
        folder = cls.folder(path)
        config, tensors, extra = load_folder(folder, ARCHITECTURE, extra_json=["selector.json"])
        if config.get("generation_mode", "sentences") != "sentences":
            raise ModelLoadError(f"{folder}: generation_mode {config.get('generation_mode')!r} (the whole-summary mode of "
                                 "versions 1.x) was retired in 2.5; newsml runs sentence mode only (CHANGELOG.md)")
        selector = SentenceSelector.from_dict(extra["selector.json"], tensors, device=device)
        base = generator
        adapter = folder / "adapter" if use_adapter and (folder / "adapter").is_dir() and generator is None else None
        if adapter is not None:
            from newsml.safe_io import verify_manifest

            verify_manifest(adapter)
        return cls(config, selector, base, adapter, device=device)

    # -- generator --------------------------------------------------------------------------------------
    def load(self):
        """The generator and its tokenizer (loaded once, adapter merged, left padding): `(model, tokenizer)`."""
        with self._lock:
            if self._model is not None:
                return self._model, self._tok
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer

            from newsml.backbones import smollm2_path

            if self.device is None:
                self.device = "cuda" if torch.cuda.is_available() else "cpu"
            name = self.generator_name or smollm2_path()
            try:
                tok = AutoTokenizer.from_pretrained(name)
                model = AutoModelForCausalLM.from_pretrained(name, dtype=torch.float32)
            except OSError as e:
                from newsml.backbones import SMOLLM2_HUB_ID, SMOLLM2_MISSING

                hint = f" ({SMOLLM2_MISSING})" if name == SMOLLM2_HUB_ID else ""
                raise ModelLoadError(f"cannot load generator {name!r}: {e}{hint}") from None
            if self.adapter_dir is not None:
                import warnings

                from peft import PeftModel

                with warnings.catch_warnings():  # peft reads a property transformers 5 deprecates; not the user's concern
                    warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing", category=FutureWarning)
                    model = PeftModel.from_pretrained(model, str(self.adapter_dir))
                model = model.merge_and_unload()  # plain model: faster generation, no peft at run time
            tok.padding_side = "left"
            if tok.pad_token is None:
                tok.pad_token = tok.eos_token
            self._model, self._tok = model.to(self.device).eval(), tok
            return self._model, self._tok

    def generate(self, prompts: list[str], batch_size: int = 8) -> list[str]:
        """Greedy continuations of `prompts` in input order: batches of similar length, decoded by
        `greedy_decode` (the shared instruction read once, finished rows leave the batch)."""
        import torch

        model, tok = self.load()
        g = self.config["generation"]
        enc = [tok(p, add_special_tokens=False)["input_ids"][-self.config["max_prompt_tokens"] :] for p in prompts]
        order = sorted(range(len(prompts)), key=lambda i: len(enc[i]))
        out = [""] * len(prompts)
        with torch.inference_mode():
            for s in range(0, len(order), batch_size):
                idx = order[s : s + batch_size]
                gen = greedy_decode(model, [enc[i] for i in idx], pad_token_id=tok.pad_token_id,
                                    eos_token_id=tok.eos_token_id, max_new_tokens=g["max_new_tokens"],
                                    repetition_penalty=g["repetition_penalty"],
                                    no_repeat_ngram_size=g["no_repeat_ngram_size"])
                for i, ids in zip(idx, gen):
                    out[i] = tok.decode(ids, skip_special_tokens=True)
        return out

    # -- the pipeline --------------------------------------------------------------------------------------
    def summarize(self, articles, batch_size: int = 8, generate: bool = True) -> list[Summary]:
        """Summaries for a list of articles (str, dict or Article). `generate=False`: the selector alone."""
        from newsml.article import Article, to_article

        if isinstance(articles, (str, dict, Article)) or not hasattr(articles, "__iter__"):
            raise type_error("articles", "a list of articles", articles)
        arts = [to_article(a) for a in articles]
        if generate:
            return self._summarize_sentences(arts, batch_size)
        # the selector alone picks by words (summary_picks), not by generator tokens
        words = self.config.get("summary_words", 0)  # a word budget, tuned on validation
        res = []
        for a in arts:
            lead = self.selector.summary_picks(a.sentences, a.title, words=words,
                                               max_sentences=4 if words else self.config["max_summary_sentences"])
            res.append(verify(" ".join(a.sentences[i] for i in lead), list(a.sentences), method="select",
                              model=self.model_id, max_sentences=len(lead)))
        return res

    def run(self, articles, claims=None) -> list[Summary]:
        """The component protocol: one Summary per Article (`claims` are not read)."""
        return self.summarize(articles)

    def rewrite_picks(self, article) -> list[int]:
        """Sentence mode: the selector's best sentences (article order) within `rewrite_words` source words."""
        return self.scored_rewrite_picks(article)[0]

    def scored_rewrite_picks(self, article):
        """`rewrite_picks` and the selector's sentence scores (the copy chooser reads them)."""
        return self.selector.scored_summary_picks(article.sentences, article.title, words=self.config["rewrite_words"],
                                                  max_sentences=self.config["max_summary_sentences"])

    def article_prompts(self, article) -> list[str]:
        """Every prompt the generator gets for one article: one per picked sentence."""
        return self._sentence_prompts(article, self.rewrite_picks(article))

    @staticmethod
    def _sentence_prompts(article, picks: list[int]) -> list[str]:
        return [build_sentence_prompt(article.sentences[i]) for i in picks]

    def _summarize_sentences(self, arts, batch_size: int) -> list[Summary]:
        """Sentence mode: the generator rewrites each picked sentence into a highlight; each rewrite is
        verified on its own (a failed one gives way to its source sentence). All prompts of all articles
        go through `generate` together, so short rewrites batch well."""
        scored = [self.scored_rewrite_picks(a) for a in arts]
        prompts = [q for a, (p, _) in zip(arts, scored) for q in self._sentence_prompts(a, p)]
        return self.verified_rewrites(arts, scored, self.generate(prompts, batch_size=batch_size * SENTENCE_PROMPTS_PER_ARTICLE))

    @property
    def nli(self):
        """The NLI model of the meaning check (the shipped one, on this summarizer's device), loaded on first use."""
        if self._nli is None:
            from newsml.nli import NLIModel

            self._nli = NLIModel.from_pretrained(device=self.device)
        return self._nli

    def meaning_scores(self, arts, scored, rewrites: list[str]) -> list[tuple[float, float]]:
        """(entailment, contradiction) of every rewrite given its source sentence, all articles in one NLI batch."""
        flat, pairs = iter(rewrites), []
        for a, (p, _) in zip(arts, scored):
            for i in p:
                pairs.append((a.sentences[i], first_sentence(next(flat)) or a.sentences[i]))
        return self.nli.entailment_contradiction(pairs)

    def verified_rewrites(self, arts, scored, rewrites: list[str], chooser: bool = True) -> list[Summary]:
        """Steps 3-4 of sentence mode: `rewrites` (the generator's texts for every article's picks, in order;
        `scored`: each article's `scored_rewrite_picks`) verified per article (with the meaning check when the
        config has one: one NLI batch for every rewrite), then the copy chooser when the config has one
        (`chooser=False` skips it: the copy stage's summaries as they are without one)."""
        flat = iter(rewrites)
        name = self.model_id
        ch = self.config.get("copy_chooser") if chooser else None
        check = self.config.get("meaning_check")
        meaning = iter(self.meaning_scores(arts, scored, rewrites)) if check else None
        out = []
        for a, (p, scores) in zip(arts, scored):
            sents = list(a.sentences)
            s = verify_rewrites([next(flat) for _ in p], p, sents, method="select+rewrite+verify",
                                model=name, min_support=self.config["min_support"],
                                meaning=[next(meaning) for _ in p] if meaning else None, meaning_check=check,
                                role_check=bool(self.config.get("role_check")))
            out.append(choose_copies(s, sents, a.text, scores, ch) if ch else s)
        return out

    def save_pretrained(self, path: str | Path) -> None:
        from newsml.safe_io import save_folder

        save_folder(Path(path), self.config, self.selector.tensors(), extra_json={"selector.json": self.selector.to_dict()})
