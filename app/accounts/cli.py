"""`flask users create` and `flask tokens create`."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from app.accounts import services
from app.errors import DomainError
from app.extensions import db


@click.group("users", help="Manage people.")
def users_cli() -> None:
    pass


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", "roles", multiple=True, help="employee, organiser, facilitator or admin.")
@click.option("--department", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user(
    email: str, name: str, roles: tuple[str, ...], department: str, password_stdin: bool
) -> None:
    """Create an account with a password (the first admin, say)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = services.create_user(
            db.session,
            email=email,
            name=name,
            roles=services.parse_roles(roles),
            department=department,
            password=password,
        )
    except DomainError as err:
        raise click.ClickException(err.message) from err
    db.session.commit()
    click.echo(f"Created {user.email} ({', '.join(sorted(user.roles))}).")


@click.group("tokens", help="Manage personal API tokens.")
def tokens_cli() -> None:
    pass


@tokens_cli.command("create")
@click.option("--email", required=True)
@with_appcontext
def create_token(email: str) -> None:
    """Print a new personal API token for this person (shown once)."""
    user = services.user_by_email(db.session, email)
    if user is None or not user.active:
        raise click.ClickException(f"No active account for {email}.")
    token = services.create_api_token(db.session, user)
    db.session.commit()
    click.echo(f"API token for {user.email} (use as 'Authorization: Bearer <token>'):")
    click.echo(token)
