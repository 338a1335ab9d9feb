"""The notification tables: contacts, consent to texts, preferences, time zones and the
delivery log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gateway.core.store.base import Base


class ContactRow(Base):
    """An email address or a text number a login may be notified at, once activated.

    The activation code is never stored: only its hash, with the serial of the code
    (each new code gets the next one, and the message carrying it is named by it).
    """

    __tablename__ = "notification_contacts"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "value", name="uq_notification_contacts_value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # email | sms
    value: Mapped[str] = mapped_column(String(320))  # a lower-case address, or E.164
    is_login: Mapped[bool] = mapped_column(Boolean)  # the login's own confirmed address
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    code_hash: Mapped[str | None] = mapped_column(String(64))
    code_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    code_serial: Mapped[int] = mapped_column(Integer)


class SmsConsentRow(Base):
    """One change of a number's consent to texts: who, when, how, from where, and the
    words shown or received. Rows are only ever added: the log is the record."""

    __tablename__ = "sms_consent_log"
    __table_args__ = (
        Index("ix_sms_consent_log_phone", "phone", "id"),
        Index("ix_sms_consent_log_user", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    phone: Mapped[str] = mapped_column(String(16))  # E.164
    # The login that gave or withdrew it; None when the phone itself texted.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    change: Mapped[str] = mapped_column(String(16))  # granted | revoked
    method: Mapped[str] = mapped_column(String(32))  # how: contact_activation, text_keyword, ...
    source: Mapped[str] = mapped_column(String(200))  # from where: a request id, a message id
    actor: Mapped[str] = mapped_column(String(64))  # who: "user:12" or the phone
    wording: Mapped[str] = mapped_column(Text)  # shown to the member, or the text they sent
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SmsOptOutRow(Base):
    """A number that texted STOP (or the like): nothing is texted to it until it texts
    START, whichever login's contact it is. Kept apart from the log so that the check
    before every text is one key lookup."""

    __tablename__ = "sms_opt_outs"

    phone: Mapped[str] = mapped_column(String(16), primary_key=True)
    opted_out_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SmsInboundRow(Base):
    """A member's text the provider delivered, kept by its id: a replayed or redelivered
    callback finds it and changes nothing."""

    __tablename__ = "sms_inbound_messages"

    message_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    phone: Mapped[str] = mapped_column(String(16))
    keyword: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PreferenceRow(Base):
    """A login's choice for one notification type on one account; no row: the defaults."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        UniqueConstraint(
            "user_id", "account_number", "type", name="uq_notification_preferences_type"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    account_number: Mapped[str] = mapped_column(String(32))
    type: Mapped[str] = mapped_column(String(32))
    enabled: Mapped[bool] = mapped_column(Boolean)
    settings: Mapped[str] = mapped_column(Text)  # JSON: the type's own settings
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PreferenceContactRow(Base):
    """A contact a preference sends to; removing the contact removes it from every one."""

    __tablename__ = "notification_preference_contacts"

    preference_id: Mapped[int] = mapped_column(
        ForeignKey("notification_preferences.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("notification_contacts.id", ondelete="CASCADE"), primary_key=True
    )


class DeliveryRow(Base):
    """One notification to one contact, from queued to its end, kept by its dedupe key:
    the same news for the same contact is one row however often it is detected."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_notification_deliveries_dedupe_key"),
        Index("ix_notification_deliveries_user", "user_id", "id"),
        Index("ix_notification_deliveries_provider_message", "provider_message_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The contact may be removed later; the log keeps where it went (`recipient`).
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("notification_contacts.id", ondelete="SET NULL")
    )
    channel: Mapped[str] = mapped_column(String(8))  # email | sms
    recipient: Mapped[str] = mapped_column(String(320))
    type: Mapped[str] = mapped_column(String(32))  # a notification type, or "test"
    account_number: Mapped[str | None] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # queued|sent|delivered|failed|suppressed
    reason: Mapped[str | None] = mapped_column(String(32))  # why suppressed, deferred, failed
    provider_message_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TimeZoneRow(Base):
    """The time zone a login chose for its quiet hours; no row: the co-op's."""

    __tablename__ = "notification_time_zones"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    time_zone: Mapped[str] = mapped_column(String(64))  # an IANA name: "America/Denver"
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
