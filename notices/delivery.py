"""Delivering the outbox: run by the worker (``notices.tasks.notices_deliver``).

Each notice due is claimed for ``NOTICE_CLAIM_SECONDS`` by one conditional UPDATE, so two workers
never send the same one at once; it is then sent, by GOV.UK Notify when ``NOTIFY_API_KEY`` is set
or else by Django's email backend (SMTP from ``EMAIL_HOST``, or the console), and marked sent.

**At least once.** A worker killed after the mail server accepted a notice but before it was
marked sent leaves it claimed; when the claim runs out, another worker sends it again. A worker
sends one notice at a time, so that window holds at most one notice per worker killed. Every copy
carries the same Message-ID, so mail programs can tell it is the same message.

A transient failure (the server down or busy, a timeout, Notify's 429 or 5xx) is tried again
with backoff; a permanent one (an address or key refused) is recorded as failed, shown to the
service manager with a retry, and never tried forever.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import socket
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.formats import format_datetime
from notices.models import CLOCK_KINDS, DIGEST_KINDS, Frequency, Notice, NoticeKind, NoticePreference, NoticeStatus
from workdays.clock import WorkingCalendar, local_moment
from workdays.selectors import working_calendar

logger = logging.getLogger(__name__)


class TransientFailure(Exception):
    """Worth trying again later."""


class PermanentFailure(Exception):
    """Trying again will not help: the address, the key or the message was refused."""


@dataclass
class DeliveryCounts:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    deferred: int = 0
    held: int = 0
    cancelled: int = 0
    errors: list[str] = field(default_factory=list)


def notices_deliver(*, now: dt.datetime | None = None, limit: int = 200) -> DeliveryCounts:
    """Send the notices that are due, one at a time. Clock notices wait for working hours;
    notices for someone who wants a daily summary are held for it."""
    now = now or timezone.now()
    calendar = working_calendar()
    counts = DeliveryCounts()
    due = list(
        Notice.objects.filter(status=NoticeStatus.PENDING, held_for_summary=False, send_after__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .select_related("recipient", "escalation", "step__stage", "actor", "on_behalf_of")
        .order_by("send_after", "pk")[:limit]
    )
    preferences = {
        p.user_id: p for p in NoticePreference.objects.filter(user_id__in={notice.recipient_id for notice in due})
    }
    for notice in due:
        _deliver_one(notice, now, calendar, preferences.get(notice.recipient_id), counts)
    return counts


def _deliver_one(notice: Notice, now, calendar, preference, counts: DeliveryCounts) -> None:
    if notice.kind in CLOCK_KINDS and not in_working_hours(now, calendar):
        Notice.objects.filter(pk=notice.pk).update(send_after=next_working_hours(now, calendar))
        counts.deferred += 1
        return
    stale = _no_longer_needed(notice)
    frequency = _frequency(notice, preference)
    if stale or frequency == Frequency.OFF:
        reason = stale or "The recipient has switched these notices off."
        Notice.objects.filter(pk=notice.pk).update(status=NoticeStatus.CANCELLED, last_error=reason)
        counts.cancelled += 1
        return
    if frequency == Frequency.DAILY and notice.kind not in DIGEST_KINDS:
        Notice.objects.filter(pk=notice.pk).update(held_for_summary=True)
        counts.held += 1
        return
    claim_until = now + dt.timedelta(seconds=settings.NOTICE_CLAIM_SECONDS)
    claimed = (
        Notice.objects.filter(pk=notice.pk, status=NoticeStatus.PENDING, sent_at__isnull=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=claim_until)
    )
    if not claimed:
        return  # another worker has it
    subject, body = notice_render(notice)
    try:
        send(notice, subject, body)
    except TransientFailure as error:
        _failed(notice, str(error), permanent=notice.attempts + 1 >= settings.NOTICE_MAX_ATTEMPTS, now=now)
        counts.retrying += 1
        counts.errors.append(f"{notice.key}: {error}")
    except PermanentFailure as error:
        _failed(notice, str(error), permanent=True, now=now)
        counts.failed += 1
        counts.errors.append(f"{notice.key}: {error}")
    else:
        Notice.objects.filter(pk=notice.pk).update(
            status=NoticeStatus.SENT,
            sent_at=timezone.now(),
            subject=subject,
            body=body,
            attempts=notice.attempts + 1,
            claimed_until=None,
            last_error="",
        )
        counts.sent += 1


def _frequency(notice: Notice, preference: NoticePreference | None) -> str:
    if preference is None:
        return Frequency.AT_ONCE
    return preference.addressed if notice.addressed else preference.others


def _no_longer_needed(notice: Notice) -> str:
    """Why a reminder is not needed now (its step answered or ended, its escalation closed), or ''."""
    if notice.kind in (NoticeKind.DUE_SOON, NoticeKind.OVERDUE) and notice.step is not None:
        step = notice.step
        if step.responded_at is not None or step.result:
            return "The step was answered or ended first."
    if notice.kind == NoticeKind.CAP_REACHED and notice.escalation.status != "open":
        return "The escalation was closed first."
    return ""


def _failed(notice: Notice, error: str, *, permanent: bool, now: dt.datetime) -> None:
    attempts = notice.attempts + 1
    if permanent:
        status, send_after = NoticeStatus.FAILED, notice.send_after
    else:
        status = NoticeStatus.PENDING
        base = settings.NOTICE_RETRY_BASE_SECONDS
        send_after = now + dt.timedelta(seconds=min(base * 2 ** (attempts - 1), 3600))
    Notice.objects.filter(pk=notice.pk).update(
        status=status, attempts=attempts, last_error=error[:2000], send_after=send_after, claimed_until=None
    )
    logger.warning("Notice %s not sent (attempt %s, %s): %s", notice.pk, attempts, status, error)


# --- working hours -------------------------------------------------------------------------------


def in_working_hours(moment: dt.datetime, calendar: WorkingCalendar) -> bool:
    start, end = settings.NOTICE_WORKING_HOURS
    local = timezone.localtime(moment)
    return calendar.is_working_day(local.date()) and start <= local.time() < end


def next_working_hours(moment: dt.datetime, calendar: WorkingCalendar) -> dt.datetime:
    """``moment`` if it is in working hours, else when they next start."""
    if in_working_hours(moment, calendar):
        return moment
    start = settings.NOTICE_WORKING_HOURS[0]
    day = timezone.localtime(moment).date()
    if calendar.is_working_day(day) and timezone.localtime(moment).time() < start:
        return local_moment(day, start)
    return local_moment(calendar.next_working_day(day), start)


# --- what a notice says --------------------------------------------------------------------------


def notice_link(path: str) -> str:
    return settings.SERVICE_BASE_URL.rstrip("/") + path


def notice_render(notice: Notice) -> tuple[str, str]:
    """The subject and body. Only the reference, the stage, the due time, who acted and links:
    never a child's name, date of birth or case ID, nor any text typed into the app."""
    escalation, step = notice.escalation, notice.step
    context = {
        "notice": notice,
        "reference": escalation.reference if escalation else "",
        "stage": step.stage.label if step else "",
        "due": format_datetime(notice.due_at) if notice.due_at else "",
        "due_day": _due_day(notice),
        "actor": str(notice.actor) if notice.actor else "",
        "on_behalf_of": str(notice.on_behalf_of) if notice.on_behalf_of else "",
        "link": notice_link(reverse("escalations:detail", args=[escalation.pk])) if escalation else "",
        "settings_link": notice_link(reverse("notices:settings")),
        "service_link": notice_link("/"),
        "items": notice.items,
    }
    text = render_to_string(f"notices/email/{notice.kind}.txt", context).strip()
    subject, _, body = text.partition("\n")
    return subject.strip()[:200], body.strip() + "\n"


def _due_day(notice: Notice) -> str:
    """ "the end of Friday 6 March 2026", from the step's last day."""
    if notice.step is None or notice.due_at is None:
        return ""
    return "the end of " + notice.step.due_on.strftime("%A %-d %B %Y")


# --- sending -------------------------------------------------------------------------------------


def send(notice: Notice, subject: str, body: str) -> None:
    address = notice.recipient.email
    if not address:
        raise PermanentFailure(f"{notice.recipient} has no email address. Add one on their user page.")
    if settings.NOTIFY_API_KEY:
        _send_by_notify(notice, address, subject, body)
    else:
        _send_by_email(notice, address, subject, body)


def _send_by_email(notice: Notice, address: str, subject: str, body: str) -> None:
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={"Message-ID": f"<notice-{notice.pk}@{settings.NOTICE_MESSAGE_ID_DOMAIN}>"},
        connection=get_connection(timeout=settings.EMAIL_TIMEOUT),
    )
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        if all(400 <= code < 500 for code in codes):
            raise TransientFailure(f"The mail server refused {address} for now: {error.recipients}") from error
        raise PermanentFailure(f"The mail server refused the address {address}: {error.recipients}") from error
    except smtplib.SMTPAuthenticationError as error:
        raise PermanentFailure(f"The mail server refused the service's sign-in (EMAIL_HOST_USER): {error}") from error
    except smtplib.SMTPResponseException as error:
        if 500 <= error.smtp_code < 600:
            raise PermanentFailure(
                f"The mail server refused the message: {error.smtp_code} {error.smtp_error}"
            ) from error
        raise TransientFailure(
            f"The mail server could not take it now: {error.smtp_code} {error.smtp_error}"
        ) from error
    except (smtplib.SMTPException, OSError, socket.timeout) as error:
        raise TransientFailure(f"Could not reach the mail server: {error}") from error


def _send_by_notify(notice: Notice, address: str, subject: str, body: str) -> None:
    from notifications_python_client.errors import HTTPError  # noqa: PLC0415 (loaded only when Notify is set up)
    from notifications_python_client.notifications import NotificationsAPIClient  # noqa: PLC0415 (ditto)

    client = NotificationsAPIClient(settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=30)
    template = settings.NOTIFY_TEMPLATES.get(notice.kind) or settings.NOTIFY_TEMPLATE_ID
    if not template:
        raise PermanentFailure("No GOV.UK Notify template is set: set NOTIFY_TEMPLATE_ID (README, Notices).")
    personalisation = {
        "subject": subject,
        "body": body,
        "reference": notice.escalation.reference if notice.escalation else "",
        "stage": notice.step.stage.label if notice.step else "",
        "due": _due_day(notice),
        "actor": str(notice.actor) if notice.actor else "",
        "link": notice_link(reverse("escalations:detail", args=[notice.escalation.pk])) if notice.escalation else "",
    }
    try:
        client.send_email_notification(
            email_address=address, template_id=template, personalisation=personalisation, reference=notice.key
        )
    except HTTPError as error:
        status = getattr(error, "status_code", 0) or 0
        if status == 429 or status >= 500:
            raise TransientFailure(f"GOV.UK Notify could not take it now ({status}): {error.message}") from error
        raise PermanentFailure(f"GOV.UK Notify refused it ({status}): {error.message}") from error
    except OSError as error:
        raise TransientFailure(f"Could not reach GOV.UK Notify: {error}") from error
