"""Weak labels for topic 1.4 candidates (plan: training/plans/topic_1.4.md): CNN datelines and self-training.

A CNN story often opens with a dateline, the place it was filed from, followed by "(CNN)". A place outside the
US suggests a story about events abroad; `dateline` finds the place, `is_foreign` decides it from a small table of
US states and cities (no geography data needed). The rule is noisy (a London dateline may head a football
report), so the candidates combine it with a teacher model: see `train_topic.train_longform`.
"""

from __future__ import annotations

import re

US_STATES = {
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut", "delaware", "florida",
    "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa", "kansas", "kentucky", "louisiana", "maine",
    "maryland", "massachusetts", "michigan", "minnesota", "mississippi", "missouri", "montana", "nebraska", "nevada",
    "new hampshire", "new jersey", "new mexico", "new york", "north carolina", "north dakota", "ohio", "oklahoma",
    "oregon", "pennsylvania", "rhode island", "south carolina", "south dakota", "tennessee", "texas", "utah",
    "vermont", "virginia", "washington", "west virginia", "wisconsin", "wyoming", "district of columbia", "d.c.",
    "dc", "puerto rico", "guam", "u.s.", "us", "usa", "united states", "america",
}
# US cities CNN datelines name without their state
US_CITIES = {
    "atlanta", "boston", "chicago", "dallas", "denver", "detroit", "houston", "las vegas", "los angeles", "miami",
    "minneapolis", "new orleans", "new york city", "philadelphia", "phoenix", "pittsburgh", "san antonio",
    "san diego", "san francisco", "seattle", "st. louis", "baltimore", "cleveland", "cincinnati", "nashville",
    "memphis", "orlando", "tampa", "austin", "sacramento", "portland", "salt lake city", "kansas city",
    "indianapolis", "milwaukee", "charlotte", "honolulu", "anchorage", "des moines", "columbus", "hollywood",
    "beverly hills", "brooklyn", "manhattan", "the bronx", "queens", "cape canaveral", "silicon valley",
    "arlington", "the pentagon", "pentagon", "capitol hill", "the white house", "white house", "oklahoma city",
    "fort hood", "newtown", "ferguson", "aurora", "tucson", "albuquerque", "raleigh", "richmond", "annapolis",
    "jacksonville", "fort lauderdale", "buffalo", "newark", "hartford", "providence", "omaha", "louisville",
    "birmingham, alabama", "santa monica", "pasadena", "palo alto", "cupertino", "menlo park", "mountain view",
    "redmond", "washington d.c.", "washington, d.c.", "new york", "washington",
}
_DATELINE = re.compile(r"^\s*([A-Z][^()\n]{1,60}?)\s*\(CNN\)\s*(?:--\s*)?")


def dateline(text: str) -> tuple[str | None, str]:
    """(place, text without the dateline) of a story; (None, text) when it has no "Place (CNN)" opening.
    Known looseness (kept: topic 1.4's candidates ran with it): any capitalised opening of up to 60 characters
    before "(CNN)" counts as the place, so a story opening "The talks resumed (CNN)" would yield a "place"."""
    m = _DATELINE.match(text)
    if not m:
        return None, text
    return m.group(1).strip(" ,.-"), text[m.end():]


def is_foreign(place: str) -> bool:
    """True when the dateline place is outside the US: its last comma part is not a US state or US city
    (and the whole place is not a listed US city)."""
    p = place.lower().strip()
    last = p.split(",")[-1].strip()
    return not (p in US_CITIES or last in US_STATES or last in US_CITIES)
