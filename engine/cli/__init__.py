"""`python -m engine`: a thin shell over the wings; named errors become one-line messages here."""


def user_app():
    """The engine for the user's home (TUNESCOPE_HOME), through its one way in (engine.pipeline.facade):
    its store's prediction cache makes a re-run instant."""
    from engine.pipeline.facade import Tunescope

    return Tunescope()


def add_online_flags(parser) -> None:
    """--online / --offline: the listener's choice about fetching real values, remembered under TUNESCOPE_HOME."""
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--online", action="store_true", default=None,
                        help="fetch real audio features from ReccoBeats for tracks with a Spotify id (sends Spotify "
                             "track ids, nothing else); remembered for later runs until --offline")
    choice.add_argument("--offline", dest="online", action="store_false", help="never send anything (the default)")


def online_allowed(args, log) -> bool:
    """Remember an explicit choice; otherwise the one remembered (off until the user turns it on)."""
    from engine.library.providers import consent

    if args.online is not None:
        consent.remember(args.online)
        log("online lookups " + ("on: Spotify track ids, nothing else, go to ReccoBeats" if args.online else "off"))
    return consent.allowed()


def online_note(report, log) -> None:
    log(f"ReccoBeats: {report.found} tracks found, {report.missing} unknown to it, {report.cached} already known, "
        f"{report.requests} requests" + (f". {report.note}" if report.note else ""))


def add_config_flags(parser, name: str) -> None:
    """--config and --set: training reads configs/<name>.toml and applies overrides (engine.training_config)."""
    parser.add_argument("--config", default=None, help=f"training config file (default: configs/{name}.toml)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override one config value for this run, e.g. --set lr=3e-4 or --set model.dropout=0.2 "
                             "(repeatable; unknown keys and wrong types are refused)")


def training_config(args, name: str, schema, shortcuts: dict | None = None):
    """The applied config: the file, then the shortcut flags that were given (e.g. --seed), then --set."""
    from engine.training_config import load

    given = [f"{key}={value}" for key, value in (shortcuts or {}).items() if value is not None]
    return load(name, schema, given + list(args.overrides), args.config)
