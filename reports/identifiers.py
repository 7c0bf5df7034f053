"""The identifier check: nothing that identifies a child or a member of staff goes into a report.

Every case story is checked before any committee report is produced (the report is published to
councillors and, when Open, to the public). The check flags:

* every identifier stored in the database: children's and staff's first names, surnames and full
  names, children's dates of birth (written in any common format), case-management IDs and stored
  postcodes (with or without the space);
* anything shaped like an identifier: NHS numbers, UK phone numbers, email addresses, UK postcodes
  and full dates (a day, month and year; a month and year alone, like "May 2015", is fine).

Names are matched as whole words, ignoring case. A name that is also an ordinary word or a month
("May", "Will", "Grace") is still flagged, but as a *possible false positive*
(:attr:`Problem.overridable`): a single first-name token that is an ordinary word in the word list
(``settings.REPORT_WORD_LIST``) or a month or day. Only such a problem may be overridden, with a
reason, and only once a second person has approved it (:mod:`reports.services`,
``override_request`` and ``override_decide``). A full name, a surname, a case ID, a date of birth,
a full date, an NHS number, a postcode, an email address or a phone number can never be
overridden. An override holds for one term, one kind of problem and that exact text, so editing the
text makes the check run afresh.

Every free text of the paper is checked (:class:`TextItem`: case stories and what happened next,
the paper's sections, theme commentary, cover and documents), and :func:`require_clean` refuses
to let any output be produced while one fails.

The database is read once per check (:func:`identifier_index`) into Python sets, kept per process
while a digest of what they were read from is unchanged (:func:`identifiers_fingerprint`, which is
not even computed while no record has changed: ``core.changes.data_version``); a story
is split into words and word sequences that are looked up in them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache

from django.apps import apps
from django.conf import settings
from django.db import connection, models

from children.models import Child
from core.changes import data_version
from core.errors import DomainError
from people.models import User
from reports.models import CaseStory, OverrideStatus, TextOverride

MIN_NAME_LENGTH = 2
# Shorter case IDs would match ages, hours and day counts in every story.
MIN_CASE_ID_LENGTH = 3
MAX_FULL_NAME_WORDS = 6

# Problem kinds: an override names one of these.
NAME = "name"
FULL_NAME = "full_name"
DATE_OF_BIRTH = "date_of_birth"
DATE = "date"
CASE_ID = "case_id"
POSTCODE = "postcode"
NHS_NUMBER = "nhs_number"
PHONE = "phone"
EMAIL = "email"

CHILD = "a child"
STAFF = "a member of staff"
FIRST_NAME = "first name"
SURNAME = "surname"


@dataclass(frozen=True)
class Problem:
    kind: str
    term: str  # as it appears in the text
    message: str  # "Contains the first name 'Kayden' of a child"
    # A possible false positive: a single first-name token that is also an ordinary word ("May").
    # Nothing else may ever be overridden.
    overridable: bool = False


@dataclass(frozen=True)
class TextItem:
    """One free text that an output would print, and where it comes from."""

    subject: str  # stable: "story:12:text", "paper:2015-04-01:2016-03-31:background"
    label: str  # for messages: "Case story 1", "The background section"
    text: str


def story_subject(story_id: int, part: str = "text") -> str:
    return f"story:{story_id}:{part}"


@dataclass
class IdentifierIndex:
    """Every identifier held in the database, normalised for lookup (see :func:`identifier_index`)."""

    # normalised single word -> {(FIRST_NAME | SURNAME, CHILD | STAFF)}
    names: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))
    # tuple of normalised words -> {CHILD | STAFF}
    full_names: dict[tuple[str, ...], set[str]] = field(default_factory=lambda: defaultdict(set))
    full_name_lengths: set[int] = field(default_factory=set)
    dates_of_birth: set[dt.date] = field(default_factory=set)
    case_ids: set[str] = field(default_factory=set)  # casefolded
    postcodes: set[str] = field(default_factory=set)  # upper case, no spaces

    def add_people(self, names: Iterable[tuple[str, str]], whose: str) -> None:
        """Add (first name, surname) pairs: each name word, and each full name."""
        names = set(names)
        for part, position in ((FIRST_NAME, 0), (SURNAME, 1)):
            for name in {pair[position] for pair in names}:
                for word in _name_words(name):
                    self.names[word].add((part, whose))
        for first, last in names:
            first_words, last_words = _base_words(first), _base_words(last)
            if first_words and last_words and len(first_words) + len(last_words) <= MAX_FULL_NAME_WORDS:
                self.full_names[first_words + last_words].add(whose)
                self.full_name_lengths.add(len(first_words) + len(last_words))

    def add_case_id(self, case_id: str) -> None:
        case_id = case_id.strip().casefold()
        if len(case_id) >= MIN_CASE_ID_LENGTH:
            self.case_ids.add(case_id)


# --- selectors -----------------------------------------------------------------------------------


def identifier_index() -> IdentifierIndex:
    """Every identifier stored in the database. The names, dates of birth and case IDs (the part that
    grows with the children: 2.4 s to read for 100,000) are kept per process for as long as
    :func:`identifiers_fingerprint` says nothing they are read from has changed; the postcodes are
    read afresh every time."""
    global _people_cache
    version = data_version()
    if version is not None and _people_cache is not None and _people_cache[0] == version:
        people = _people_cache[2]  # no record has changed at all: the fingerprint could not have
    else:
        fingerprint = identifiers_fingerprint()
        if fingerprint is None or _people_cache is None or _people_cache[1] != fingerprint:
            people = _people_index()
        else:
            people = _people_cache[2]
        _people_cache = (version, fingerprint, people) if fingerprint is not None else None
    return replace(people, postcodes=set(stored_postcodes()))  # the shared sets are never changed


# (the data version, the fingerprint, the index) when last read
_people_cache: tuple[str | None, tuple, IdentifierIndex] | None = None


def identifiers_fingerprint() -> tuple | None:
    """A digest of every value :func:`_people_index` reads: for each child their names, date of birth,
    case ID and social worker, and each member of staff's names, hashed (64 bits a row) and summed,
    with the counts. Any change to any of them changes it, whoever made it. PostgreSQL only (one
    scan of each table, about 25 ms for 100,000 children); None on SQLite, the embedded database,
    whose index is read afresh every time. A child's date of birth is the hash's seed (its days
    from 2000, or a seed no date gives when it is empty) rather than text: writing 100,000 dates
    as text took half of the scan's 48 ms."""
    if connection.vendor != "postgresql":
        return None
    child = (
        "hashtextextended(concat_ws('|', first_name, last_name, case_id, social_worker), "
        "coalesce(date_of_birth - date '2000-01-01', -1000000000))"
    )
    staff = "hashtextextended(concat_ws('|', first_name, last_name), 0)"
    with connection.cursor() as cursor:
        found = []
        for table, row in ((Child._meta.db_table, child), (User._meta.db_table, staff)):
            cursor.execute(f"SELECT count(*), coalesce(sum({row}), 0) FROM {table}")  # noqa: S608
            found.append(tuple(cursor.fetchone()))
    return tuple(found)


def _people_index() -> IdentifierIndex:
    """Read every child's and staff member's identifiers: three queries, however many children."""
    index = IdentifierIndex()
    children = set()
    rows = Child.objects.values_list("first_name", "last_name", "date_of_birth", "case_id")
    for first, last, dob, case_id in rows.iterator(chunk_size=5000):
        children.add((first, last))
        if dob is not None:
            index.dates_of_birth.add(dob)
        if case_id:
            index.add_case_id(case_id)
    index.add_people(children, CHILD)
    index.add_people(User.objects.values_list("first_name", "last_name"), STAFF)
    social_workers = Child.objects.exclude(social_worker="").values_list("social_worker", flat=True).distinct()
    index.add_people((_first_and_last(name) for name in social_workers), STAFF)
    return index


def _first_and_last(full_name: str) -> tuple[str, str]:
    """A free-text name such as the allocated social worker's, split as first name and surname."""
    first, _, last = full_name.strip().rpartition(" ")
    return (first, last) if first else ("", last)


def stored_postcodes() -> list[str]:
    """Every postcode stored in any model, upper case without spaces, sorted.

    Reads every text field whose name contains "post" (a future placement ``PL_POST`` or home
    ``HOME_POST`` from the SSDA903 import, say), keeping the values that look like a UK postcode.
    Historical (audit) tables count too: a past placement's postcode still identifies a child.
    There is no such field yet, so today this is empty.
    """
    found = set()
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for model_field in model._meta.concrete_fields:
            if not isinstance(model_field, models.CharField) or "post" not in model_field.name.lower():
                continue
            name = model_field.name
            values = model._default_manager.exclude(**{name: ""}).exclude(**{f"{name}__isnull": True})
            for value in values.values_list(name, flat=True).distinct().iterator():
                normalised = normalise_postcode(value)
                if _POSTCODE_ALONE.match(normalised):
                    found.add(normalised)
    return sorted(found)


def normalise_postcode(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


# --- the check -----------------------------------------------------------------------------------


def story_problems(
    text: str,
    *,
    identifiers: IdentifierIndex,
    overrides: Iterable[TextOverride] = (),
    extra_postcodes: Iterable[str] = (),
) -> list[Problem]:
    """What in ``text`` could identify someone, less the possible false positives that approved
    ``overrides`` for this exact text allow.

    ``extra_postcodes`` are checked as if stored (the stored ones come from ``identifiers``).
    """
    problems: dict[tuple[str, str], tuple[int, Problem]] = {}  # (kind, term) -> (first position, problem)

    def add(kind: str, term: str, message: str, at: int, overridable: bool = False) -> None:
        problems.setdefault((kind, term.casefold()), (at, Problem(kind, term, message, overridable)))

    spans: list[tuple[int, int]] = []  # what the patterns matched: names and IDs inside are not re-reported
    for kind, term, message, span in _pattern_problems(text, identifiers, extra_postcodes):
        if any(span[0] < end and start < span[1] for start, end in spans):
            continue
        spans.append(span)
        add(kind, term, message, span[0])

    def inside_pattern(start: int, end: int) -> bool:
        return any(start < e and s < end for s, e in spans)

    words = [m for m in _WORD.finditer(text) if not inside_pattern(m.start(), m.end())]
    covered = set()
    for length in sorted(identifiers.full_name_lengths, reverse=True):
        for i in range(len(words) - length + 1):
            if covered.intersection(range(i, i + length)):
                continue
            key = tuple(_base(m.group()) for m in words[i : i + length])
            whose = identifiers.full_names.get(key)
            if whose:
                term = _strip_possessive(text[words[i].start() : words[i + length - 1].end()])
                add(FULL_NAME, term, f"Contains the full name '{term}' of {_owners(whose)}", words[i].start())
                covered.update(range(i, i + length))
    for i, match in enumerate(words):
        if i in covered:
            continue
        whole, *parts = _word_candidates(match.group())
        for term in [whole] if _normalise(whole) in identifiers.names else parts:
            roles = identifiers.names.get(_normalise(term))
            if roles:
                add(
                    NAME,
                    term,
                    _name_message(term, roles),
                    match.start(),
                    overridable=_possible_false_positive(term, roles),
                )

    for start, end, token in _id_tokens(text):
        if token.casefold() in identifiers.case_ids and not inside_pattern(start, end):
            add(CASE_ID, token, f"Contains the case-management ID '{token}' of a child", start)

    # An override counts only for a possible false positive, in the very text it was given for.
    allowed = {(o.kind, o.term.casefold()) for o in overrides if o.text == text}
    in_order = sorted(problems.items(), key=lambda item: item[1][0])
    return [problem for key, (_, problem) in in_order if not (key in allowed and problem.overridable)]


def _possible_false_positive(term: str, roles: set[tuple[str, str]]) -> bool:
    """A single name token, used only as a first name, that is also an ordinary word or a month or day."""
    if any(part == SURNAME for part, _ in roles) or not _WORD.fullmatch(term) or "-" in term:
        return False
    return _normalise(term) in ordinary_words()


_CALENDAR_WORDS = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)


def ordinary_words() -> frozenset[str]:
    """Lower-case words of the word list (``settings.REPORT_WORD_LIST``), with the months and days.
    Without the list, only the months and days count as ordinary words."""
    return _CALENDAR_WORDS | _word_list(settings.REPORT_WORD_LIST)


@lru_cache(maxsize=4)
def _word_list(path: str) -> frozenset[str]:
    try:
        with open(path, encoding="utf-8") as handle:
            return frozenset(line.strip() for line in handle if line.strip() and line.strip().islower())
    except OSError:
        return frozenset()


def approved_overrides(subjects: Iterable[str]) -> dict[str, list[TextOverride]]:
    """The approved overrides of each subject, in one query."""
    found = defaultdict(list)
    for override in TextOverride.objects.filter(subject__in=list(subjects), status=OverrideStatus.APPROVED):
        found[override.subject].append(override)
    return found


def check_texts(items: Iterable[TextItem], *, index: IdentifierIndex | None = None) -> dict[str, list[Problem]]:
    """The problems in each text, by subject (an empty list when the text is clean).

    Reads the identifiers once and every approved override in one query.
    """
    items = [item for item in items if item.text]
    if not items:
        return {}
    index = index or identifier_index()
    overrides = approved_overrides(item.subject for item in items)
    return {
        item.subject: story_problems(item.text, identifiers=index, overrides=overrides[item.subject]) for item in items
    }


def report_check_stories(stories: Iterable[CaseStory]) -> dict[int, list[Problem]]:
    """The problems in each story's text, by story id (an empty list when the story is clean)."""
    stories = list(stories)
    checked = check_texts(TextItem(story_subject(story.pk), "", story.text) for story in stories)
    return {story.pk: checked.get(story_subject(story.pk), []) for story in stories}


class TextNotClean(DomainError):
    """Some text the output would print contains an identifier. ``problems`` maps each text's label
    ("Case story 1") to its problems."""

    def __init__(self, message: str, *, problems: dict[str, list[Problem]]):
        super().__init__(message)
        self.problems = problems


def require_clean(items: Iterable[TextItem]) -> None:
    """Refuse (:class:`TextNotClean`) when any of ``items`` contains an identifier. Call before
    producing any output that prints them: free text never enters an output unchecked."""
    items = list(items)
    checked = check_texts(items)
    by_label = {item.label: checked[item.subject] for item in items if checked.get(item.subject)}
    if not by_label:
        return
    sentences = [
        f"{label} {problem.message[0].lower()}{problem.message[1:]}."
        for label, problems in by_label.items()
        for problem in problems
    ]
    if any(problem.overridable for problems in by_label.values() for problem in problems):
        advice = "Edit the text, or ask for an override of a word that is not about a person."
    else:
        advice = "Edit the text." if len(sentences) == 1 else "Edit the texts."
    raise TextNotClean(" ".join(sentences + [advice]), problems=by_label)


# --- matching ------------------------------------------------------------------------------------

# A word: letters, with inner apostrophes or hyphens (O'Brien, Smith-Jones).
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")

_MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ORDINAL = r"(?:st|nd|rd|th)?"

_EMAIL = re.compile(r"[\w.+'\-]+@[\w\-]+(?:\.[\w\-]+)+", re.IGNORECASE)
# UK numbers: 0 or +44 (optionally "(0)"), then 9 or 10 digits in the usual groupings.
_PHONE = re.compile(
    r"""(?<![\w+])
    (?:\+44[\s\-]?(?:\(0\)[\s\-]?)?|\(?0)
    (?:
        \d{2}\)?[\s\-]?\d{4}[\s\-]?\d{4}      # 020 7946 0000
      | \d{3}\)?[\s\-]?\d{3}[\s\-]?\d{4}      # 0161 496 0000
      | \d{4}\)?[\s\-]?\d{3}[\s\-]?\d{3}      # 07700 900 123
      | \d{4}\)?[\s\-]?\d{5,6}                # 07700 900123, 01632 96000
      | \d{9,10}                              # 07700900123
    )(?!\d)""",
    re.VERBOSE,
)
_NHS = re.compile(r"(?<!\d)\d{3}[ \-]?\d{3}[ \-]?\d{4}(?!\d)")
_POSTCODE_CORE = r"(?:GIR ?0AA|[A-PR-UWYZ](?:\d[A-HJKPSTUW\d]?|[A-HK-Y]\d[ABEHMNPRV-Y\d]?) ?\d[ABD-HJLNP-UW-Z]{2})"
_POSTCODE = re.compile(rf"(?<![\w]){_POSTCODE_CORE}(?![\w])", re.IGNORECASE)
_POSTCODE_ALONE = re.compile(rf"^{_POSTCODE_CORE}$")
_NUMERIC_DATE = re.compile(r"(?<![\d/.\-])(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/\-]|\.\d)")
_ISO_DATE = re.compile(r"(?<![\d/.\-])(\d{4})([/.\-])(\d{1,2})\2(\d{1,2})(?![\d/\-]|\.\d)")
# 12 March 2009, 12th of March 2009, 12 Mar. 2009, 12-Mar-09. Spaced out, the year has four digits,
# so "aged 5-10. May 2015" and "3 May 15 children" are not dates.
_DAY_MONTH_YEAR = re.compile(
    rf"""(?<!\w)(?P<day>\d{{1,2}}){_ORDINAL}
    (?:\s+of\s+|\s+(?=[a-z])|[\-/.](?=[a-z]))(?P<month>{_MONTH})
    (?:,?\s+(?P<year>\d{{4}})|[\-/.](?P<short_year>\d{{4}}|\d{{2}}))(?!\d)""",
    re.IGNORECASE | re.VERBOSE,
)
# March 12, 2009; March 12th 2009
_MONTH_DAY_YEAR = re.compile(
    rf"(?<!\w)(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}}){_ORDINAL},?\s+(?P<year>\d{{4}})(?!\d)", re.IGNORECASE
)
_ID_TOKEN = re.compile(r"\S+")
_ALNUM = re.compile(r"[^\W_]+")
_TRIM = "\"'‘’“”()[]{}<>.,;:!?"


def _pattern_problems(text: str, identifiers: IdentifierIndex, extra_postcodes: Iterable[str]):
    """(kind, term, message, span) for every identifier-shaped thing, most specific first."""
    for m in _EMAIL.finditer(text):
        yield EMAIL, m.group(), f"Contains an email address ({m.group()})", m.span()
    for m in _PHONE.finditer(text):
        yield PHONE, m.group(), f"Contains a phone number ({m.group()})", m.span()
    for m in _NHS.finditer(text):
        yield NHS_NUMBER, m.group(), f"Contains an NHS number ({m.group()})", m.span()
    for m, dates in _dates(text):
        if any(day in identifiers.dates_of_birth for day in dates):
            yield DATE_OF_BIRTH, m.group(), f"Contains a date of birth ({m.group()})", m.span()
        else:
            yield DATE, m.group(), f"Contains a full date ({m.group()})", m.span()
    stored = identifiers.postcodes | {normalise_postcode(p) for p in extra_postcodes}
    for m in _POSTCODE.finditer(text):
        if normalise_postcode(m.group()) in stored:
            yield POSTCODE, m.group(), _stored_postcode_message(m.group()), m.span()
        else:
            yield POSTCODE, m.group(), f"Contains a postcode ({m.group()})", m.span()
    if stored:  # stored postcodes that are not in the usual shape, written with or without the space
        tokens = list(_ALNUM.finditer(text))
        for i, m in enumerate(tokens):
            if m.group().upper() in stored:
                yield POSTCODE, m.group(), _stored_postcode_message(m.group()), m.span()
            if i + 1 < len(tokens) and not text[m.end() : tokens[i + 1].start()].strip():
                pair = (m.group() + tokens[i + 1].group()).upper()
                if pair in stored:
                    term = text[m.start() : tokens[i + 1].end()]
                    span = (m.start(), tokens[i + 1].end())
                    yield POSTCODE, term, _stored_postcode_message(term), span


def _stored_postcode_message(term: str) -> str:
    return f"Contains the postcode '{term}', which is held in the records"


def _dates(text: str):
    """(match, candidate dates) for every day-month-year in ``text``, in any common format."""
    for m in _NUMERIC_DATE.finditer(text):
        a, b, year = int(m.group(1)), int(m.group(3)), m.group(4)
        dates = _valid_dates(year, [(b, a), (a, b)])  # 12/03/2009 is 12 March; 03/12/2009 might be US
        if dates:
            yield m, dates
    for m in _ISO_DATE.finditer(text):
        dates = _valid_dates(m.group(1), [(int(m.group(3)), int(m.group(4)))])
        if dates:
            yield m, dates
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        for m in pattern.finditer(text):
            parts = m.groupdict()
            month = _MONTHS[parts["month"].rstrip(".").lower()]
            dates = _valid_dates(parts["year"] or parts["short_year"], [(month, int(parts["day"]))])
            if dates:
                yield m, dates


def _valid_dates(year: str, month_days: list[tuple[int, int]]) -> list[dt.date]:
    years = [int(year)] if len(year) == 4 else [1900 + int(year), 2000 + int(year)]
    dates = []
    for y in years:
        for month, day in month_days:
            try:
                dates.append(dt.date(y, month, day))
            except ValueError:
                pass
    return dates


def _id_tokens(text: str):
    """(start, end, token): each whitespace-separated token without surrounding punctuation, and each
    run of letters and digits inside it (so LAC-00123 and 00123 both count as whole tokens)."""
    for m in _ID_TOKEN.finditer(text):
        raw = m.group()
        stripped = raw.strip(_TRIM)
        if stripped:
            start = m.start() + raw.index(stripped)
            yield start, start + len(stripped), stripped
        for part in _ALNUM.finditer(raw):
            if part.group() != stripped:
                yield m.start() + part.start(), m.start() + part.end(), part.group()


def _normalise(word: str) -> str:
    return word.replace("’", "'").casefold()


def _strip_possessive(word: str) -> str:
    return word[:-2] if word[-2:].replace("’", "'").lower() == "'s" and len(word) > 2 else word


def _base(word: str) -> str:
    return _strip_possessive(_normalise(word))


def _words(name: str) -> list[str]:
    return [m.group() for m in _WORD.finditer(name or "")]


@lru_cache(maxsize=65536)  # names repeat a great deal across 100,000 children
def _name_words(name: str) -> frozenset[str]:
    """The lookup forms of a stored name: each word, and each part of a hyphenated one."""
    found = set()
    for word in _words(name):
        word = _normalise(word)
        found.add(word)
        found.update(word.split("-"))
    return frozenset(w for w in found if len(w) >= MIN_NAME_LENGTH)


@lru_cache(maxsize=65536)
def _base_words(name: str) -> tuple[str, ...]:
    return tuple(_base(word) for word in _words(name))


def _word_candidates(word: str) -> list[str]:
    """What to look up for a word of a story, as written: the word without any possessive, then the
    parts of a hyphenated word (Smith-Jones: Smith, Jones), looked up when the whole is not a name."""
    word = _strip_possessive(word)
    parts = word.split("-") if "-" in word else []
    return [word] + [part for part in parts if len(part) >= MIN_NAME_LENGTH]


def _owners(whose: set[str]) -> str:
    return " and ".join(sorted(whose))  # "a child and a member of staff"


def _name_message(term: str, roles: set[tuple[str, str]]) -> str:
    parts = []
    for part in (FIRST_NAME, SURNAME):
        whose = {w for p, w in roles if p == part}
        if whose:
            parts.append(f"the {part} '{term}' of {_owners(whose)}")
    return "Contains " + " and ".join(parts)
