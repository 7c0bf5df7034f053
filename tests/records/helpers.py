"""A family for the records tests: a child (Adaeze Okafor), her brother and sister, two other
children, escalations shared and not, a response, a note, a case story, 903 rows, an access log
entry and a legal hold. Every name is one no factory would make, so a test can look for each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from audit.services import access_log_record
from children.models import Child
from drift.models import DriftFlag
from escalations.models import Escalation
from escalations.services import escalation_note_add, escalation_resolve, escalation_respond
from extract.models import Allocation, CarePlan, Visit
from people.models import User
from records.services import legal_hold_place
from reports.services import story_include
from ssda903.models import Episode, MissingEpisode, Review
from tests.factories import (
    ChildFactory,
    IroFactory,
    ManagerFactory,
    ServiceManagerFactory,
    SiblingGroupFactory,
    outcome,
    raise_escalation,
)

SHARED_CONCERN = (
    "Adaeze and Benedikt Okafor have not been visited since March. Benedikt's contact with Chiaralyn has stopped."
)
RESPONSE = "Benedikt will be visited this week and Adaeze next week. Dorianne Featherstonehaugh's carer has been told."
NOTE = "Spoke to Rosalind Pemberton about case 700002 and about Esmeralda."
ALONE_CONCERN = "Adaeze's care plan has not been reviewed since her placement moved."
BEN_ONLY = "Benedikt alone: a concern that is not about his sister at all (Zygomorphic)."


@dataclass
class Family:
    iro: User
    manager: User
    sm: User
    ada: Child
    ben: Child
    chiara: Child
    others: list[Child]
    shared: Escalation
    alone: Escalation
    ben_only: Escalation


def family(*, with_hold: bool = False) -> Family:
    iro = IroFactory(first_name="Quentin", last_name="Marlowe")
    manager = ManagerFactory(first_name="Rosalind", last_name="Pemberton")
    sm = ServiceManagerFactory(first_name="Tobias", last_name="Wrenfield")
    group = SiblingGroupFactory()
    ada = ChildFactory(
        first_name="Adaeze",
        last_name="Okafor",
        case_id="700001",
        date_of_birth=dt.date(2009, 3, 14),
        iro=iro,
        sibling_group=group,
        social_worker="Ulrika Stanhope",
    )
    ben = ChildFactory(first_name="Benedikt", last_name="Okafor", case_id="700002", iro=iro, sibling_group=group)
    chiara = ChildFactory(first_name="Chiaralyn", last_name="Okafor", case_id="700003", iro=iro, sibling_group=group)
    dorianne = ChildFactory(first_name="Dorianne", last_name="Featherstonehaugh", case_id="700004", iro=iro)
    esme = ChildFactory(first_name="Esmeralda", last_name="Brightwater", case_id="700005", iro=iro)

    now = timezone.now()
    shared = raise_escalation(
        iro=iro, children=[ada, ben], addressee=manager, concern=SHARED_CONCERN, raised_at=now - dt.timedelta(days=6)
    )
    shared = escalation_respond(escalation=shared, by=manager, response=RESPONSE, at=now - dt.timedelta(days=5))
    escalation_note_add(escalation=shared, by=iro, text=NOTE, at=now - dt.timedelta(days=4))
    alone = raise_escalation(
        iro=iro, children=[ada], addressee=manager, concern=ALONE_CONCERN, raised_at=now - dt.timedelta(days=6)
    )
    alone = escalation_resolve(
        escalation=alone,
        by=iro,
        outcome=outcome("resolved"),
        reason="The plan was reviewed and Chiaralyn's visits restarted.",
        at=now - dt.timedelta(days=2),
    )
    story_include(escalation=alone, by=sm)
    ben_only = raise_escalation(iro=iro, children=[ben], addressee=manager, concern=BEN_ONLY)

    Episode.objects.create(
        child=ada,
        start=dt.date(2015, 4, 1),
        reason_new_episode="S",
        legal_status="C2",
        placement_type="U4",
        home_postcode="LS1 4AP",
        placement_postcode="LS6 2QT",
    )
    Review.objects.create(child=ada, date=dt.date(2015, 4, 20), participation="PN1")
    MissingEpisode.objects.create(child=ada, kind="M", start=dt.date(2016, 1, 3), end=dt.date(2016, 1, 4))
    Visit.objects.create(child=ada, date=dt.date(2016, 2, 1), seen=True, seen_alone=False)
    CarePlan.objects.create(child=ada, start=dt.date(2015, 4, 1))
    Allocation.objects.create(child=ada, worker="Ulrika Stanhope", role="Social worker", start=dt.date(2015, 4, 1))
    DriftFlag.objects.create(
        child=ada, rule="R28-visit", due=dt.date(2016, 3, 4), detail="A visit was due.", first_seen=dt.date(2016, 3, 5)
    )
    access_log_record(user=sm, path=f"/children/{ada.pk}/", child=ada)
    if with_hold:
        legal_hold_place(by=sm, child=ada, reason="A complaint about contact arrangements is open.")
    return Family(iro, manager, sm, ada, ben, chiara, [ben, chiara, dorianne, esme], shared, alone, ben_only)
