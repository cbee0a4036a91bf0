"""Settings are built once per process: code that was not handed them reads the process's
(core.config.current_settings), an inline runner's inside `running_with`, and only a process that
set none (a script, a test) reads the environment."""

from __future__ import annotations

from core import config
from core.config import Settings, current_settings, running_with, use_settings


def test_the_process_settings_are_read_not_rebuilt(monkeypatch):
    monkeypatch.setattr(config, "_process_settings", None)
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "7")
    assert current_settings().session_idle_minutes == 7  # nothing set: the environment

    process = Settings.from_env({"SESSION_IDLE_MINUTES": "11"})
    use_settings(process)
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "99")  # a later change of the environment is not read
    assert current_settings() is process

    inline = Settings.from_env({"SESSION_IDLE_MINUTES": "13"})
    with running_with(inline):
        assert current_settings() is inline
    assert current_settings() is process


def test_the_workers_read_the_same_holder():
    from workers import connections

    assert connections.current_settings is current_settings
    assert connections.use_settings is use_settings
