"""The shared tasks (datasets) both model families train on: :func:`load_task` and the catalog.
Imports nothing else of ``experiments`` (numpy, scikit-learn's bundled data only)."""

from experiments.tasks.catalog import (
    MNIST_ENV,
    MNIST_FILES,
    Task,
    list_tasks,
    load_task,
    task_knobs,
)

__all__ = ["Task", "load_task", "list_tasks", "task_knobs", "MNIST_FILES", "MNIST_ENV"]
