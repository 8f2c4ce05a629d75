"""Shared tasks, the comparison runner and its report (imports both model packages)."""

from experiments.tasks import Task, list_tasks, load_task

__all__ = ["Task", "list_tasks", "load_task"]
