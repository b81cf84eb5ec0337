"""What builds each generated router's implementation: one provider per OpenAPI tag.

Built once per app by `create_app` around the app's own resources (no globals); each provider
is called once, as the routes are built, and its service serves every request (it keeps no
request's state). `Providers` subclasses `contract.api.ServiceProviders`, so a tag without a
provider is a mypy error wherever `Providers` is built.
"""

from limits.aio.storage import Storage

from app.auth.account_mail import AccountMail
from app.auth.guesses import WrongPasswords
from app.auth.mail_limits import MailsPerAccount
from app.auth.passwords import Passwords
from app.auth.principal import Authenticator, Principal
from app.auth.service import AuthService
from app.auth.tokens import Tokens
from app.db.database import Database
from app.draining import Drain
from app.health.service import HealthService
from app.items.service import ItemsService
from app.mail.dispatcher import Dispatcher
from app.metrics.registry import Metrics
from app.metrics.service import MetricsService
from app.posts.service import PostsService
from app.settings import Settings
from app.users.service import UsersService
from contract.api import ServiceProviders


class Providers(ServiceProviders[Principal]):
    """One provider per OpenAPI tag; `contract.api.build_routers` routes each tag to its own."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        rate_limits: Storage,
        drain: Drain | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.database = database
        self.drain = drain or Drain()
        self._metrics = metrics  # `metrics` is the tag's provider
        self.passwords = Passwords(settings, None if metrics is None else metrics.hash_queue)
        self.guesses = WrongPasswords(
            rate_limits,
            settings.login_failures_per_account,
            settings.secret_key.get_secret_value(),
            enabled=settings.rate_limit_enabled,
            refusals=None if metrics is None else metrics.rate_limited("account"),
        )
        self.tokens = Tokens(settings)
        self.authenticator = Authenticator(database, self.tokens)
        self.account_mail = AccountMail.from_settings(settings)
        self.account_mail.limit = MailsPerAccount(
            rate_limits,
            settings.mails_per_account,
            settings.secret_key.get_secret_value(),
            enabled=settings.rate_limit_enabled,
            refusals=None if metrics is None else metrics.rate_limited("account"),
        )
        # This process's dispatcher; the lifespan runs it when APP_OUTBOX_DISPATCHER is true.
        self.dispatcher = Dispatcher.from_settings(settings, database, self.account_mail.prepare)
        if settings.outbox_dispatcher:
            self.account_mail.wake = self.dispatcher.wake

    def health(self) -> HealthService:
        return HealthService(self.database, self.drain)

    def auth(self) -> AuthService:
        return AuthService(
            self.database, self.passwords, self.tokens, self.guesses, self.account_mail
        )

    def users(self) -> UsersService:
        return UsersService(self.database, self.passwords, self.guesses, self.account_mail)

    def items(self) -> ItemsService:
        return ItemsService(self.database)

    def metrics(self) -> MetricsService:
        return MetricsService(self._metrics)

    def posts(self) -> PostsService:
        return PostsService(self.database)
