"""Redaction for a subject access export: other children are third parties, and so, if the council
decides (``RECORDS_EXPORT_STAFF_NAMES``), are staff.

Names are found with the committee report's identifier check (``reports.identifiers``): every
other child's first name, surname, full name and case ID held in the database, as whole words and
ignoring case, possessives and hyphenated parts included. Each becomes "another child". The
subject's own names are never redacted, even where a brother or sister shares them (a surname, say).

A name that is also an ordinary word ("May", "Grace", "Will") is redacted only where it is written
with a capital letter: "the plan will be ready in May" loses "May" (it could be a sister) but keeps
"will". A word that is another child's name is withheld even where it means someone else; the
council's officer answering the request can check the record itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from children.models import Child
from extract.models import Allocation
from people.models import User
from reports.identifiers import (
    CASE_ID,
    CHILD,
    FULL_NAME,
    NAME,
    STAFF,
    IdentifierIndex,
    story_problems,
)

ANOTHER_CHILD = "another child"
A_MEMBER_OF_STAFF = "a member of staff"
A_SOCIAL_WORKER = "a social worker"
_PLACEHOLDER = "\x00{}\x00"


def _without(index: IdentifierIndex, own: IdentifierIndex) -> IdentifierIndex:
    """``index`` less the names and case IDs in ``own``."""
    for word in own.names:
        index.names.pop(word, None)
    for words in own.full_names:
        index.full_names.pop(words, None)
    index.full_name_lengths = {len(words) for words in index.full_names}
    index.case_ids -= own.case_ids
    return index


def _pattern(term: str) -> str:
    return r"(?<!\w)" + r"\s+".join(re.escape(part) for part in term.split()) + r"(?!\w)"


class Redactor:
    """``redactor(text)``: the text with every other child named as "another child" and, when
    ``staff_names`` is off, every member of staff as their role ("an independent reviewing officer").

    The database is read once, when it is made."""

    def __init__(self, *, subject: Child, staff_names: bool):
        own = IdentifierIndex()
        own.add_people([(subject.first_name, subject.last_name)], CHILD)
        own.add_case_id(subject.case_id)

        others = IdentifierIndex()
        rows = Child.objects.exclude(pk=subject.pk).values_list("first_name", "last_name", "case_id")
        pairs = []
        for first, last, case_id in rows.iterator(chunk_size=5000):
            pairs.append((first, last))
            if case_id:
                others.add_case_id(case_id)
        others.add_people(pairs, CHILD)
        self.children = _without(others, own)

        # Staff full names are protected from the children's redaction (a member of staff called
        # Grace Hall where a child is called Grace), or, when staff names are withheld, replaced.
        self.staff_names = staff_names
        self.staff = IdentifierIndex()
        self.roles: dict[str, set[str]] = {}
        for user in User.objects.select_related("stage"):
            if user.first_name and user.last_name:
                self.staff.add_people([(user.first_name, user.last_name)], STAFF)
            self.roles.setdefault(str(user).casefold(), set()).add(role_label(user))
        # Social workers are named by the case-management system, not as users here.
        workers = set(Child.objects.exclude(social_worker="").values_list("social_worker", flat=True))
        workers |= set(Allocation.objects.values_list("worker", flat=True))
        for name in workers:
            first, _, last = " ".join(name.split()).partition(" ")
            if first and last:
                self.staff.add_people([(first, last)], STAFF)
                self.roles.setdefault(f"{first} {last}".casefold(), set()).add(A_SOCIAL_WORKER)
        self.staff = _without(self.staff, own)

    def __call__(self, text: str) -> str:
        if not text or not isinstance(text, str):
            return text
        kept: list[str] = []
        text = self._staff(text, kept)
        for _ in range(3):  # a replacement never makes a new name, but check again to be sure
            problems = [
                p for p in story_problems(text, identifiers=self.children) if p.kind in (NAME, FULL_NAME, CASE_ID)
            ]
            if not problems:
                break
            for problem in sorted(problems, key=lambda p: (p.kind != FULL_NAME, -len(p.term))):
                text = replace_term(text, problem.term, ANOTHER_CHILD, capitals_only=problem.overridable)
        for number, original in enumerate(kept):
            text = text.replace(_PLACEHOLDER.format(number), original)
        return text

    def _staff(self, text: str, kept: list[str]) -> str:
        """Staff full names in ``text``: kept aside (under placeholders) when staff are named, or
        replaced with their role when they are not."""
        problems = [p for p in story_problems(text, identifiers=self.staff) if p.kind == FULL_NAME]
        for problem in sorted(problems, key=lambda p: -len(p.term)):
            if self.staff_names:

                def keep(match: re.Match) -> str:
                    kept.append(match.group())
                    return _PLACEHOLDER.format(len(kept) - 1)

                text = re.sub(_pattern(problem.term), keep, text, flags=re.IGNORECASE)
            else:
                roles = self.roles.get(" ".join(problem.term.split()).casefold(), set())
                text = replace_term(text, problem.term, next(iter(roles)) if len(roles) == 1 else A_MEMBER_OF_STAFF)
        if not self.staff_names:
            for problem in story_problems(text, identifiers=self.staff):
                if problem.kind == NAME:
                    text = replace_term(text, problem.term, A_MEMBER_OF_STAFF, capitals_only=problem.overridable)
        return text

    def who(self, name: str) -> str:
        """A name as the audit trail gives it (``str(user)``, or "system"): kept, or their role."""
        if self.staff_names or name == "system":
            return name
        roles = self.roles.get(name.casefold(), set())
        return next(iter(roles)) if len(roles) == 1 else A_MEMBER_OF_STAFF

    def staff_label(self, user: User | None) -> str:
        """How the export shows a member of staff: their name, or their role."""
        if user is None:
            return ""
        return str(user) if self.staff_names else role_label(user)

    def walk(self, value):
        """Every string in a JSON-like value, redacted."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, list):
            return [self.walk(item) for item in value]
        if isinstance(value, dict):
            return {key: self.walk(item) for key, item in value.items()}
        return value


def replace_term(text: str, term: str, by: str, *, capitals_only: bool = False) -> str:
    """``text`` with every whole-word occurrence of ``term`` (ignoring case; with ``capitals_only``,
    only where it starts with a capital letter) replaced by ``by``, with a capital letter where it
    starts the text or a sentence ("Another child will be visited")."""

    def swap(match: re.Match) -> str:
        if capitals_only and not match.group()[:1].isupper():
            return match.group()
        before = text[: match.start()].rstrip(" ")
        if not before or before[-1] in ".!?\n":
            return by[:1].upper() + by[1:]
        return by

    return re.sub(_pattern(term), swap, text, flags=re.IGNORECASE)


def role_label(user: User) -> str:
    """ "an independent reviewing officer", "a team manager" (a responding manager's stage)."""
    if user.role == "manager" and user.stage_id:
        label = user.stage.label.lower()
    else:
        label = user.get_role_display()
        label = label if label.startswith("IRO") else label.lower()
    article = "an" if label[:1].lower() in "aeiou" or label.startswith("IRO") else "a"
    return f"{article} {label}"


Redact = Callable[[str], str]
