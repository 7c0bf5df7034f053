import io

import pytest
from django.core.management import CommandError, call_command

from ssda903.models import Episode
from tests.ssda903.returns import episode, header, write_return

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("import_903", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_counts_per_table(tmp_path):
    output = run(str(write_return(tmp_path, header=[header("1001")], episodes=[episode()])), "--year", "2017-18")

    assert "Episodes          1        0          0" in output


def test_the_command_prints_the_warnings(tmp_path):
    output = run(str(write_return(tmp_path, header=[header("1001")], episodes=[episode(REC="X1")])))

    assert "Episodes row 2, column REC: the episode is open (no DEC) but has reason ended X1" in output


def test_the_command_fails_listing_every_error_and_stores_nothing(tmp_path):
    directory = write_return(
        tmp_path, header=[header("1001")], episodes=[episode(LS="Z9"), episode("2002", "01/05/2017")]
    )

    with pytest.raises(CommandError) as caught:
        run(str(directory))

    assert str(caught.value).splitlines()[1:] == [
        "  Episodes row 2, column LS: 'Z9' is not a legal status code in the 903 code list",
        "  Episodes row 3, column CHILD: '2002' is not in the Header",
    ]
    assert Episode.objects.count() == 0


def test_the_command_refuses_a_badly_formed_year(tmp_path):
    with pytest.raises(CommandError, match="not in the form 2017-18"):
        run(str(write_return(tmp_path, header=[header("1001")])), "--year", "2017")
