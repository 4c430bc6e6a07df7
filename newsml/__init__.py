"""newsml: news analysis — topic, claim stance and faithful abstractive summaries.

    >>> import newsml
    >>> result = newsml.analyze(open("page.txt").read())
    >>> result.topic.label, [s.label for s in result.stance], result.summary.text
"""

__version__ = "0.1.0"

from newsml.analyzer import Analyzer, analyze, analyze_batch  # noqa: E402
from newsml.article import Article, RelatedStory, to_article  # noqa: E402
from newsml.errors import InputTypeError, InputValueError, ModelLoadError, NewsmlError, NoArticleError  # noqa: E402
from newsml.types import Analysis, LabelScore, StanceResult, Summary, SummarySentence, TopicResult  # noqa: E402

__all__ = [
    "analyze", "analyze_batch", "Analyzer",
    "Article", "RelatedStory", "to_article",
    "Analysis", "TopicResult", "StanceResult", "Summary", "SummarySentence", "LabelScore",
    "TopicClassifier", "StanceClassifier", "Summarizer",
    "NewsmlError", "InputTypeError", "InputValueError", "NoArticleError", "ModelLoadError",
    "__version__",
]


def __getattr__(name):  # model classes import lazily: `import newsml` stays light (no torch)
    if name == "TopicClassifier":
        from newsml.topic import TopicClassifier

        return TopicClassifier
    if name == "StanceClassifier":
        from newsml.stance import StanceClassifier

        return StanceClassifier
    if name == "Summarizer":
        from newsml.summarize import Summarizer

        return Summarizer
    raise AttributeError(f"module 'newsml' has no attribute {name!r}")
