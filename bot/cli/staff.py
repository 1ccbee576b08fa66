"""`ims-bot staff ...`: console accounts (add with a one-time link, list, disable, enable,
change role, reset)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from bot.config import load_settings
from bot.storage.database import open_database
from bot.web.accounts import AccountError, Role, StaffAccounts, role_action
from bot.web.audit import AuditLog, command_line_actor


def register(subparsers: Any) -> None:
    """Add the `staff` command group."""
    parser = subparsers.add_parser("staff", help="staff accounts for the web console")
    group = parser.add_subparsers(dest="staff_command", metavar="SUBCOMMAND", required=True)
    add = group.add_parser("add", help="add an account and print its one-time set-password link")
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=[role.value for role in Role])
    add.set_defaults(handler=run_add)
    listing = group.add_parser("list", help="one line per account: e-mail, role, state")
    listing.set_defaults(handler=run_list)
    disable = group.add_parser(
        "disable",
        help="disable an account and end its sessions",
        description="Disable an account and end its console sessions at once. Typed at a "
        "terminal, it asks first; --yes (or a script's standard input) does not.",
    )
    disable.add_argument("email")
    disable.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    disable.set_defaults(handler=run_disable)
    enable = group.add_parser("enable", help="let a disabled account sign in again")
    enable.add_argument("email")
    enable.set_defaults(handler=run_enable)
    role = group.add_parser("role", help="change an account's role")
    role.add_argument("email")
    role.add_argument("--role", required=True, choices=[role.value for role in Role])
    role.set_defaults(handler=run_role)
    reset = group.add_parser(
        "reset", help="a new one-time set-password link (also reopens a locked account)"
    )
    reset.add_argument("email")
    reset.set_defaults(handler=run_reset)


def _run(work: Callable[[StaffAccounts, AuditLog, str], Awaitable[int]]) -> int:
    settings = load_settings()

    async def main() -> int:
        database = await open_database(settings.database_url)
        try:
            return await work(
                StaffAccounts(database), AuditLog(database), settings.console.public_base_url
            )
        except AccountError as exc:
            print(f"ims-bot: {exc}", file=sys.stderr)
            return 1
        finally:
            await database.close()

    return asyncio.run(main())


def _print_link(base_url: str, email: str, token: str) -> None:
    print(f"One-time link for {email} to set a password (valid 72 hours):")
    print(f"{base_url}/set-password/{token}")


def run_add(args: argparse.Namespace) -> int:
    """Add an account."""

    async def work(accounts: StaffAccounts, audit: AuditLog, base_url: str) -> int:
        account, token = await accounts.add(args.email, Role(args.role))
        await audit.write(command_line_actor(), "staff_add", f"staff:{account.id}")
        print(f"added {account.email} ({account.role.value})")
        _print_link(base_url, account.email, token)
        return 0

    return _run(work)


def run_list(args: argparse.Namespace) -> int:
    """List accounts."""

    async def work(accounts: StaffAccounts, audit: AuditLog, base_url: str) -> int:
        found = await accounts.all()
        for account in found:
            print(f"{account.email}\t{account.role.value}\t{account.state}")
        if not found:
            print("No staff accounts yet; add one with `ims-bot staff add EMAIL --role admin`.")
        return 0

    return _run(work)


def run_disable(args: argparse.Namespace) -> int:
    """Disable an account."""

    if not args.yes and sys.stdin.isatty():
        # The console's Disable asks on a page naming the account; so does the terminal.
        print(
            f"Disable {args.email}? They can no longer sign in and their console sessions "
            "end at once (`ims-bot staff enable` undoes it). Type yes to disable: ",
            end="",
            flush=True,
        )
        if sys.stdin.readline().strip().casefold() not in ("yes", "y"):
            print("Nothing was changed.")
            return 1

    async def work(accounts: StaffAccounts, audit: AuditLog, base_url: str) -> int:
        account = await accounts.disable(args.email)
        await audit.write(command_line_actor(), "staff_disable", f"staff:{account.id}")
        print(f"disabled {account.email}; its sessions have ended")
        return 0

    return _run(work)


def run_enable(args: argparse.Namespace) -> int:
    """Enable a disabled account."""

    async def work(accounts: StaffAccounts, audit: AuditLog, base_url: str) -> int:
        account = await accounts.enable(args.email)
        await audit.write(command_line_actor(), "staff_enable", f"staff:{account.id}")
        print(f"enabled {account.email} ({account.state}); `ims-bot staff reset` gives a new link")
        return 0

    return _run(work)


def run_role(args: argparse.Namespace) -> int:
    """Change an account's role."""

    async def work(accounts: StaffAccounts, audit: AuditLog, base_url: str) -> int:
        account = await accounts.set_role(args.email, Role(args.role))
        await audit.write(command_line_actor(), role_action(account.role), f"staff:{account.id}")
        print(f"{account.email} is now {account.role.value}")
        return 0

    return _run(work)


def run_reset(args: argparse.Namespace) -> int:
    """A new set-password link."""

    async def work(accounts: StaffAccounts, audit: AuditLog, base_url: str) -> int:
        account, token = await accounts.reset_link(args.email)
        await audit.write(command_line_actor(), "staff_new_link", f"staff:{account.id}")
        _print_link(base_url, account.email, token)
        return 0

    return _run(work)
