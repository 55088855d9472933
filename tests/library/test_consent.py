"""The online-lookup choice (online.json under TUNESCOPE_HOME): written whole, under a lock every process
takes, from a temporary file of its own; a failure is a named message and leaves nothing behind."""

import json
import multiprocessing
import os

import pytest

from engine.errors import SettingNotSavedError
from engine.library.providers import consent

WRITES = 60


def _writer(home: str, accounts: list[str], final: bool) -> None:
    """One process (the CLI, or a dashboard server) changing its accounts' choices again and again."""
    os.environ["TUNESCOPE_HOME"] = home
    for i in range(WRITES):
        for account in accounts:
            consent.remember(i % 2 == 0, account)
    for account in accounts:
        consent.remember(final, account)


def test_processes_writing_at_once_never_lose_an_off(tmp_path, monkeypatch):
    monkeypatch.setenv("TUNESCOPE_HOME", str(tmp_path))
    context = multiprocessing.get_context("spawn")
    cli = context.Process(target=_writer, args=(str(tmp_path), [""], False))  # `--offline`, the local user
    dashboards = [context.Process(target=_writer, args=(str(tmp_path), [f"browser-{n}-{i}" for i in range(3)], n == 0))
                  for n in range(2)]
    for process in [cli, *dashboards]:
        process.start()
    for process in [cli, *dashboards]:
        process.join(120)
        assert process.exitcode == 0
    data = json.loads((tmp_path / consent.FILE).read_text())
    assert len(data) == 7  # every account's entry survived the others' writes
    assert consent.allowed("") is False and data[""]["reccobeats"] is False  # the CLI's "off" held
    assert all(consent.allowed(f"browser-0-{i}") and not consent.allowed(f"browser-1-{i}") for i in range(3))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([consent.LOCK, consent.FILE])  # no temporary left


def test_a_choice_that_cannot_be_written_is_a_message_and_the_old_one_stands(tmp_path, monkeypatch):
    monkeypatch.setenv("TUNESCOPE_HOME", str(tmp_path))
    consent.remember(False, "")
    (tmp_path / consent.FILE).unlink()
    (tmp_path / consent.FILE).mkdir()  # the file cannot be replaced: os.replace raises an OSError
    with pytest.raises(SettingNotSavedError, match="Could not save your choice about online lookups"):
        consent.remember(True, "")
    assert not consent.allowed("")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([consent.LOCK, consent.FILE])  # no temporary left
