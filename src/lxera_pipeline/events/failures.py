"""What a failure tells the tenant: a short, safe message for the entity's error column.

Tenant-visible error columns (``error_message``, ``error_details``) never receive raw exception
text, file contents or tracebacks: those stay in the pipeline's dead letter
(``pipeline.deliveries.last_error`` and the audit). An exception whose text is written for tenants
derives from :class:`TenantVisibleError`; every other exception is summarised by its type only.
"""

from __future__ import annotations

TENANT_MESSAGE_LIMIT = 300


class TenantVisibleError(Exception):
    """An error whose message is safe to show the tenant (it names what was wrong and nothing
    read from files, the host or other companies)."""


def tenant_message(exc: BaseException, *, stage: str | None = None) -> str:
    """The short message recorded on the failed entity for ``exc``."""
    if isinstance(exc, TenantVisibleError):
        text = " ".join(str(exc).split()) or type(exc).__name__
    else:
        name = type(exc).__name__
        text = f"internal error ({name}); the details are in the pipeline's dead letter"
    if stage:
        text = f"{stage}: {text}"
    if len(text) > TENANT_MESSAGE_LIMIT:
        text = text[: TENANT_MESSAGE_LIMIT - 1] + "…"
    return text
