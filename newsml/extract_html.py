"""HTML -> the main story's text, from what the markup knows (helpers for `newsml.article`)."""

from __future__ import annotations

import re

_BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "pre", "section",
          "article", "header", "footer", "ul", "ol", "table", "figure", "figcaption", "dd", "dt", "dl"}


def tree_text(el) -> str:
    """Visible text of an lxml element, one line per block element."""
    parts: list[str] = []

    def walk(e):
        tag = e.tag if isinstance(e.tag, str) else ""
        if tag in ("script", "style", "noscript", "template"):
            if e.tail:
                parts.append(e.tail)
            return
        block = tag.lower() in _BLOCK
        if block:
            parts.append("\n")
        if e.text:
            parts.append(e.text)
        for c in e:
            walk(c)
        if block:
            parts.append("\n")
        if e.tail:
            parts.append(e.tail)

    walk(el)
    lines = (re.sub(r"\s+", " ", x).strip() for x in "".join(parts).split("\n"))
    return "\n".join(x for x in lines if x)


def readability_text(html: str) -> str:
    """readability-lxml's main content as text ('' when it finds none)."""
    import lxml.html
    from readability import Document

    try:
        summary = Document(html).summary(html_partial=True)
        return tree_text(lxml.html.fromstring(summary)) if summary.strip() else ""
    except Exception:  # readability raises on pages it cannot parse (Unparseable, lxml errors)
        return ""


_TITLE_SOURCES = (
    re.compile(r"(?is)<title\b[^>]*>(.*?)</title\s*>"),
    re.compile(r"(?is)<h1\b[^>]*>(.*?)</h1\s*>"),
    re.compile(r"(?is)<meta\b[^>]*(?:property|name)\s*=\s*[\"'](?:og:title|twitter:title|title)[\"'][^>]*>"),
)
_CONTENT = re.compile(r"(?is)\bcontent\s*=\s*(\"[^\"]*\"|'[^']*')")

# "Read more: <another story>", "SEE MORE: ...": a link to another story inside the body.
_PROMO = re.compile(r"^(read|see|watch|listen|also read|read also|related|more|don'?t miss)( more| also| next)?\s*[:|]", re.I)
# The heading of the reader-comments block (or its prompt): the story ends before it.
_COMMENTS = re.compile(
    r"^(\d+\s*)?(comments?|responses?|replies|discussion|leave a (reply|comment)|post a comment|add a comment|"
    r"join the (discussion|conversation)|tell us what you think|what do you think)\b[\s\w.!?:()]{0,20}$",
    re.I,
)


def page_titles(html: str, *more: str | None) -> list[str]:
    """The page's own names for the story: <title>, <h1>, og:/twitter: title meta (plus `more`)."""
    import html as _h

    head = html[:2_000_000]
    out = [x for x in more if x]
    for rx in _TITLE_SOURCES:
        for m in rx.finditer(head):
            if m.groups():
                out.append(re.sub(r"(?s)<[^>]*>", " ", m.group(1)))
            else:
                c = _CONTENT.search(m.group(0))
                if c:
                    out.append(c.group(1)[1:-1])
            if len(out) > 40:
                break
    return [" ".join(_h.unescape(x).split()) for x in out]


def _norm(s: str) -> str:
    return " ".join(re.findall(r"\w+", s)).lower()


def _is_title(line: str, titles: list[str]) -> bool:
    """The line is one of the page's titles, or (3+ words) a whole-word part of one ("Headline | Site")."""
    n = _norm(line)
    if not n:
        return False
    for t in titles:
        nt = _norm(t)
        if nt and (n == nt or (len(n.split()) >= 3 and f" {n} " in f" {nt} ")):
            return True
    return False


def story_lines(text: str, *, titles: list[str] = ()) -> list[str]:
    """An HTML extractor's text as story lines, less what the train half of the Zyte pages shows is
    not story (each rule raised its train F1 and made no train page worse):

    * up to two leading lines that repeat one of the page's `titles` (`page_titles`): the headline
      printed above the story;
    * lines that point at another story ("Read more: ...", "SEE MORE: ...") and short related-stories
      headings ("Related", "More stories", `article._RELATED`, not prose);
    * a reader-comments heading or prompt ("Comments", "12 comments", "Leave a reply") in the second
      half of the text, and all after it.

    Nothing is dropped where it would leave no line.
    """
    from newsml.article import _RELATED, _clean, _is_prose

    lines = [x for x in (_clean(y) for y in text.split("\n")) if x]
    titles = [t for t in titles if t]
    k = 0
    while k < min(2, len(lines) - 1) and _is_title(lines[k], titles):
        k += 1
    lines = lines[k:]
    lines = [x for x in lines if not _PROMO.match(x) and not (_RELATED.match(x) and not _is_prose(x))] or lines
    for i, x in enumerate(lines):
        if 0 < i and i >= len(lines) / 2 and _COMMENTS.match(x):
            return lines[:i]
    return lines
