"""The generator's prompt and target format, shared by training and inference (one definition)."""

from __future__ import annotations

INSTRUCTION = "Summarize the news article in three short sentences."


def build_prompt(selected_sentences: list[str], title: str | None = None) -> str:
    """The text the generator continues. Short on purpose: every prompt token costs CPU prefill time."""
    head = f"Title: {title.strip()}\n" if title else ""
    body = " ".join(s.strip() for s in selected_sentences)
    return f"{INSTRUCTION}\n{head}Article: {body}\nSummary:"


def build_target(highlights: str) -> str:
    """CNN highlights (one per line, often without a final stop) -> one line of sentences."""
    lines = [h.strip() for h in highlights.split("\n") if h.strip()]
    return " " + " ".join(_with_stop(h) for h in lines)


def _with_stop(line: str) -> str:
    """A highlight line as a sentence: a final stop added where it has none."""
    return line if line[-1] in ".!?\"'" else line + "."


# -- sentence mode: the generator rewrites one selected sentence at a time into a highlight ---------------
SENTENCE_INSTRUCTION = "Rewrite the sentence as a short news highlight."
MAX_SENTENCE_WORDS = 80


def build_sentence_prompt(sentence: str) -> str:
    """One selected sentence -> the prompt its highlight continues (about 45 tokens: cheap prefill)."""
    words = sentence.split()[:MAX_SENTENCE_WORDS]  # the rewriter trained on sources of <= 70 words
    return f"{SENTENCE_INSTRUCTION}\nSentence: {' '.join(words)}\nHighlight:"


def build_sentence_target(highlight: str) -> str:
    return " " + _with_stop(highlight.strip())
