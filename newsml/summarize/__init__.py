"""The summarizer: select -> rewrite -> verify -> choose (`Summarizer`, in `summarizer.py`).

    >>> from newsml.summarize import Summarizer
    >>> Summarizer.from_pretrained().summarize([article])[0].text

One file per step: `select.py` (sentence scorer + MiniLM context scorer), `prompt.py` (the rewriter's
prompts), `decode.py` (batched greedy decoding), `verify.py` (names/numbers guard), `copy_chooser.py` (keep a
rewrite or put its source back).
"""

from newsml.summarize.summarizer import ARCHITECTURE, DEFAULT_PATH, SENTENCE_PROMPTS_PER_ARTICLE, Summarizer

__all__ = ["Summarizer", "ARCHITECTURE", "DEFAULT_PATH", "SENTENCE_PROMPTS_PER_ARTICLE"]
