"""The `sinac` command: Flask's CLI group plus the project's command groups."""

from __future__ import annotations

from flask.cli import FlaskGroup


def _create_app():
    from backoffice.app import create_app

    return create_app()


def register_commands(group) -> None:
    """Attach every command group; each lives beside the code it drives."""
    from backoffice.commands.accounts import seed_command, users
    from backoffice.commands.cases import cases, contacts
    from backoffice.commands.db import db

    for command in (db, seed_command, users, cases, contacts):
        group.add_command(command)
    from backoffice.commands.coverage import coverage; group.add_command(coverage)  # noqa: I001
    from backoffice.commands.callcenter import callcenter; group.add_command(callcenter)  # noqa: I001
    from backoffice.commands.nlu import nlu; group.add_command(nlu)  # noqa: I001
    from backoffice.commands.report import report; group.add_command(report)  # noqa: I001
    from backoffice.commands.schedule import schedule; group.add_command(schedule)  # noqa: I001
    from backoffice.commands.padron import padron; group.add_command(padron)  # noqa: I001


def main() -> None:
    cli = FlaskGroup(create_app=_create_app, add_default_commands=True, help="SINAC: atención ciudadana.")
    register_commands(cli)
    cli.main(prog_name="sinac")
