"""Delivering the outbox: working hours, daily summaries, retries and failures, what a notice may
say, one send per claim, and GOV.UK Notify. The clock is passed in (``now``), so each test says
exactly when delivery runs; the mail goes to Django's test outbox (``mailoutbox``)."""

import datetime as dt
import json
import smtplib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from django.utils import timezone

from notices import delivery
from notices.delivery import notice_render, notices_deliver
from notices.models import Frequency, Notice, NoticeKind, NoticePreference, NoticeStatus
from notices.services import notice_preference_set, notices_summarise
from tests.factories import ChildFactory, IroFactory, london, raise_escalation

pytestmark = pytest.mark.django_db

THURSDAY_2AM, THURSDAY_9AM = london(2026, 11, 5, 2, 0), london(2026, 11, 5, 9, 0)


def _raised(**kwargs):
    return raise_escalation(raised_at=timezone.now(), **kwargs)


def _pending(kind, **filters):
    return Notice.objects.get(kind=kind, status=NoticeStatus.PENDING, **filters)


def test_a_notice_due_now_is_sent_with_its_subject_and_marked_sent(mailoutbox):
    esc = _raised()
    counts = notices_deliver()
    notice = Notice.objects.get(kind=NoticeKind.STEP_SENT)
    assert (counts.sent, notice.status, notice.attempts) == (1, NoticeStatus.SENT, 1)
    assert [m.to for m in mailoutbox] == [[esc.current_addressee.email]]
    assert mailoutbox[0].subject.startswith(f"{esc.reference}: sent to you")
    assert mailoutbox[0].extra_headers["Message-ID"] == f"<notice-{notice.pk}@iro-escalations.invalid>"


def test_clock_notices_wait_for_working_hours(mailoutbox):
    esc = _raised()
    reminder = _pending(NoticeKind.DUE_SOON)
    Notice.objects.filter(pk=reminder.pk).update(send_after=THURSDAY_2AM)
    notices_deliver(now=THURSDAY_2AM + dt.timedelta(minutes=5))
    reminder.refresh_from_db()
    assert (reminder.status, reminder.send_after) == (NoticeStatus.PENDING, THURSDAY_9AM)
    assert not any(m.subject.startswith(f"{esc.reference}: your reply is due by") for m in mailoutbox)
    notices_deliver(now=THURSDAY_9AM)
    reminder.refresh_from_db()
    assert reminder.status == NoticeStatus.SENT


def test_a_reminder_for_a_step_answered_meanwhile_is_not_sent(mailoutbox):
    esc = _raised()
    overdue = _pending(NoticeKind.OVERDUE, recipient=esc.current_addressee)
    esc.current_step.responded_at = timezone.now()  # as if answered by a path that did not cancel it
    esc.current_step.save(update_fields=["responded_at"])
    Notice.objects.filter(pk=overdue.pk).update(send_after=THURSDAY_9AM)
    notices_deliver(now=THURSDAY_9AM)
    overdue.refresh_from_db()
    assert (overdue.status, overdue.last_error) == (NoticeStatus.CANCELLED, "The step was answered or ended first.")


def test_a_daily_summary_person_gets_one_email_next_morning(mailoutbox):
    esc = _raised()
    manager = esc.current_addressee
    notice_preference_set(user=manager, addressed=Frequency.DAILY, others=Frequency.DAILY)
    notices_deliver()
    held = Notice.objects.get(recipient=manager, kind=NoticeKind.STEP_SENT)
    assert (held.status, held.held_for_summary) == (NoticeStatus.PENDING, True)
    assert manager.email not in [address for m in mailoutbox for address in m.to]
    notices_summarise(now=THURSDAY_9AM)
    notices_deliver(now=THURSDAY_9AM)
    summary = Notice.objects.get(recipient=manager, kind=NoticeKind.DAILY_SUMMARY)
    held.refresh_from_db()
    assert (summary.status, held.status, held.summary_id) == (NoticeStatus.SENT, NoticeStatus.SUMMARISED, summary.pk)
    assert f"{esc.reference}: sent to you" in summary.body


@pytest.mark.parametrize("kind", [NoticeKind.OVERDUE_DIGEST, NoticeKind.DRIFT_DIGEST])
def test_a_morning_digest_is_not_held_for_a_daily_summary(kind, mailoutbox):
    iro = IroFactory()
    notice_preference_set(user=iro, addressed=Frequency.DAILY, others=Frequency.DAILY)
    Notice.objects.create(
        key="digest", kind=kind, recipient=iro, send_after=THURSDAY_9AM, items=[{"line": "First review: 1 child"}]
    )

    notices_deliver(now=THURSDAY_9AM)

    assert Notice.objects.get(key="digest").status == NoticeStatus.SENT
    assert [m.to for m in mailoutbox] == [[iro.email]]


def test_news_switched_off_is_not_sent_but_steps_sent_to_you_cannot_be(mailoutbox):
    iro = IroFactory()
    notice_preference_set(user=iro, addressed=Frequency.OFF, others=Frequency.OFF)
    assert NoticePreference.objects.get(user=iro).addressed == Frequency.AT_ONCE
    esc = _raised(iro=iro)
    Notice.objects.create(key="t", kind=NoticeKind.RESPONSE, recipient=iro, escalation=esc, send_after=timezone.now())
    notices_deliver()
    assert Notice.objects.get(key="t").status == NoticeStatus.CANCELLED


def test_a_mail_server_that_is_down_is_tried_again_later_with_backoff(settings, monkeypatch):
    _raised()
    monkeypatch.setattr(delivery.EmailMessage, "send", _raise(smtplib.SMTPServerDisconnected("gone")))
    now = timezone.now()
    counts = notices_deliver(now=now)
    notice = Notice.objects.get(kind=NoticeKind.STEP_SENT)
    assert (counts.retrying, notice.status, notice.attempts) == (1, NoticeStatus.PENDING, 1)
    assert notice.send_after == now + dt.timedelta(seconds=settings.NOTICE_RETRY_BASE_SECONDS)
    assert "Could not reach the mail server" in notice.last_error


def test_a_refused_address_is_failed_and_not_tried_again(monkeypatch):
    _raised()
    refused = smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"No such user")})
    monkeypatch.setattr(delivery.EmailMessage, "send", _raise(refused))
    counts = notices_deliver()
    notice = Notice.objects.get(kind=NoticeKind.STEP_SENT)
    assert (counts.failed, notice.status) == (1, NoticeStatus.FAILED)
    assert "refused the address" in notice.last_error


def test_a_notice_that_keeps_failing_gives_up_after_the_last_attempt(settings, monkeypatch):
    _raised()
    monkeypatch.setattr(delivery.EmailMessage, "send", _raise(smtplib.SMTPServerDisconnected("gone")))
    Notice.objects.filter(kind=NoticeKind.STEP_SENT).update(attempts=settings.NOTICE_MAX_ATTEMPTS - 1)
    notices_deliver()
    assert Notice.objects.get(kind=NoticeKind.STEP_SENT).status == NoticeStatus.FAILED


def test_a_person_without_an_email_address_is_a_permanent_failure():
    esc = _raised()
    type(esc.current_addressee).objects.filter(pk=esc.current_addressee_id).update(email="")
    notices_deliver()
    notice = Notice.objects.get(kind=NoticeKind.STEP_SENT)
    assert notice.status == NoticeStatus.FAILED and "has no email address" in notice.last_error


def test_a_notice_claimed_by_another_worker_is_not_sent_again(mailoutbox):
    _raised()
    Notice.objects.filter(kind=NoticeKind.STEP_SENT).update(claimed_until=timezone.now() + dt.timedelta(minutes=5))
    notices_deliver()
    assert [m for m in mailoutbox if "sent to you" in m.subject] == []


def test_the_duplicate_window_is_the_one_notice_a_killed_worker_had_claimed(mailoutbox, settings):
    """A worker killed after the server accepted a notice but before it marked it sent leaves it
    claimed and pending: once the claim runs out, it is sent again, once; nothing else is."""
    _raised()
    _raised()
    first, second = Notice.objects.filter(kind=NoticeKind.STEP_SENT).order_by("pk")
    now = timezone.now()
    Notice.objects.filter(pk=second.pk).update(status=NoticeStatus.SENT, sent_at=now)
    Notice.objects.filter(pk=first.pk).update(claimed_until=now - dt.timedelta(seconds=1))  # the dead worker's
    notices_deliver(now=now)
    notices_deliver(now=now)
    assert [m.extra_headers["Message-ID"] for m in mailoutbox if "sent to you" in m.subject] == [
        f"<notice-{first.pk}@{settings.NOTICE_MESSAGE_ID_DOMAIN}>"
    ]


@pytest.mark.parametrize("kind", [k for k in NoticeKind if k not in (NoticeKind.DAILY_SUMMARY,)])
def test_no_notice_names_a_child_or_repeats_what_anyone_wrote(kind):
    children = [
        ChildFactory(
            first_name="Marigold",
            last_name="Featherstonehaugh",
            case_id="CASE-778812",
            date_of_birth=dt.date(2011, 4, 17),
        ),
        ChildFactory(first_name="Tobias", last_name="Quillfeather", case_id="CASE-778813"),
    ]
    esc = _raised(children=children, concern="Marigold has had no review since March")
    notice = Notice.objects.create(
        key=f"test:{kind}",
        kind=kind,
        recipient=esc.current_addressee,
        escalation=esc,
        step=esc.current_step,
        actor=esc.iro,
        due_at=esc.current_step.due_at,
        send_after=timezone.now(),
        how="Head of service",
        items=[{"line": f"{esc.reference}: Team manager", "link": "http://127.0.0.1:8000/escalations/1/"}],
    )
    subject, body = notice_render(notice)
    text = subject + body
    forbidden = [
        "Marigold",
        "Featherstonehaugh",
        "Tobias",
        "Quillfeather",
        "CASE-778812",
        "CASE-778813",
        "17/04/2011",
        "2011-04-17",
        "17 April 2011",
        "no review since March",
    ]
    assert [word for word in forbidden if word in text] == []
    assert esc.reference in text or kind == NoticeKind.OVERDUE_DIGEST and esc.reference in body
    assert "\n" not in subject and len(subject) <= 200


def _raise(error):
    def send(self, *args, **kwargs):
        raise error

    return send


# --- GOV.UK Notify --------------------------------------------------------------------------------
# No network here: a stand-in for Notify's API on 127.0.0.1 checks what the real one checks (the
# JSON Web Token signed with the key's secret, the template, the address) and answers as it does.

SERVICE_ID, SECRET = "26785a09-ab16-4eb0-8407-a37497a57506", "3d844edf-8d35-48ac-975b-e847b4f122b0"
NOTIFY_KEY = f"test-{SERVICE_ID}-{SECRET}"


class _Notify(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        token = self.headers["Authorization"].removeprefix("Bearer ")
        claims = jwt.decode(token, SECRET, algorithms=["HS256"])
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append((claims["iss"], body))
        if body["email_address"].startswith("bounce"):
            self._answer(
                400, {"errors": [{"error": "ValidationError", "message": "email_address Not a valid email address"}]}
            )
        else:
            self._answer(201, {"id": "740e5834-3a29-46b4-9a6f-16142fde533a", "reference": body.get("reference")})

    def _answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def notify(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Notify)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Notify.received = []
    settings.NOTIFY_API_KEY = NOTIFY_KEY
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{server.server_port}"
    settings.NOTIFY_TEMPLATE_ID = "a1b2c3d4-0000-4000-8000-000000000001"
    settings.NOTIFY_TEMPLATES = {"step_sent": "a1b2c3d4-0000-4000-8000-000000000002"}
    yield _Notify
    server.shutdown()
    server.server_close()


def test_notify_is_used_when_its_key_is_set_with_the_kinds_template(notify, mailoutbox):
    esc = _raised()
    notices_deliver()
    (issuer, body), *_ = notify.received
    assert issuer == SERVICE_ID
    assert (body["email_address"], body["template_id"]) == (
        esc.current_addressee.email,
        "a1b2c3d4-0000-4000-8000-000000000002",
    )
    assert body["personalisation"]["reference"] == esc.reference
    assert body["personalisation"]["subject"].startswith(f"{esc.reference}: sent to you")
    assert Notice.objects.get(kind=NoticeKind.STEP_SENT).status == NoticeStatus.SENT
    assert mailoutbox == []


def test_an_address_notify_refuses_is_a_permanent_failure(notify):
    esc = _raised()
    type(esc.current_addressee).objects.filter(pk=esc.current_addressee_id).update(email="bounce@example.org")
    notices_deliver()
    notice = Notice.objects.get(kind=NoticeKind.STEP_SENT)
    assert notice.status == NoticeStatus.FAILED and "GOV.UK Notify refused it (400)" in notice.last_error


def test_notify_out_of_reach_is_tried_again(settings):
    _raised()
    settings.NOTIFY_API_KEY, settings.NOTIFY_TEMPLATE_ID = NOTIFY_KEY, "a1b2c3d4-0000-4000-8000-000000000001"
    settings.NOTIFY_BASE_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    notices_deliver()
    notice = Notice.objects.get(kind=NoticeKind.STEP_SENT)
    assert (notice.status, notice.attempts) == (NoticeStatus.PENDING, 1)
