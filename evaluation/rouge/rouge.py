"""ROUGE as a local `evaluate` metric (the hub's "rouge" cannot be downloaded offline).

Wraps Google's `rouge_score`: stemming on, rougeLsum with one sentence per line (pysbd splits),
mean F-measure over examples (per example with `use_aggregator=False`), no bootstrap aggregation. Load with `evaluation.metrics.load_rouge()`.
"""

import datasets
import evaluate
from rouge_score import rouge_scorer

_CITATION = "Lin, Chin-Yew. ROUGE: A Package for Automatic Evaluation of Summaries. 2004."
_DESCRIPTION = "ROUGE-1/2/L/Lsum F-measure with Porter stemming; rougeLsum uses one sentence per line."
_KWARGS = "predictions: list of str, references: list of str. Returns rouge1, rouge2, rougeL, rougeLsum (0..1)."


def _lines(text):
    from newsml.text import split_sentences

    return "\n".join(split_sentences(text))


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS)
class Rouge(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION, citation=_CITATION, inputs_description=_KWARGS,
            features=datasets.Features({"predictions": datasets.Value("string"), "references": datasets.Value("string")}),
        )

    def _compute(self, predictions, references, use_aggregator=True):
        types = ["rouge1", "rouge2", "rougeL", "rougeLsum"]
        scorer = rouge_scorer.RougeScorer(types, use_stemmer=True)
        per = {t: [] for t in types}
        for p, r in zip(predictions, references):
            s = scorer.score(_lines(r), _lines(p))
            for t in types:
                per[t].append(s[t].fmeasure)
        if not use_aggregator:
            return per
        n = max(1, len(predictions))
        return {t: sum(v) / n for t, v in per.items()}
