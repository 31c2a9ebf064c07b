"""Benchmarks of lxera-pipeline against outbox floors, Procrastinate and PgQueuer (see README)."""
