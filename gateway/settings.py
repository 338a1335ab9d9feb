"""The gateway's configuration: read once from the environment, then passed in.

Nothing else in the gateway or the adapters reads the environment. Secrets are
`SecretStr`, so they print as ``**********`` in reprs, logs and tracebacks.
"""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.payments.port import MethodKind
from adapters.rules.email import is_email_address, mailbox_address
from adapters.rules.numbers import parse_natural
from adapters.rules.phone import parse_phone

# HS256 keys shorter than the hash output weaken the signature (RFC 7518 section 3.2).
MIN_JWT_SECRET_LENGTH = 32
REDIS_URL_SCHEMES = frozenset({"redis", "rediss", "unix"})
DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/gateway.db"


class StoreSettings(BaseSettings):
    """Only the gateway's own database: for operators' commands such as `create-staff`,
    which must not need the API's secrets (the token signing key) to run."""

    model_config = SettingsConfigDict(env_prefix="COOP_", frozen=True, extra="ignore")

    database_url: str = Field(default=DEFAULT_DATABASE_URL, repr=False)


class SharedRedisSettings(BaseSettings):
    """Where the shared Redis is, if anywhere: read on its own by `serve`, which decides
    what its worker processes may keep of their own before any of them reads the app's
    settings; the app's settings extend it."""

    # hide_input_in_errors: a rejected secret must not be echoed in the validation error.
    model_config = SettingsConfigDict(
        env_prefix="COOP_", frozen=True, extra="ignore", hide_input_in_errors=True
    )

    # The shared cache: Redis when a URL is set (COOP_REDIS_URL, or the conventional
    # REDIS_URL), an in-process cache otherwise. The URL may hold a password.
    redis_url: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("COOP_REDIS_URL", "REDIS_URL")
    )

    @field_validator("redis_url", mode="before")
    @classmethod
    def _blank_redis_url_is_none(cls, value: object) -> object:
        # REDIS_URL= (set but empty) means "no Redis", as an unset variable does.
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        # The message names the schemes, never the URL (it may carry a password).
        if value is not None:
            scheme = urlsplit(value.get_secret_value()).scheme.lower()
            if scheme not in REDIS_URL_SCHEMES:
                raise ValueError("the Redis URL must start with redis://, rediss:// or unix://")
        return value


class GatewaySettings(SharedRedisSettings):
    # hide_input_in_errors: a rejected secret must not be echoed in the validation error.
    # populate_by_name: fields read from an alias (REDIS_URL) still take keyword arguments.
    model_config = SettingsConfigDict(
        env_prefix="COOP_",
        frozen=True,
        extra="ignore",
        hide_input_in_errors=True,
        populate_by_name=True,
    )

    cis_url: str = "http://127.0.0.1:8101/CB_Server"
    cis_user: SecretStr = SecretStr("coop-gateway")
    cis_password: SecretStr = SecretStr("")
    # Seconds one CIS call may take (timeouts, breakers and the request deadline are
    # explained in `gateway.core.resilience` and in README.md). 3 s: a staff list fans
    # out ~400 CIS calls at once, which queue for about a second at the benchmark's
    # 40 ms per call; three times that is a hung CIS, not a busy one.
    cis_timeout_s: float = Field(default=3.0, gt=0)
    oms_url: str = "http://127.0.0.1:8102/OA_Server"
    oms_user: SecretStr = SecretStr("coop-gateway")
    oms_password: SecretStr = SecretStr("")
    # An OMS call is one per service location (30 ms at the benchmark): 2 s is ample.
    oms_timeout_s: float = Field(default=2.0, gt=0)
    # The payment processor (`adapters.payments.http`): its base URL (without /v1) and
    # the secret key. Unset: payments are not set up, and `payBill` accepts none.
    payments_url: str | None = None
    payments_secret_key: SecretStr | None = None
    # Seconds one processor call may take. Longer than a CIS read: a card network's
    # answer can take seconds, and a call cut short is one whose outcome is unknown.
    payments_timeout_s: float = Field(default=10.0, gt=0)
    # The processor signs its webhooks (POST /webhooks/payments) with this secret
    # (whsec_...). Unset: the route refuses every event, as it cannot check one.
    payments_webhook_secret: SecretStr | None = None
    # The SMS provider (`adapters.sms.http`): its base URL (without /v1), the account
    # id and auth token of its basic auth, and the co-op's number texts come from (E.164).
    # Unset: texts are not set up; nothing is ever texted and text contacts wait.
    sms_url: str | None = None
    sms_account_sid: str | None = None
    sms_auth_token: SecretStr | None = None
    sms_from_number: str | None = None
    # The provider signs status callbacks and members' texts to the gateway with this
    # (`adapters.sms.signature`); unset, with the auth token, as the common providers do.
    sms_callback_secret: SecretStr | None = None
    # Seconds one provider call may take; a send cut short is settled by its key.
    sms_timeout_s: float = Field(default=10.0, gt=0)
    # Texts and notification emails name the co-op as its documents do (`coop_name`,
    # `coop_phone`: a HELP reply says how to reach it; `coop_address`: at the foot of
    # every notification email, as CAN-SPAM asks).
    # Non-urgent texts due in these hours (local time, the window may pass midnight)
    # wait for its end; outage texts go at once unless the co-op says otherwise.
    quiet_hours_start: time = time(21, 0)
    quiet_hours_end: time = time(8, 0)
    outage_texts_in_quiet_hours: bool = True
    # What one payment may be (`Account.paymentOptions`, `payBill`): below the minimum
    # a payment costs more to process than it brings; above the maximum it is more
    # often a typo (an extra digit) than a payment meant.
    payment_min_amount: Decimal = Field(default=Decimal("1.00"), gt=0, decimal_places=2)
    payment_max_amount: Decimal = Field(default=Decimal("10000.00"), gt=0, decimal_places=2)
    # The methods members may pay with, for every account: the MultiSpeak CIS does not
    # say which tenders an account takes. JSON: ["card", "bank_account"].
    payment_methods: tuple[MethodKind, ...] = Field(
        default=(MethodKind.CARD, MethodKind.BANK_ACCOUNT), min_length=1
    )
    # Convenience fees, per method: a flat amount plus a percent of the payment, added
    # to what is charged and sent to the CIS as the tender's convenience fee. None by
    # default (many co-ops absorb them).
    card_fee_flat: Decimal = Field(default=Decimal("0.00"), ge=0, decimal_places=2)
    card_fee_percent: Decimal = Field(default=Decimal("0"), ge=0, le=10)
    bank_fee_flat: Decimal = Field(default=Decimal("0.00"), ge=0, decimal_places=2)
    bank_fee_percent: Decimal = Field(default=Decimal("0"), ge=0, le=10)
    # How many days ahead `payBill(scheduledFor:)` may set a payment: a bill's cycle.
    payment_schedule_days_ahead: int = Field(default=30, ge=0, le=366)
    multispeak_app_name: str = "coop-gateway"
    multispeak_company: str = "Demo Electric Cooperative"

    # URLs of SQL databases may embed a password: keep them out of reprs.
    meters_database_url: str = Field(default="sqlite+aiosqlite:///var/meters.db", repr=False)
    database_url: str = Field(default=DEFAULT_DATABASE_URL, repr=False)
    # A meter data query: one per usage range, over a year of hourly reads at most.
    meters_timeout_s: float = Field(default=3.0, gt=0)
    # The most a GraphQL request waits for backends in all, however many calls it
    # chains: one full timeout, its retry and a later stage fit; a client's 10 s do not
    # run out first, so it gets partial data rather than nothing.
    request_deadline_s: float = Field(default=8.0, gt=0)
    # A backend's circuit breaker opens after this many failed calls in a row (timeouts,
    # refused connections; "not found" and SOAP Faults are answers and do not count),
    # refuses calls at once for the cool-down, then lets one probe call through.
    backend_failure_threshold: int = Field(default=5, ge=1)
    backend_cool_down_s: float = Field(default=5.0, gt=0)
    # A read that got no answer is retried once after a random pause of up to this.
    backend_retry_jitter_s: float = Field(default=0.1, ge=0)

    jwt_secret: SecretStr = Field(min_length=MIN_JWT_SECRET_LENGTH)
    access_token_ttl: timedelta = timedelta(minutes=15)
    # A sign-in session lasts while its refresh token is used at least this often,
    # and never longer than its maximum age, however often it is refreshed.
    refresh_token_ttl: timedelta = timedelta(days=30)
    session_max_age: timedelta = timedelta(days=90)
    # Failed sign-ins allowed within the window, per email and per client address.
    # See gateway/identity/throttle.py: the tight budget is per email *and* address, so
    # that a stranger's failures never lock the owner out from their own address.
    login_failures_per_email_and_address: int = Field(default=5, ge=1)
    login_failures_per_address: int = Field(default=20, ge=1)
    login_failures_per_email: int = Field(default=50, ge=1)
    login_throttle_window: timedelta = timedelta(minutes=15)

    time_zone: str = "America/Denver"
    # Download links (bill PDFs, Green Button data) are signed with this key. Unset:
    # with a key derived from `jwt_secret`, distinct from it (`gateway.core.signed_links`).
    document_link_secret: SecretStr | None = Field(default=None, min_length=32)
    # The co-op as its documents and notices name it: the bill's letterhead and
    # remittance address. (COOP_NAME, COOP_ADDRESS as a JSON list of lines, COOP_PHONE.)
    coop_name: str = Field(
        default="Demo Electric Cooperative", validation_alias=AliasChoices("COOP_NAME")
    )
    coop_address: tuple[str, ...] = Field(
        default=("PO Box 1000", "Estancia, NM 87016"),
        validation_alias=AliasChoices("COOP_ADDRESS"),
    )
    coop_phone: str = Field(default="(505) 555-0100", validation_alias=AliasChoices("COOP_PHONE"))
    # Bills show the account number masked (all but its last four characters) outside
    # the remittance stub, which keeps it whole so that a payment finds its account.
    documents_mask_account: bool = False
    cors_origins: tuple[str, ...] = ()
    debug: bool = False

    # GraphiQL for browsers at /graphql (`gateway.api.graphiql`): off unless
    # COOP_GRAPHIQL=true (the demo turns it on). Its page and scripts are Vite's build
    # of web/ (`make web`), read from `web_build_dir`, and never from a CDN.
    graphiql_enabled: bool = Field(default=False, validation_alias=AliasChoices("COOP_GRAPHIQL"))
    web_build_dir: Path = Path("web/dist")
    # The member portal at / and the staff console at /staff (`gateway.api.web_apps`),
    # from the same build: off unless COOP_WEB_APPS=true (the demo turns it on).
    web_apps_enabled: bool = Field(default=False, validation_alias=AliasChoices("COOP_WEB_APPS"))
    # Where the portal's page tokenizes cards and bank accounts, straight at the
    # processor (its base URL, as browsers reach it), with the processor's publishable
    # key (not a secret): the page reads both from /portal/config.json.
    payments_browser_url: str | None = None
    payments_publishable_key: str | None = None

    # Email to members (confirmation, password reset, invitations). With no SMTP host,
    # each message is written as an .eml file to `outbox_dir` instead (the demo).
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, gt=0, lt=65536)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    mail_from: str = "Demo Electric Cooperative <no-reply@example.coop>"
    outbox_dir: Path = Path("var/outbox")
    # Where members open the links in those emails (the portal), without a trailing slash.
    public_base_url: str = DEFAULT_PUBLIC_BASE_URL

    # A Redis call slower than this counts as Redis being down: the request reads from
    # the backends instead, and Redis is only probed again every few seconds.
    redis_timeout_s: float = Field(default=0.5, gt=0)
    # Both switches exist for the benchmark's baseline: with the cache off the loaders
    # go straight to the adapters; with batching off they neither batch nor deduplicate
    # within a request, so every field that needs a backend calls it.
    cache_enabled: bool = True
    batching_enabled: bool = True
    # With the cache on: seconds each process keeps decoded answers in front of the
    # shared cache (`gateway.core.cache.near`). Another worker process may answer from its
    # copy this long after a write elsewhere; 0 switches the near cache off.
    cache_near_ttl_s: float = Field(default=2.0, ge=0)
    # With the cache on: whole query answers kept per viewer and dropped when what they
    # show is written (`gateway.api.answers`); off, every request is executed.
    response_cache_enabled: bool = True
    # With the response cache on: seconds each process holds a running session's facts
    # (login, role, linked accounts) instead of reading them per request; a change to
    # them reaches every process at once through Redis (`gateway.identity.held`). 0: off.
    session_hold_s: float = Field(default=1.0, ge=0)
    # Allocations between the garbage collector's youngest passes in a server process
    # (`gateway.core.runtime`); Python's default is 700, 0 keeps it.
    gc_gen0_threshold: int = Field(default=50_000, ge=0)
    # With the cache on: seconds between polls of the CIS change feed (MultiSpeak
    # GetModifiedCustomers / GetModifiedServiceLocations), whose changes are dropped
    # from the cache before their TTL; 0 switches the polling off.
    cis_change_poll_s: float = Field(default=30.0, ge=0)
    # The worker's outbox loop (`gateway.core.outbox`): entries claimed per batch, seconds
    # between looks when nothing woke it, how long a claimed entry is its own before
    # another worker may take it back (longer than any handler runs), and the retries:
    # full-jitter backoff from base to cap, then NEEDS_ATTENTION after max attempts.
    worker_batch_size: int = Field(default=10, ge=1, le=1000)
    worker_poll_interval_s: float = Field(default=1.0, gt=0)
    worker_lease_s: float = Field(default=60.0, gt=0)
    worker_retry_base_s: float = Field(default=5.0, gt=0)
    worker_retry_cap_s: float = Field(default=900.0, gt=0)
    worker_max_attempts: int = Field(default=12, ge=1)
    # Seconds between the worker's autopay drafting runs (`gateway.payments.autopay`);
    # a bill is drafted on the first run on or after its draft day. Each run reads every
    # enrolled account's balance from the CIS: an hour keeps that light. 0: no drafting.
    autopay_draft_interval_s: float = Field(default=3600.0, ge=0)
    # Seconds between looks at the payments' events for confirmations and failure
    # notices to send (PAYMENT_CONFIRMATION, PAYMENT_FAILED); 0: none are sent.
    payment_notice_interval_s: float = Field(default=5.0, ge=0)
    # Seconds between scans of the members' accounts in the CIS for new bills, coming
    # due dates and past-due balances (0: no scan), and the most accounts a scan reads
    # a minute, so that the CIS is never flooded on billing day.
    account_notice_interval_s: float = Field(default=3600.0, ge=0)
    account_notice_per_minute: int = Field(default=120, ge=1, le=60_000)
    # Seconds between polls of the OMS's active outages for OUTAGE notices (0: none).
    outage_notice_interval_s: float = Field(default=60.0, ge=0)
    # Seconds between the worker's counts of similar homes (`gateway.similar_homes`),
    # the first at its start (0: none), and how many months that have ended it keeps
    # counted. Each count reads every account's meters and a month of daily reads.
    similar_homes_interval_s: float = Field(default=86_400.0, ge=0)
    similar_homes_months: int = Field(default=12, ge=1, le=36)
    # Names this worker in claimed entries and logs; unset: host, pid and a random part.
    worker_id: str | None = None
    # Set for several server processes (`serve --workers N`): prometheus-client reads it
    # itself, when first imported, and keeps each process's counts in files there; the
    # gateway reads those files to serve the sum at /metrics. Empty it before starting.
    prometheus_multiproc_dir: Path | None = Field(
        default=None, validation_alias=AliasChoices("PROMETHEUS_MULTIPROC_DIR")
    )

    # What one GraphQL request may ask for (`gateway.api.limits`): each is refused before
    # any resolver runs. The defaults leave room above the portal's and the staff
    # console's own documents (the dashboard, a year of hourly usage, a 100-account list).
    max_body_bytes: int = Field(default=100_000, ge=1_000)
    max_tokens: int = Field(default=10_000, ge=100)
    max_depth: int = Field(default=12, ge=2)
    max_aliases: int = Field(default=200, ge=0)
    max_cost: int = Field(default=20_000, ge=1)
    # Once execution starts: how long it may take, and how large its answer may be.
    execution_timeout_s: float = Field(default=30.0, gt=0)
    max_response_bytes: int = Field(default=5_000_000, ge=1_000)
    # Trusted documents (`gateway.api.trusted_documents`): the manifest the web apps'
    # build writes ({"<sha256 hex>": "<document>"}), read and checked at startup; with
    # it, clients may send a document's hash instead of its text. Trusted-only mode (for
    # production) lets members and anonymous callers run only those documents, without
    # introspection; staff and admins may still send any document.
    trusted_documents_path: Path | None = None
    trusted_documents_only: bool = False

    # Per-client fairness (`gateway.core.rate_limit`): token buckets, in cost units
    # (`gateway.api.cost`; every request at least 1), per login and per client address,
    # in Redis when `redis_url` is set. A bucket holds up to its capacity and refills at
    # its rate; a request that finds too little is refused (HTTP 429, Retry-After).
    # What one worker process serves, warm (docs/benchmarks.md): about 165 dashboards a
    # second at 500-800 each, or 17 years of hourly usage at 8,761 each; some 80,000 to
    # 150,000 a second in all.
    # Per login: 40,000 is two documents at `max_cost` back to back, or a whole portal
    # session at once (sign-in, the dashboard, a year of hourly usage for each of two
    # accounts, a few pages of bills: under 20,000); 5,000 a second brings a dashboard
    # back in a fraction of a second and a year of hours in under two, so a member never
    # waits. A client sending 20,000-cost documents in a loop gets two, then one every
    # 4 s: a few per cent of one process, whatever the number of its addresses.
    rate_limit_enabled: bool = True
    rate_limit_login_capacity: int = Field(default=40_000, ge=1)
    rate_limit_login_refill_per_s: float = Field(default=5_000.0, gt=0)
    # Per address: a co-op office or a carrier's NAT puts several members behind one
    # address, so four logins' worth; twenty members opening the dashboard at once
    # cost about 16,000. Anonymous requests have only this bucket, and a client with
    # many logins at one address is held to it.
    rate_limit_address_capacity: int = Field(default=160_000, ge=1)
    rate_limit_address_refill_per_s: float = Field(default=20_000.0, gt=0)

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @field_validator(
        "access_token_ttl",
        "refresh_token_ttl",
        "session_max_age",
        "login_throttle_window",
        mode="before",
    )
    @classmethod
    def _seconds_or_iso_duration(cls, value: object) -> object:
        # COOP_ACCESS_TOKEN_TTL=900 reads as seconds; "PT15M" still works.
        seconds = parse_natural(value.strip()) if isinstance(value, str) else None
        return value if seconds is None else timedelta(seconds=seconds)

    @field_validator("access_token_ttl")
    @classmethod
    def _positive_ttl(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("the access token lifetime must be positive")
        return value

    @field_validator("refresh_token_ttl", "session_max_age", "login_throttle_window")
    @classmethod
    def _positive_duration(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("the duration must be positive")
        return value

    @field_validator(
        "smtp_host",
        "smtp_user",
        "trusted_documents_path",
        "payments_url",
        "sms_url",
        "sms_account_sid",
        "sms_from_number",
        mode="before",
    )
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        # COOP_SMTP_HOST= (set but empty) means "no SMTP", as an unset variable does.
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("mail_from")
    @classmethod
    def _mail_from_has_an_address(cls, value: str) -> str:
        if not is_email_address(mailbox_address(value)):
            raise ValueError("mail_from must be an address, or 'Name <local@domain.tld>'")
        return value

    @field_validator("public_base_url")
    @classmethod
    def _http_base_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query:
            raise ValueError("public_base_url must be an http(s) URL without a query")
        return value.strip().rstrip("/")

    @model_validator(mode="after")
    def _smtp_login_is_complete(self) -> GatewaySettings:
        if (self.smtp_user is None) != (self.smtp_password is None):
            raise ValueError("set both smtp_user and smtp_password, or neither")
        return self

    @model_validator(mode="after")
    def _payment_bounds_in_order(self) -> GatewaySettings:
        if self.payment_min_amount > self.payment_max_amount:
            raise ValueError("payment_min_amount must be at most payment_max_amount")
        return self

    @model_validator(mode="after")
    def _payments_have_a_key(self) -> GatewaySettings:
        if self.payments_url is not None and self.payments_secret_key is None:
            raise ValueError("payments_url needs payments_secret_key (the processor's sk_...)")
        return self

    @model_validator(mode="after")
    def _sms_is_complete(self) -> GatewaySettings:
        # The message names the settings, never their values (the token is a secret).
        if self.sms_url is not None and (
            self.sms_account_sid is None
            or self.sms_auth_token is None
            or self.sms_from_number is None
        ):
            raise ValueError("sms_url needs sms_account_sid, sms_auth_token and sms_from_number")
        if self.sms_from_number is not None:
            phone = parse_phone(self.sms_from_number)
            if phone is None or phone.e164 != self.sms_from_number:
                raise ValueError("sms_from_number must be a North American number in E.164")
        return self

    @property
    def sms_signing_secret(self) -> SecretStr | None:
        """What signs the provider's callbacks: its own secret, else the auth token."""
        return self.sms_callback_secret or self.sms_auth_token

    @model_validator(mode="after")
    def _trusted_only_has_a_manifest(self) -> GatewaySettings:
        if self.trusted_documents_only and self.trusted_documents_path is None:
            raise ValueError(
                "trusted_documents_only needs trusted_documents_path (the manifest to trust)"
            )
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)
