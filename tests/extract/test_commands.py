import io

import pytest
from django.core.management import CommandError, call_command

from extract.models import Visit
from tests.extract.files import allocation, visit, write_extract
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("import_case_extract", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_counts_per_table_and_the_files_it_did_not_find(tmp_path):
    ChildFactory(case_id="1001")

    output = run(str(write_extract(tmp_path, visits=[visit()], allocations=[allocation()])))

    assert "visits              1        0          0" in output
    assert "care_plans   no care_plans.csv: not imported" in output
    assert "Children whose social worker or team changed: 1; teams created: 1." in output


def test_the_command_reads_a_mapping_file(tmp_path):
    ChildFactory(case_id="1001")
    (tmp_path / "visits.csv").write_text("Client,Date\n1001,01/06/2025\n")
    (tmp_path / "map.yaml").write_text("columns:\n  Client: person_id\n  Date: visit_date\n")

    run(str(tmp_path), "--mapping", str(tmp_path / "map.yaml"))

    assert Visit.objects.count() == 1


def test_the_command_fails_listing_every_error_and_stores_nothing(tmp_path):
    ChildFactory(case_id="1001")
    directory = write_extract(tmp_path, visits=[visit(), visit(person="2002", date="x")])

    with pytest.raises(CommandError) as caught:
        run(str(directory))

    assert str(caught.value).splitlines() == [
        "The case-management extract has 2 errors; nothing was imported.",
        "  visits.csv row 3, column person_id: '2002' is not a child known here (import their 903 return first)",
        "  visits.csv row 3, column visit_date: 'x' is not a date: write it as dd/mm/YYYY or YYYY-MM-DD",
    ]
    assert Visit.objects.count() == 0


def test_the_command_refuses_a_directory_that_is_not_there(tmp_path):
    with pytest.raises(CommandError, match="is not a directory"):
        run(str(tmp_path / "nowhere"))


def test_the_command_refuses_a_mapping_file_that_is_not_there(tmp_path):
    with pytest.raises(CommandError, match="The mapping file cannot be read"):
        run(str(write_extract(tmp_path, visits=[])), "--mapping", str(tmp_path / "none.yaml"))
