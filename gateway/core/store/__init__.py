"""The gateway's own database: its engine, tables, migrations and units of work."""
