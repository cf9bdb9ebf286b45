import pytest
from django.apps import apps


@pytest.fixture(autouse=True)
def _demo_app_installed():
    # Outside DEBUG the demo app is installed only with NEWSROOM_DEMO=1, as `make test` sets.
    assert apps.is_installed("demo"), (
        "These tests need the demo app: run them with NEWSROOM_DEMO=1 (make test sets it)."
    )
