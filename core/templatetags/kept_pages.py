"""``{% kept_page "part" %}...{% endkept_page %}``: a part of a page (its title, its content) kept
while the records it shows are unchanged, for the rest of the minute.

A list or a record's page is a function of the records, the clock, the person asking and the
address (its filters, sort and page). The part is rendered once and kept (``core.kept.
kept_unchanged``: under the data version and the minute, so any committed write, or the next
minute, renders it afresh) per session and address: the same page asked for again is read back
without its queries or its rendering. Per session, not per person: a part may hold a form's CSRF
token, which is the session's.

The access log still sees every child the part showed: the children read while it was rendered
are kept with it, and noted as shown again each time it is read back (``core.shown``), so the
access log middleware writes the same entries as if it had been rendered.

For the queries to be saved too, the view hands the template lazy values (``SimpleLazyObject``):
they are computed only when a part that is not kept needs them.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from core.kept import kept_unchanged
from core.shown import children_shown, children_shown_so_far

register = template.Library()


class KeptPageNode(template.Node):
    def __init__(self, part: str, nodelist):
        self.part = part
        self.nodelist = nodelist

    def render(self, context):
        request = context.get("request")
        session = getattr(request, "session", None)
        if request is None or session is None or session.session_key is None or request.method != "GET":
            return self.nodelist.render(context)
        if not request.META.get("CSRF_COOKIE"):  # no CSRF cookie yet: a token made now would be new
            return self.nodelist.render(context)
        described = {
            "part": self.part,
            "view": request.resolver_match.view_name if request.resolver_match else "",
            "path": request.get_full_path(),
            "session": session.session_key,
            "csrf": request.META["CSRF_COOKIE"],  # a part's form carries a token made from it
            "user": request.user.pk,
        }

        def make() -> tuple[str, list[int]]:
            html = self.nodelist.render(context)
            return str(html), sorted(children_shown_so_far())

        html, children = kept_unchanged("page", described, make)
        children_shown(children)
        return mark_safe(html)  # noqa: S308 - the template's own rendering, kept


@register.tag("kept_page")
def kept_page(parser, token):
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError('Use {% kept_page "part" %}...{% endkept_page %}.')
    nodelist = parser.parse(("endkept_page",))
    parser.delete_first_token()
    return KeptPageNode(bits[1][1:-1], nodelist)
