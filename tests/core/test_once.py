import pytest

from core.errors import DomainError
from core.models import OnceKey
from core.once import once_key_new, once_run, once_seen
from tests.factories import IroFactory

pytestmark = pytest.mark.django_db


def test_a_key_runs_the_change_once_and_then_answers_with_its_result():
    user, key, runs = IroFactory(), once_key_new(), []
    first = once_run(key=key, user=user, scope="s", run=lambda: runs.append(1) or "/done/1/")
    second = once_run(key=key, user=user, scope="s", run=lambda: runs.append(2) or "/done/2/")
    assert (runs, first.first, second.first, second.path) == ([1], True, False, "/done/1/")


def test_a_refused_change_records_nothing_so_the_same_form_can_be_sent_again():
    user, key = IroFactory(), once_key_new()

    def refused():
        raise DomainError("Enter the response.")

    with pytest.raises(DomainError):
        once_run(key=key, user=user, scope="s", run=refused)
    assert not OnceKey.objects.exists()
    assert once_run(key=key, user=user, scope="s", run=lambda: "/done/").first


def test_someone_elses_key_is_refused():
    key = once_key_new()
    once_run(key=key, user=IroFactory(), scope="s", run=lambda: "/done/")
    with pytest.raises(DomainError, match="already used for something else"):
        once_run(key=key, user=IroFactory(), scope="s", run=lambda: "/other/")


def test_without_a_key_the_change_is_made():
    runs = []
    once_run(key="", user=IroFactory(), scope="s", run=lambda: runs.append(1) or "/a/")
    once_run(key="", user=IroFactory(), scope="s", run=lambda: runs.append(1) or "/a/")
    assert runs == [1, 1]


def test_a_key_with_a_control_character_is_refused_and_nothing_is_made():
    runs = []
    with pytest.raises(DomainError, match="one-time key was changed"):
        once_run(key="\x00", user=IroFactory(), scope="s", run=lambda: runs.append(1) or "/a/")
    assert runs == []


def test_a_key_with_a_control_character_was_never_seen():
    assert once_seen(key="ab\x00cd", user=IroFactory()) is None
