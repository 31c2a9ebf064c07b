"""The short, tenant-safe message an entity's error column receives."""

from __future__ import annotations

from lxera_pipeline.events.failures import TENANT_MESSAGE_LIMIT, TenantVisibleError, tenant_message
from lxera_pipeline.generators.media.errors import MissingExtraError


def test_raw_exception_text_never_reaches_the_tenant() -> None:
    secret = "DATABASE_URL=postgresql://app:hunter2@db/prod"
    message = tenant_message(ValueError(secret), stage="audio_generation")
    assert "hunter2" not in message
    assert message == (
        "audio_generation: internal error (ValueError); "
        "the details are in the pipeline's dead letter"
    )


def test_tenant_visible_errors_keep_their_text_on_one_short_line() -> None:
    message = tenant_message(TenantVisibleError("plan has\n 300 modules;\tthe limit is 200"))
    assert message == "plan has 300 modules; the limit is 200"
    long = tenant_message(TenantVisibleError("x" * 5000), stage="s")
    assert len(long) == TENANT_MESSAGE_LIMIT
    assert long.endswith("…")


def test_a_missing_extra_is_named_to_the_tenant() -> None:
    message = tenant_message(MissingExtraError("espeakng_loader", "speech", "narration"))
    assert "pip install 'lxera-pipeline[speech]'" in message
