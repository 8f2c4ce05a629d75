import pytest

from experiments.tasks import load_task


@pytest.fixture(scope="session")
def digits():
    return load_task("digits")
