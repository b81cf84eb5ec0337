"""What `python -m app serve` says once it is up: one block a newcomer can act on.

The URL and the docs, the database, where the signing key comes from, and how to get a first
superuser, without reading the settings. It is logged once (by the first worker with
`--workers N`), after the app has started: migrated, and the first superuser created if the
settings name one. It names no secret, no database password and no email (README "Errors").
"""

from sqlalchemy.engine import make_url

from app.settings import SECRET_FILE, Settings, env_name

DOCS = (("/docs", "Swagger UI"), ("/redoc", "ReDoc"))
CONTRACT = "/openapi.json"
# A server listening on every interface is reached from this machine through the loopback.
ALL_INTERFACES = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}  # noqa: S104


def base_url(host: str, port: int) -> str:
    """The URL a browser on this machine opens for a server listening on `host`:`port`."""
    shown = ALL_INTERFACES.get(host, host)
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def database(settings: Settings) -> str:
    """The database URL, its password hidden."""
    return make_url(settings.database_url).render_as_string(hide_password=True)


def secret_source(settings: Settings) -> str:
    """Where the signing key comes from: the development key's file, or APP_SECRET_KEY."""
    path = settings.var_dir / SECRET_FILE
    stored = path.read_text().strip() if path.is_file() else None
    if stored == settings.secret_key.get_secret_value():
        return f"{path}, made for development; in production set {env_name('secret_key')}"
    return env_name("secret_key")


def superuser(settings: Settings) -> str:
    email, password = env_name("first_superuser_email"), env_name("first_superuser_password")
    if settings.first_superuser_email:
        return f"{email}, created at start-up if missing; its password is {password}"
    return f"none: set {email} and {password} (environment or .env), then restart"


def banner(settings: Settings, url: str, listening: str | None = None) -> str:
    """The block, for a service at `url`; `listening`, when the address bound is not `url`'s."""
    rows = [
        ("docs", ", ".join(f"{url}{path} ({what})" for path, what in DOCS)),
        ("contract", f"{url}{CONTRACT}"),
        ("database", database(settings)),
        ("signing key", secret_source(settings)),
        ("superuser", superuser(settings)),
        ("first calls", 'README "Using the API": register, sign in, create, list, update'),
    ]
    where = f" (listening on {listening})" if listening else ""
    lines = [f"The service is up at {url}{where}"]
    lines += [f"  {name:<12}{value}" for name, value in rows]
    return "\n".join(lines)
