"""The GOV.UK pagination's links (core.paging.page_links) for templates/includes/pagination.html."""

from django import template

from core.paging import page_links as _page_links

register = template.Library()


@register.simple_tag
def page_links(page, query, param=""):
    return _page_links(page, query, param or "page")
