"""Pagination whose cost follows the page: capped counts and a window of page links (core.paging)."""

import pytest
from django.http import QueryDict
from django.template import Context, Template
from django.test import RequestFactory

from core.paging import (
    CappedPaginator,
    KeysetPage,
    keyset_anchor,
    keyset_anchors,
    keyset_links,
    keyset_page,
    page_links,
)
from people.models import User
from tests.factories import IroFactory


def _numbers(links):
    return [item.get("number", "…") for item in links["items"]]


def test_a_short_list_shows_every_page():
    page = CappedPaginator(list(range(75)), 25).get_page(2)
    assert _numbers(page_links(page, QueryDict())) == [1, 2, 3]


def test_a_long_list_shows_the_ends_and_the_pages_beside_this_one_with_ellipses_between():
    page = CappedPaginator(list(range(1000)), 25).get_page(20)
    assert _numbers(page_links(page, QueryDict())) == [1, "…", 19, 20, 21, "…", 40]


def test_only_the_current_page_is_marked_current():
    page = CappedPaginator(list(range(1000)), 25).get_page(20)
    assert [item["number"] for item in page_links(page, QueryDict())["items"] if item.get("current")] == [20]


def test_the_links_keep_the_other_parameters_but_not_the_page():
    page = CappedPaginator(list(range(100)), 25).get_page(2)
    links = page_links(page, QueryDict("status=open&theme=a&theme=b&page=2"))
    assert links["previous"] == "?status=open&theme=a&theme=b&page=1"
    assert links["next"] == "?status=open&theme=a&theme=b&page=3"


def test_the_first_page_has_no_previous_link_and_the_last_no_next():
    paginator = CappedPaginator(list(range(50)), 25)
    assert page_links(paginator.get_page(1), QueryDict())["previous"] is None
    assert page_links(paginator.get_page(2), QueryDict())["next"] is None


def test_a_count_within_the_cap_is_exact_and_said_in_full():
    paginator = CappedPaginator(list(range(1250)), 25, cap=10_000)
    assert (paginator.count, paginator.capped, paginator.count_words) == (1250, False, "1,250")


def test_a_count_beyond_the_cap_says_more_than_the_cap():
    paginator = CappedPaginator(list(range(120)), 10, cap=100)
    assert (paginator.count, paginator.capped, paginator.count_words) == (100, True, "more than 100")
    assert (paginator.num_pages, paginator.num_pages_words) == (10, "more than 10")


def test_the_pages_of_a_capped_list_end_at_the_cap_and_say_so():
    paginator = CappedPaginator(list(range(120)), 10, cap=100)
    last = paginator.get_page(99)
    assert (last.number, last.object_list[-1]) == (10, 99)
    links = page_links(last, QueryDict())
    assert (links["capped_last"], links["next"]) == (True, None)


@pytest.mark.django_db
def test_a_capped_count_reads_no_further_than_the_cap(django_assert_num_queries):
    for _ in range(4):
        IroFactory()
    paginator = CappedPaginator(User.objects.order_by("pk"), 2, cap=3)
    with django_assert_num_queries(1) as captured:
        assert paginator.count_words == "more than 3"
    assert "LIMIT 4" in captured.captured_queries[0]["sql"]


def test_the_template_shows_a_window_of_pages_not_every_page():
    request = RequestFactory().get("/list/?page=200&sort=due")
    page = CappedPaginator(list(range(10_000)), 25).get_page(200)
    html = Template('{% include "includes/pagination.html" %}').render(Context({"page": page, "request": request}))
    assert html.count('class="govuk-pagination__item') == 7  # 1 … 199 200 201 … 400
    assert 'href="?sort=due&amp;page=201" rel="next"' in html
    assert 'aria-current="page">200<' in html


# --- keyset pages: "Newer" and "Older" (keyset_links, keyset_anchor) -------------------------------


def test_keyset_links_keep_the_other_parameters_but_not_the_last_page_s_anchor():
    links = keyset_links(KeysetPage([3, 2], newer_than=3, older_than=2), QueryDict("status=open&older_than=4"))
    assert links == {"newer": "?status=open&newer_than=3", "older": "?status=open&older_than=2"}


def test_the_newest_keyset_page_has_no_newer_link_and_the_oldest_no_older():
    assert keyset_links(KeysetPage([3], newer_than=None, older_than=3), QueryDict())["newer"] is None
    assert keyset_links(KeysetPage([1], newer_than=1, older_than=None), QueryDict())["older"] is None


@pytest.mark.parametrize(
    ("value", "anchor"), [("42", 42), (None, None), ("", None), ("4x", None), ("-3", None), ("9" * 19, None)]
)
def test_a_keyset_anchor_is_an_id_or_nothing(value, anchor):
    assert keyset_anchor(value) == anchor


def test_the_keyset_template_offers_newer_and_older_by_name():
    request = RequestFactory().get("/", {"older_than": "9"})
    html = Template('{% include "includes/keyset_pagination.html" with what="page views" %}').render(
        Context({"page": KeysetPage([8, 7], newer_than=8, older_than=7), "request": request})
    )
    assert 'href="?newer_than=8" rel="prev"' in html and 'href="?older_than=7" rel="next"' in html
    assert 'Older<span class="govuk-visually-hidden"> page views</span>' in html


def test_a_keyset_page_holds_at_least_one_row():
    with pytest.raises(ValueError, match="at least one row"):
        keyset_page(User.objects.all(), by="date_joined", size=0)


def test_keyset_anchors_are_read_from_both_links_parameters():
    assert keyset_anchors(QueryDict("older_than=7&newer_than=x")) == {"older_than": 7, "newer_than": None}
