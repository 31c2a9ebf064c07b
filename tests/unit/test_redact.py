"""Masking secret values: DSNs shown with password=***, secrets removed from messages."""

from __future__ import annotations

from lxera_pipeline.redact import SecretDsn, mask_dsn, redact, secret_values


def test_a_dsn_shows_its_password_masked() -> None:
    dsn = SecretDsn("postgresql://lxera:s3cret-value@db:5432/app")
    assert "s3cret-value" not in f"{dsn} {dsn!r}"
    assert "password=***" in str(dsn)
    assert "host=db" in str(dsn)
    assert mask_dsn("not a dsn ===") == "<unparseable dsn>"


def test_secret_values_include_the_dsn_password() -> None:
    values = secret_values("postgresql://u:pw-long-123@h/db", None, "")
    assert values == ["postgresql://u:pw-long-123@h/db", "pw-long-123"]


def test_redact_masks_long_values_anywhere_and_short_ones_only_standing_alone() -> None:
    assert redact('bad port "sk-0123456789"x', ["sk-0123456789"]) == 'bad port "***"x'
    message = 'connection to server at "127.0.0.1", port 1 failed for u:p@h'
    assert (
        redact(message, ["p"]) == 'connection to server at "127.0.0.1", port 1 failed for u:***@h'
    )
