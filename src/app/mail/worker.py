"""`python -m app worker`: an outbox dispatcher in a process of its own.

For when the service runs none (APP_OUTBOX_DISPATCHER=false), or more are needed: any number
of workers and services may deliver from one database at once (app/mail/repository.py says
how they keep apart). SIGTERM or SIGINT finishes the batch under way (for
APP_SHUTDOWN_GRACE_S at most), then exits; a worker killed outright leaves its claimed emails
to be sent again once their lease runs out.
"""

import asyncio
import logging
import logging.config
import signal

from app import logs, redaction
from app.auth.account_mail import AccountMail
from app.db import migrate
from app.db.database import Database
from app.mail.dispatcher import Dispatcher
from app.settings import Settings

log = logging.getLogger("app.mail")


async def run(settings: Settings, stop: asyncio.Event) -> None:
    """Deliver until `stop` is set."""
    database = Database.from_settings(settings)
    try:
        if settings.auto_migrate:
            await migrate.upgrade(database)
        mail = AccountMail.from_settings(settings)
        dispatcher = Dispatcher.from_settings(settings, database, mail.prepare)
        dispatcher.start()
        log.info("outbox worker delivering (every %.1f s at least)", settings.outbox_poll_s)
        await stop.wait()
        log.info("outbox worker stopping")
        await dispatcher.stop(settings.shutdown_grace_s)
    finally:
        await database.dispose()


async def _main(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for handled in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(handled, stop.set)
    await run(settings, stop)


def main() -> int:
    settings = Settings()
    logging.config.dictConfig(logs.config(settings.log_format, settings.log_level))
    redaction.install(
        [
            settings.secret_key.get_secret_value(),
            settings.first_superuser_password.get_secret_value(),
            settings.smtp_password,
        ]
    )
    asyncio.run(_main(settings))
    return 0
