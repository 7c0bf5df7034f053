"""Hand-made 903 returns for the tests: CSV files written into a directory."""

import csv
from pathlib import Path

# The public synthetic return (MIT, Social Finance; LICENSE beside it), copied from the project's
# shared data into the repository so the tests never depend on a directory outside the clone.
SHARED_RETURN = Path(__file__).resolve().parents[1] / "data" / "ssda903-fake"

COLUMNS = {
    "header.csv": ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"],
    "episodes.csv": [
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    ],
    "reviews.csv": ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"],
    "uasc.csv": ["CHILD", "SEX", "DOB", "DUC"],
    "missing.csv": ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"],
}


def header(child="1001", **values):
    return {"CHILD": child, "SEX": "1", "DOB": "01/02/2010", "ETHNIC": "WBRI", **values}


def episode(child="1001", decom="01/04/2017", **values):
    return {
        "CHILD": child,
        "DECOM": decom,
        "RNE": "S",
        "LS": "C2",
        "CIN": "N1",
        "PLACE": "U4",
        "PLACE_PROVIDER": "PR1",
        "DEC": "",
        "REC": "",
        "PL_POST": "AB1 2CD",
        **values,
    }


def review(child="1001", date="01/06/2017", code="PN1"):
    return {"CHILD": child, "DOB": "01/02/2010", "REVIEW": date, "REVIEW_CODE": code}


def missing(child="1001", start="03/05/2017", kind="M", end="04/05/2017"):
    return {"CHILD": child, "DOB": "01/02/2010", "MISSING": kind, "MIS_START": start, "MIS_END": end}


def write_return(directory: Path, **tables: list[dict]) -> Path:
    """Write header.csv etc. from lists of row dicts: write_return(tmp_path, header=[...], episodes=[...])."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        filename = f"{name}.csv"
        with (directory / filename).open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS[filename])
            writer.writeheader()
            writer.writerows(rows)
    return directory
