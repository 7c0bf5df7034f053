"""How the pages show where a reply stands (``escalations.selectors.DueState``)."""

from typing import NamedTuple

from django import template

from escalations.selectors import DueState

register = template.Library()


class Tag(NamedTuple):
    label: str
    colour: str  # a GOV.UK tag colour


DUE_TAGS = {
    DueState.OVERDUE: Tag("Overdue", "red"),
    DueState.DUE_SOON: Tag("Due soon", "orange"),
    DueState.DUE: Tag("Due", "blue"),
    DueState.MET: Tag("Met", "green"),
    DueState.MISSED: Tag("Responded late", "pink"),
}


@register.filter
def due_tag(due: DueState | str | None) -> Tag | None:
    """The GOV.UK tag for a due state: ``{% with tag=due|due_tag %}``."""
    return DUE_TAGS.get(DueState(due)) if due else None
