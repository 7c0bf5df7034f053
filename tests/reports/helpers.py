"""People for the identifier-check tests whose names are no English word and appear in no story, so
a Faker name ("May", "Young", "Day" are English surnames too) can never decide what the check flags."""

from tests.factories import IroFactory, ManagerFactory, ServiceManagerFactory, UserFactory, stage

FIRST, LAST = "Ifeoma", "Thistlewaite"


def service_manager(**kwargs):
    return ServiceManagerFactory(first_name=FIRST, last_name=LAST, **kwargs)


def admin(**kwargs):
    return UserFactory(role="admin", first_name=FIRST, last_name=LAST, **kwargs)


def iro(**kwargs):
    return IroFactory(first_name="Wendell", last_name="Pryce", **kwargs)


def manager(**kwargs):
    return ManagerFactory(first_name="Tomasz", last_name="Brennan", stage=stage("team_manager"), **kwargs)
