"""Reading a posted form: urlencoded only, with a size limit and a clear 4xx for anything else."""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.exceptions import HTTPException
from starlette.requests import Request

MAX_FORM_BYTES = 16 * 1024


async def read_form(request: Request) -> dict[str, list[str]]:
    """An urlencoded form body, at most 16 KiB; anything else is a clear 4xx."""
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    if kind != "application/x-www-form-urlencoded":
        raise HTTPException(415, "send the form as application/x-www-form-urlencoded")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise HTTPException(413, f"form too large (at most {MAX_FORM_BYTES} bytes)")
    try:
        return parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=300)
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(400, "the form could not be read") from None
