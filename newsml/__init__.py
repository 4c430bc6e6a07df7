"""newsml: news analysis — topic, claim stance and faithful abstractive summaries.

    >>> import newsml
    >>> result = newsml.analyze(open("page.txt").read())
    >>> result.topic.label, [s.label for s in result.stance], result.summary.text
"""

from newsml._version import __version__
from newsml.analyzer import Analyzer, analyze, analyze_batch
from newsml.article import Article, RelatedStory, to_article
from newsml.errors import InputTypeError, InputValueError, ModelLoadError, NewsmlError, NoArticleError
from newsml.types import Analysis, LabelScore, StanceResult, Summary, SummarySentence, TopicResult

__all__ = [
    "analyze", "analyze_batch", "Analyzer",
    "Article", "RelatedStory", "to_article",
    "Analysis", "TopicResult", "StanceResult", "Summary", "SummarySentence", "LabelScore",
    "TopicClassifier", "StanceClassifier", "Summarizer", "fit_topic",
    "NewsmlError", "InputTypeError", "InputValueError", "NoArticleError", "ModelLoadError",
    "__version__",
]


def __getattr__(name):  # model classes import lazily: `import newsml` stays light (no torch)
    if name == "TopicClassifier":
        from newsml.topic import TopicClassifier

        return TopicClassifier
    if name == "fit_topic":
        from newsml.topic_fewshot import fit_topic

        return fit_topic
    if name == "StanceClassifier":
        from newsml.stance import StanceClassifier

        return StanceClassifier
    if name == "Summarizer":
        from newsml.summarize import Summarizer

        return Summarizer
    raise AttributeError(f"module 'newsml' has no attribute {name!r}")
