"""Tiny configurations shared by the runner tests (ANN-only unless a test needs the SNN)."""

from __future__ import annotations

import pytest

TINY_ANN = """
base = "none"
name = "tiny"
seeds = [0]

[tasks.patterns]
d = 16
k = 3
n_train_per_class = 20
n_test_per_class = 10

[models.ann]
kind = "mlp"
sizes = [4, 8]
epochs = 5
batch_size = 16
"""


@pytest.fixture
def tiny_config(tmp_path):
    """Path of a tiny ANN-only config: 1 task x 1 model x 2 sizes x 1 seed = 2 jobs."""
    path = tmp_path / "tiny.toml"
    path.write_text(TINY_ANN)
    return path


@pytest.fixture
def tiny_text():
    """Text of the tiny ANN-only config (``base = "none"``)."""
    return TINY_ANN


@pytest.fixture
def write_config(tmp_path):
    """``write_config(text, name="cfg.toml") -> Path`` in the test's temporary folder."""

    def write(text: str, name: str = "cfg.toml"):
        path = tmp_path / name
        path.write_text(text)
        return path

    return write
