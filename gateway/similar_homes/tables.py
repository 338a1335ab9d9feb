"""The similar-home groups of each month: their size and cut points, never a home's figure."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gateway.core.store.base import Base


class SimilarHomeGroupRow(Base):
    """One group (weather station and rate class) in one calendar month.

    `cut_points` is a JSON array of the 1st to the 99th percentile of the group's kWh
    per day, or null for a group under the minimum size: only its size is kept then.
    """

    __tablename__ = "similar_home_groups"

    station_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    rate_class: Mapped[str] = mapped_column(String(32), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # its first day
    homes: Mapped[int] = mapped_column(Integer)
    cut_points: Mapped[str | None] = mapped_column(Text)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
