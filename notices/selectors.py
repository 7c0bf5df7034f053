"""Reads for notices."""

from __future__ import annotations

from django.db.models import QuerySet

from notices.models import Notice, NoticePreference, NoticeStatus
from people.models import User


def notice_preference_for(user: User) -> NoticePreference:
    """The person's preference, or the default (every notice at once) when they have not chosen."""
    return NoticePreference.objects.filter(user=user).first() or NoticePreference(user=user)


def notices_failed() -> QuerySet[Notice]:
    """Notices that could not be sent, newest first, with what the failure page shows."""
    return (
        Notice.objects.filter(status=NoticeStatus.FAILED)
        .select_related("recipient", "escalation")
        .order_by("-send_after", "-pk")
    )


def notices_sent() -> QuerySet[Notice]:
    """Notices sent, newest first (the development "sent emails" page)."""
    return Notice.objects.filter(status=NoticeStatus.SENT).select_related("recipient").order_by("-sent_at", "-pk")


def notices_held_for(user: User) -> QuerySet[Notice]:
    """The notices waiting for ``user``'s next daily summary."""
    return Notice.objects.filter(recipient=user, status=NoticeStatus.PENDING, held_for_summary=True).select_related(
        "escalation", "step__stage"
    )
