import pytest


@pytest.fixture(autouse=True)
def _imports_in_tmp(settings, tmp_path):
    """Uploads and progress files in a temp dir. Import jobs run at once, in the request: the test
    settings' task backend runs a task when it is queued (tests/background run the real worker)."""
    settings.VAR_DIR = tmp_path
