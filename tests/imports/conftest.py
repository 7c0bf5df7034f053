import pytest


@pytest.fixture(autouse=True)
def _imports_in_tmp(settings, tmp_path):
    """Uploads and progress files in a temp dir; import jobs run at once, in the request."""
    settings.VAR_DIR = tmp_path
    settings.IMPORT_JOBS_IN_BACKGROUND = False
