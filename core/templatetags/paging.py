"""The GOV.UK pagination's links (core.paging.page_links, keyset_links) for templates/includes/pagination.html
and keyset_pagination.html."""

from django import template

from core.paging import keyset_links as _keyset_links
from core.paging import page_links as _page_links

register = template.Library()


@register.simple_tag
def page_links(page, query, param=""):
    return _page_links(page, query, param or "page")


@register.simple_tag
def keyset_links(page, query):
    return _keyset_links(page, query)
