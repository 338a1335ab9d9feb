"""What every domain builds on: the clock, the unit of work and the outbox."""
