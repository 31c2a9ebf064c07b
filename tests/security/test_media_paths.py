"""A row cannot make the media stages read, render or upload a file outside the session's work
directory.

The attack (issue: a hostile tenant's ``file_path``): an asset row points at
``/proc/self/environ``, at a symlink inside the work directory that leads out of it, or at a
``../`` path. Through the API role the write itself is refused (see
test_daemon_owned_columns.py); here the rows are changed with the owner's rights, as if that
protection were gone, and the daemon must still refuse: each stage that reads the row (narration
reads the script, video assembly hands slides and the master track to ffmpeg, uploading hands every
asset to storage) fails with "file_path outside the session's work directory" on the session and
in the audit, nothing reaches a port, storage or a column, and once the row is put back the session
finishes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
import psycopg
import pytest
from psycopg import AsyncConnection, errors

from lxera_pipeline.cli.demo.daemon import in_process_daemon
from lxera_pipeline.cli.demo.seed import seed_course
from lxera_pipeline.events.failures import tenant_message
from lxera_pipeline.generators.media.errors import (
    FfmpegError,
    MediaInputError,
    SpeechError,
    StorageError,
)
from lxera_pipeline.generators.media.models import (
    AssetType,
    MediaInfo,
    Narration,
    SlideDeck,
    StoredObject,
    VideoResult,
    VoiceSettings,
)
from lxera_pipeline.generators.media.ports import Narrator, Storage, VideoAssembler
from lxera_pipeline.generators.types import Script
from lxera_pipeline.handlers.workflow.resources import build_resources
from tests.integration.schema_rows import acting_as
from tests.integration.workflow_support import course, fetch, module, workflow_settings

REFUSAL = "file_path outside the session's work directory"


class Closed(RuntimeError):
    """A gated port was called while its gate was shut (the stage fails and can be retried)."""


@dataclass
class Gates:
    """Which ports work, and every local path the daemon handed to one."""

    narrator: bool = False
    video: bool = False
    storage: bool = False
    paths: list[Path] = field(default_factory=list)

    def check(self, name: str, *paths: Path) -> None:
        self.paths.extend(paths)
        if not getattr(self, name):
            raise Closed(f"{name} is shut")


class GatedNarrator:
    def __init__(self, real: Narrator, gates: Gates) -> None:
        self.real, self.gates = real, gates

    async def narrate(
        self, script: Script, output_dir: Path, voice: VoiceSettings | None = None
    ) -> Narration:
        self.gates.check("narrator")
        return await self.real.narrate(script, output_dir, voice)


class GatedVideo:
    def __init__(self, real: VideoAssembler, gates: Gates) -> None:
        self.real, self.gates = real, gates

    async def assemble(self, deck: SlideDeck, narration: Narration, output: Path) -> VideoResult:
        slides = [slide.path for slide in deck.slides]
        self.gates.check("video", *slides, narration.master_path)
        return await self.real.assemble(deck, narration, output)

    async def probe(self, path: Path) -> MediaInfo:
        self.gates.paths.append(path)
        return await self.real.probe(path)


class GatedStorage:
    def __init__(self, real: Storage, gates: Gates) -> None:
        self.real, self.gates = real, gates

    async def put(
        self,
        local_path: Path,
        asset_type: AssetType,
        section_name: str,
        filename: str,
        content_type: str | None = None,
        *,
        stamp: datetime | None = None,
        folder: str | None = None,
    ) -> StoredObject:
        self.gates.check("storage", local_path)
        return await self.real.put(
            local_path, asset_type, section_name, filename, content_type, stamp=stamp, folder=folder
        )


@dataclass(frozen=True)
class Attack:
    name: str
    stage: str  # the stage that reads the row
    asset: str  # which asset row is changed: SQL condition on mm_multimedia_assets

    def paths(self, work: Path, secret: Path) -> list[Path]:
        link = work / "uploading" / f"{self.name}.link"
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(secret)
        depth = len(work.relative_to(secret.parent).parts)
        return [Path("/proc/self/environ"), link, work / Path(*[".."] * depth) / secret.name]


ATTACKS = (
    Attack("script", "audio_generation", "asset_type = 'script'"),
    Attack("master", "video_assembly", "asset_type = 'audio' and slide_number is null"),
    Attack("slide", "uploading", "asset_type = 'slide' and slide_number = 1"),
)


async def _session(conn: AsyncConnection[Any]) -> tuple[Any, ...]:
    cur = await conn.execute(
        "select session_id, company_id, status, current_stage, error_details "
        "from mm_multimedia_sessions"
    )
    row = await cur.fetchone()
    return row if row is not None else (None, None, None, None, None)


async def _settled(conn: AsyncConnection[Any], status: str) -> tuple[Any, ...]:
    with anyio.fail_after(120):
        while (row := await _session(conn))[2] != status:
            assert row[2] in (None, "started", "processing", status), row
            await anyio.sleep(0.2)
    return row


async def _retry(conn: AsyncConnection[Any], session_id: uuid.UUID) -> tuple[Any, ...]:
    await conn.execute(
        "update mm_multimedia_sessions set status = 'processing' where session_id = %(s)s",
        {"s": session_id},
    )
    with anyio.fail_after(120):
        while (row := await _session(conn))[2] == "processing":  # noqa: ASYNC110
            await anyio.sleep(0.2)
    return row


def _api_refuses(dsn: str, company_id: uuid.UUID, asset: str) -> None:
    claims = {"sub": str(uuid.uuid4()), "role": "company_admin", "company_id": str(company_id)}
    with (
        psycopg.connect(dsn, autocommit=True) as conn,
        acting_as(conn, "authenticated", claims),
        pytest.raises(errors.InsufficientPrivilege, match="permission denied"),
    ):
        conn.execute(
            f"update mm_multimedia_assets set file_path = '/proc/self/environ' where {asset}"
        )


async def _point(conn: AsyncConnection[Any], attack: Attack, path: Path | str) -> None:
    cur = await conn.execute(
        f"update mm_multimedia_assets set file_path = %(p)s where {attack.asset}", {"p": str(path)}
    )
    assert cur.rowcount == 1


async def _file_path(conn: AsyncConnection[Any], attack: Attack) -> str:
    cur = await conn.execute(f"select file_path from mm_multimedia_assets where {attack.asset}")
    row = await cur.fetchone()
    assert row is not None
    return str(row[0])


def _secrets(tmp_path: Path) -> tuple[str, Path, bytes]:
    """A secret file outside the media root, its marker, and the process's environment."""
    marker = f"SECRET-{uuid.uuid4().hex}"
    secret = tmp_path / "secret.txt"
    secret.write_text(marker)
    return marker, secret, Path("/proc/self/environ").read_bytes()


@pytest.mark.anyio
async def test_rows_cannot_point_the_media_stages_outside_the_work_directory(
    db_dsn: str, tmp_path: Path
) -> None:
    marker, secret, environ = _secrets(tmp_path)
    settings = workflow_settings(db_dsn, tmp_path)
    real = build_resources(settings)
    gates = Gates()
    resources = real.replace(
        narrator=GatedNarrator(real.narrator, gates),
        video=GatedVideo(real.video, gates),
        storage=GatedStorage(real.storage, gates),
    )
    async with (
        await AsyncConnection.connect(db_dsn, autocommit=True) as conn,
        in_process_daemon(settings, db_dsn, resources),
    ):
        await seed_course(conn, course(module("Forecasts", "full")))
        for attack in ATTACKS:
            session_id, company_id, _, stage, _ = await _settled(conn, "failed")
            assert stage == attack.stage  # the gate of this stage's port is shut
            work = real.work_root / str(session_id)
            _api_refuses(db_dsn, company_id, attack.asset)
            original = await _file_path(conn, attack)
            for path in attack.paths(work, secret):
                await _point(conn, attack, path)
                _, _, status, stage, error = await _retry(conn, session_id)
                assert (status, stage, error) == ("failed", attack.stage, f"{stage}: {REFUSAL}")
            await _point(conn, attack, original)
            setattr(
                gates,
                {"audio_generation": "narrator", "video_assembly": "video"}.get(
                    attack.stage, "storage"
                ),
                True,
            )
            await _retry(conn, session_id)
        await _settled(conn, "completed")

    refusals = fetch(
        db_dsn,
        "select outcome, error from pipeline.audit_log where handler = 'media.retry' "
        "and error like %(r)s",
        {"r": f"%{REFUSAL}%"},
    )
    assert [r["outcome"] for r in refusals].count("dead") == 3 * len(ATTACKS)
    media_root = settings.media_root.resolve()
    assert gates.paths
    for path in gates.paths:
        assert path.resolve().is_relative_to(media_root / "work" / str(session_id)), path
    stored = [p for p in (media_root / settings.storage_bucket).rglob("*") if p.is_file()]
    assert stored
    for path in stored:
        data = path.read_bytes()
        assert marker.encode() not in data
        assert environ not in data
        assert path.relative_to(media_root / settings.storage_bucket).parts[0] == str(company_id)
    first_variable = environ.split(b"\0")[0].decode(errors="replace")
    for table in (
        "mm_multimedia_sessions",
        "mm_multimedia_assets",
        "mm_slide_presentations",
        "mm_audio_narrations",
    ):
        [row] = fetch(db_dsn, f"select string_agg(t::text, '') as text from {table} t")
        assert marker not in row["text"]
        assert first_variable not in row["text"]


@pytest.mark.parametrize(
    "error",
    [
        FfmpegError("ffmpeg video assembly failed with exit code 1:\nDATABASE_URL=SECRET"),
        MediaInputError("ffmpeg cannot read /work/x as media: DATABASE_URL=SECRET"),
        StorageError("upload of bucket/key failed: {'message': 'SECRET'}"),
        SpeechError("speech failed on DATABASE_URL=SECRET"),
    ],
)
def test_media_errors_reach_the_session_as_their_type_only(error: Exception) -> None:
    message = tenant_message(error, stage="video_assembly")
    assert "SECRET" not in message
    assert message.startswith(f"video_assembly: internal error ({type(error).__name__})")
