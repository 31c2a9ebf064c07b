"""Minimal client for an OpenAI-compatible `POST {base_url}/chat/completions` in JSON mode.

`base_url` is the API root including its version, as for the OpenAI SDK, e.g.
`https://api.openai.com/v1` or `http://127.0.0.1:8000/v1`.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from lxera_pipeline.log import get_logger
from lxera_pipeline.redact import plain

if TYPE_CHECKING:
    import httpx

log = get_logger(__name__)

EXCERPT_CHARS = 300


class LLMError(Exception):
    """Base class of every chat adapter error."""


class LLMConnectionError(LLMError):
    """The endpoint could not be reached or did not answer in time."""


class LLMHTTPError(LLMError):
    """The endpoint answered with a non-2xx status."""

    def __init__(self, url: str, status_code: int, body: str) -> None:
        self.status_code = status_code
        self.body_excerpt = body[:EXCERPT_CHARS]
        super().__init__(f"POST {url} returned HTTP {status_code}: {self.body_excerpt}")


class LLMResponseError(LLMError, ValueError):
    """The answer was not a chat completion holding the expected JSON object."""


def excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…"


def message_content(url: str, payload: Any) -> str:
    """The first choice's message content of a chat completion response body."""
    try:
        content = payload["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise LLMResponseError(
            f"{url} answered without choices[0].message.content: {excerpt(json.dumps(payload))}"
        ) from None
    if not isinstance(content, str):
        raise LLMResponseError(f"{url} answered with non-text content: {excerpt(repr(content))}")
    return content


def parse_object(url: str, content: str) -> dict[str, Any]:
    try:
        value = json.loads(content)
    except json.JSONDecodeError as exc:
        raise LLMResponseError(
            f"{url} answered with invalid JSON ({exc}): {excerpt(content)}"
        ) from None
    if not isinstance(value, dict):
        raise LLMResponseError(
            f"{url} answered with JSON that is not an object: {excerpt(content)}"
        )
    return value


class ChatClient:
    """Sends one system and one user message and returns the JSON object the model answers."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: SecretStr | str | None = None,
        timeout: float = 120.0,
    ) -> None:
        if not base_url.strip():
            raise ValueError("llm base_url must not be empty")
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.api_key = SecretStr(api_key) if isinstance(api_key, str) else api_key
        self.timeout = timeout

    def headers(self) -> dict[str, str]:
        key = plain(self.api_key)
        auth = {"Authorization": f"Bearer {key}"} if key else {}
        return {"Content-Type": "application/json", **auth}

    def body(self, system: str, user: str) -> dict[str, Any]:
        return {
            "model": self.model,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
            "response_format": {"type": "json_object"},
            "temperature": 0.2,
        }

    async def complete_json(self, system: str, user: str, task: str) -> dict[str, Any]:
        started = time.monotonic()
        response = await self._post(self.body(system, user))
        if response.status_code // 100 != 2:
            raise LLMHTTPError(self.url, response.status_code, response.text)
        try:
            payload = response.json()
        except ValueError:
            raise LLMResponseError(
                f"{self.url} answered with non-JSON: {excerpt(response.text)}"
            ) from None
        elapsed = round(time.monotonic() - started, 3)
        log.info("llm.completed", task=task, model=self.model, seconds=elapsed)
        return parse_object(self.url, message_content(self.url, payload))

    async def _post(self, body: dict[str, Any]) -> httpx.Response:
        import httpx  # loaded on the first request, not with the daemon

        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                return await client.post(self.url, json=body, headers=self.headers())
        except httpx.TimeoutException as exc:
            raise LLMConnectionError(f"POST {self.url} timed out after {self.timeout}s") from exc
        except httpx.HTTPError as exc:
            raise LLMConnectionError(f"POST {self.url} failed: {exc!r}") from exc
