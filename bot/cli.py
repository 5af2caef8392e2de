"""The ``gridline`` command line. Settings are read from the environment here, once."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import logs, nlp_cli, org_cli
from bot.settings import Settings, SettingsError, load_settings

DESCRIPTION = """gridline — the citizen channel for grid governance (网格化管理).

Configuration comes from GRIDLINE_* environment variables (see README).
With no configuration, gridline runs in sandbox mode on an SQLite file under ./var/."""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gridline", description=DESCRIPTION,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = sub.add_parser("serve", help="apply migrations, load the demo city if empty (sandbox), serve HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    serve.add_argument("--workers", type=int, default=1,
                       help="processes sharing the port (SO_REUSEPORT); more than 1 needs GRIDLINE_REDIS_URL")
    serve.add_argument("--no-sender", action="store_true",
                       help="do not deliver outbound messages in this process (run 'gridline sender' instead)")
    sender = sub.add_parser("sender", help="deliver outbound messages (the outbox relay and a sender) until stopped")
    sender.add_argument("--consumer", default=None, help="this sender's name in the queue (default host-pid)")
    sender.add_argument("--lease", type=float, default=None, metavar="SECONDS",
                        help="how long a claimed message is this sender's alone (default 60)")
    sub.add_parser("migrate", help="apply pending database migrations")
    demo = sub.add_parser("demo", help="load or reload the demo city (Shenzhen 大鹏新区) and its demo staff")
    demo.add_argument("--history", type=int, default=0, metavar="N",
                      help="also write N demo cases over the past year (closed, rated, reopened, overdue…)")
    user = sub.add_parser("user", help="manage staff users").add_subparsers(dest="user_command", required=True)
    add = user.add_parser("add", help="create a user and print its API token (shown once)")
    add.add_argument("--role", required=True, choices=["admin", "dispatcher", "worker", "supervisor"])
    add.add_argument("--name", required=True)
    add.add_argument("--grid", action="append", default=[], metavar="CODE",
                     help="a grid code the user answers for (repeatable)")
    org_cli.register_user(user)
    password = user.add_parser("password", help="set a user's console password (read from stdin or asked)")
    password.add_argument("--user", type=int, required=True, help="the user id")
    wechat = sub.add_parser("wechat", help="official-account tools").add_subparsers(dest="wechat_command",
                                                                                 required=True)
    wechat.add_parser("menu", help="print the custom menu JSON; create it through the API when "
                                   "GRIDLINE_WECHAT_APPID and GRIDLINE_WECHAT_SECRET are set")
    apikey = sub.add_parser("apikey", help="Open311 client systems").add_subparsers(dest="apikey_command",
                                                                                    required=True)
    key_add = apikey.add_parser("add", help="register a client system and print its API key (shown once)")
    key_add.add_argument("--name", required=True, help="the client system's name (becomes its channel)")
    key_add.add_argument("--scope", choices=("public", "private"), default="public",
                         help="private: may read residents' text and exact places (default public)")
    key_add.add_argument("--channels", default=None,
                         help="comma-separated channels whose cases it may read (default: all)")
    audit = sub.add_parser("audit", help="audit tools").add_subparsers(dest="audit_command", required=True)
    verify = audit.add_parser("verify", help="check every case's hash chain; exit 1 at the first broken link")
    verify.add_argument("--witness", type=Path, default=None,
                        help="the checkpoints' witness file (default: GRIDLINE_AUDIT_WITNESS_FILE)")
    nlp_cli.register(sub)
    org_cli.register(sub)
    from bot.alerts import replay_cli
    from bot.worker import link_cli

    link_cli.register(sub)
    from bot import sessions_cli

    sessions_cli.register(sub)

    replay_cli.register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "nlp":  # files in, files out: needs no settings, database or network
        return nlp_cli.run(args)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"gridline: configuration error: {exc}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level)
    if args.command == "sender":
        from bot import sender as standalone

        return asyncio.run(standalone.run(settings, args.consumer, args.lease))
    if args.command == "serve":
        if args.no_sender:
            settings = settings.with_changes(sender_in_process=False)
        return _serve(settings, args.host, args.port, args.workers)
    from bot import commands

    if args.command == "demo":
        return asyncio.run(commands.demo(settings, args.history))
    if args.command == "migrate":
        return asyncio.run(commands.migrate(settings))
    if args.command == "apikey":
        from bot.open311.keys import ApiKeyError, apikey_add

        try:
            channels = [c.strip() for c in args.channels.split(",") if c.strip()] if args.channels is not None else None
            asyncio.run(apikey_add(settings.database_url, args.name, args.scope == "private", channels))
        except ApiKeyError as exc:
            print(f"gridline: {exc}", file=sys.stderr)
            return 2
        return 0
    if args.command == "alerts":
        from bot.alerts import replay_cli

        return asyncio.run(replay_cli.run(settings, args))
    if args.command in ("department", "setup"):
        return asyncio.run(org_cli.run(settings, args))
    if args.command == "wechat":
        return asyncio.run(commands.wechat_menu(settings))
    if args.command == "sessions":
        from bot import sessions_cli

        return asyncio.run(sessions_cli.run(settings, args))
    if args.command == "worker":
        from bot.worker import link_cli

        return asyncio.run(link_cli.run(settings, args))
    if args.command == "user" and args.user_command == "password":
        from bot.console import password_cli

        return asyncio.run(password_cli.run(settings, args.user))
    if args.command == "user" and args.user_command != "add":
        return asyncio.run(org_cli.run(settings, args))
    if args.command == "user":
        return asyncio.run(commands.user_add(settings, args.role, args.name, args.grid))
    return asyncio.run(commands.audit_verify(settings, args.witness))


def _serve(settings: Settings, host: str, port: int, workers: int = 1) -> int:
    from bot import runner
    from bot import workers as pool
    from bot.app import create_app
    from bot.composition import prepare_database
    from bot.default_model import BuildDefault

    try:
        pool.check(settings, workers)
    except pool.WorkersRefused as exc:
        print(f"gridline: {exc}", file=sys.stderr)
        return 2
    Path("var").mkdir(exist_ok=True)
    asyncio.run(prepare_database(settings))  # once, before the workers race for it
    if workers > 1:
        return pool.run(settings, host, port, workers)
    build = BuildDefault() if settings.nlp_build_default else None
    runner.run(create_app(settings, build_default=build, load_later=True), host, port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
