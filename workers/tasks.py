"""The old home of the jobs, kept as an alias of the registry (workers/registry.py): RQ jobs
enqueued as `workers.tasks.<name>` before an upgrade (and scripts that enqueue them so) still
find their function, and `TASKS[name]` still returns it. New code uses the registry."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from workers import registry


class _Jobs(Mapping):
    """Job name -> function, each job's module imported when it is asked for."""

    def __getitem__(self, name: str) -> Callable:
        return registry.resolve(name)

    def __iter__(self) -> Iterator[str]:
        return iter(registry.JOBS)

    def __len__(self) -> int:
        return len(registry.JOBS)


TASKS: Mapping[str, Callable] = _Jobs()


def __getattr__(name: str) -> Callable:
    if name in registry.JOBS:
        return registry.resolve(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
