"""Drafting the anonymised case stories printed in the committee report.

A draft is written from the escalation's structured fields only: the month it was raised, the
most senior level contacted, the children's number, age bands and sex, the themes, how quickly
the first response came and the outcome. It never reads the free text (the concern, the
responses), names, case IDs or exact dates, so a draft cannot leak what it never saw. The service
manager may edit it; :mod:`reports.identifiers` checks the edited text before any report is made.

Example: "May 2015: the IRO contacted the head of service about two children under 5. The concern
was drift in care planning. The head of service responded within 24 hours. The escalation was
resolved."
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from children.models import Sex
from escalations.models import Escalation, EscalationStatus
from ladder.selectors import ladder_settings
from reports.rules import first_response_within
from themes.models import Outcome
from workdays.clock import local_date
from workdays.selectors import working_calendar

NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]

# Age bands at the date raised, youngest first: (code, phrase after the noun).
UNDER_5, AGED_5_10, AGED_11_15, AGED_16_17, AGED_18_PLUS, AGE_UNKNOWN = (
    "under_5",
    "5_10",
    "11_15",
    "16_17",
    "18_plus",
    "unknown",
)
BAND_ORDER = [UNDER_5, AGED_5_10, AGED_11_15, AGED_16_17, AGED_18_PLUS, AGE_UNKNOWN]
BAND_PHRASES = {
    UNDER_5: "under 5",
    AGED_5_10: "aged 5-10",
    AGED_11_15: "aged 11-15",
    AGED_16_17: "aged 16-17",
    AGED_18_PLUS: "aged 18 or over",
}
# Nouns by band and sex: (male, female, either), singular and plural.
_TEEN = ({Sex.MALE: "boy", Sex.FEMALE: "girl"}, {Sex.MALE: "boys", Sex.FEMALE: "girls"}, "child", "children")
_YOUNG_PERSON = (
    {Sex.MALE: "young man", Sex.FEMALE: "young woman"},
    {Sex.MALE: "young men", Sex.FEMALE: "young women"},
    "young person",
    "young people",
)
_CHILD = ({}, {}, "child", "children")
BAND_NOUNS = {
    UNDER_5: _CHILD,
    AGED_5_10: _CHILD,
    AGED_11_15: _TEEN,
    AGED_16_17: _YOUNG_PERSON,
    AGED_18_PLUS: _YOUNG_PERSON,
    AGE_UNKNOWN: _CHILD,
}
OUTCOME_SENTENCES = {
    Outcome.RESOLVED: "The escalation was resolved.",
    Outcome.NOT_RESOLVED: "The escalation was not resolved.",
    Outcome.WITHDRAWN: "The escalation was withdrawn.",
}
QUICK_WORKING_DAYS = 2


def story_draft_text(escalation: Escalation) -> str:
    """The draft story for ``escalation``, from its structured fields only."""
    raised_on = local_date(escalation.raised_at)
    month = f"{raised_on:%B %Y}"
    children = children_phrase(list(escalation.children.values_list("date_of_birth", "sex")), raised_on)
    if escalation.highest_stage is not None:
        opening = f"{month}: the IRO contacted the {sensible_lower(escalation.highest_stage.label)} about {children}."
    else:
        opening = f"{month}: the IRO raised a concern about {children}."
    sentences = [opening]
    labels = escalation.themes.order_by("order", "label").values_list("label", flat=True)
    themes = [sensible_lower(label) for label in labels]
    if len(themes) == 1:
        sentences.append(f"The concern was {themes[0]}.")
    elif themes:
        sentences.append(f"The concerns were {join_and(themes)}.")
    sentences.append(_response_sentence(escalation))
    sentences.append(_outcome_sentence(escalation))
    return " ".join(sentences)


# --- parts ---------------------------------------------------------------------------------------


def age_band(date_of_birth: dt.date | None, on: dt.date) -> str:
    if date_of_birth is None:
        return AGE_UNKNOWN
    age = on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    if age < 5:
        return UNDER_5
    if age <= 10:
        return AGED_5_10
    if age <= 15:
        return AGED_11_15
    if age <= 17:
        return AGED_16_17
    return AGED_18_PLUS


def children_phrase(children: list[tuple[dt.date | None, str]], raised_on: dt.date) -> str:
    """ "a young man aged 16-17", "two children under 5", "three children (one under 5, two aged 5-10)".

    ``children`` holds (date of birth, sex) pairs.
    """
    bands = [(age_band(dob, raised_on), sex) for dob, sex in children]
    if not bands:
        return "no recorded child"
    by_band = Counter(band for band, _ in bands)
    if len(by_band) == 1:
        band = bands[0][0]
        sexes = {sex for _, sex in bands}
        sex = sexes.pop() if len(sexes) == 1 else None
        male_female, plural_male_female, either, plural_either = BAND_NOUNS[band]
        if len(bands) == 1:
            noun = male_female.get(sex, either)
            return " ".join(filter(None, ["a", noun, BAND_PHRASES.get(band)]))
        noun = plural_male_female.get(sex, plural_either)
        return " ".join(filter(None, [number_words(len(bands)), noun, BAND_PHRASES.get(band)]))
    parts = []
    for band in BAND_ORDER:
        n = by_band.get(band)
        if not n:
            continue
        if band == AGE_UNKNOWN:
            parts.append(f"{number_words(n)} whose {'age is' if n == 1 else 'ages are'} not recorded")
        else:
            parts.append(f"{number_words(n)} {BAND_PHRASES[band]}")
    return f"{number_words(len(bands))} children ({', '.join(parts)})"


def number_words(n: int) -> str:
    """one to ten in words, larger numbers in figures (GOV.UK style)."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def join_and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def sensible_lower(label: str) -> str:
    """Lower-case a label for use mid-sentence, keeping acronyms (IRO, CSE) and names like McCann."""
    return " ".join(word if _keeps_capitals(word) else word.lower() for word in label.split(" "))


def _keeps_capitals(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return any(c.isupper() for c in letters[1:])


def _response_sentence(escalation: Escalation) -> str:
    if escalation.first_response_at is None:
        return "No response is recorded."
    first = (
        escalation.steps.filter(first_response_at__isnull=False)
        .select_related("stage")
        .order_by("first_response_at", "sequence")
        .first()
    )
    responder = sensible_lower(first.stage.label) if first is not None else "manager"
    hours = ladder_settings().first_response_hours
    within_hours = first_response_within(
        raised_at=escalation.raised_at,
        first_response_at=escalation.first_response_at,
        dates_alone=escalation.raised_date_only or escalation.first_response_date_only,
        hours=hours,
        local_date=local_date,
    )
    if within_hours:
        return f"The {responder} responded within {hours} hours."
    days = working_calendar().working_days_between(escalation.raised_at, escalation.first_response_at)
    if days <= QUICK_WORKING_DAYS:
        return f"The {responder} responded within {QUICK_WORKING_DAYS} working days."
    return f"The {responder} responded after {days} working days."


def _outcome_sentence(escalation: Escalation) -> str:
    if escalation.status != EscalationStatus.CLOSED or escalation.outcome is None:
        return "The escalation is still open."
    return OUTCOME_SENTENCES.get(
        escalation.outcome.code, f"The escalation was closed: {sensible_lower(escalation.outcome.label)}."
    )
