"""ctypes binding to espeak-ng, loaded from the `espeakng-loader` wheel (the optional GPL engine).

Install it with the `speech` extra. The library keeps global state, so one process-wide engine
synthesises one text at a time, in synchronous mode: a callback collects the 16-bit samples.
"""

from __future__ import annotations

import ctypes
import threading
from typing import Any

from lxera_pipeline.generators.media.errors import MissingExtraError, SpeechError
from lxera_pipeline.generators.media.wavs import Pcm

AUDIO_OUTPUT_SYNCHRONOUS = 2
POS_CHARACTER = 1
ESPEAK_CHARS_UTF8 = 1
ESPEAK_RATE = 1
EE_OK = 0
NORMAL_WORDS_PER_MINUTE = 175
RATE_LIMITS = (80, 450)

_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)
_ENGINE_LOCK = threading.Lock()
_engine: EspeakEngine | None = None


class EspeakEngine:
    """The espeak-ng library of this process, initialised with the wheel's data directory."""

    def __init__(self, library: ctypes.CDLL, data_path: str) -> None:
        self._lib = library
        self._declare_signatures()
        self.sample_rate = self._initialise(data_path)
        self._lock = threading.Lock()
        self._chunks: list[bytes] = []
        self._callback = _SynthCallback(self._collect)  # kept alive as long as the engine
        self._lib.espeak_SetSynthCallback(self._callback)

    def synthesize(self, text: str, voice: str, speed: float) -> Pcm:
        """Speak `text` with `voice` at `speed` (1.0 = 175 words per minute)."""
        with self._lock:
            self._set_voice(voice)
            self._lib.espeak_SetParameter(ESPEAK_RATE, words_per_minute(speed), 0)
            self._chunks = []
            encoded = text.encode("utf-8") + b"\0"
            status = self._lib.espeak_Synth(
                encoded, len(encoded), 0, POS_CHARACTER, 0, ESPEAK_CHARS_UTF8, None, None
            )
            if status != EE_OK:
                raise SpeechError(f"espeak-ng could not synthesise the text (error {status})")
            self._lib.espeak_Synchronize()
            return Pcm(b"".join(self._chunks), self.sample_rate)

    def _collect(self, samples: Any, count: int, _events: Any) -> int:
        if samples and count > 0:
            self._chunks.append(ctypes.string_at(samples, count * 2))
        return 0  # 0 = keep going

    def _set_voice(self, voice: str) -> None:
        status = self._lib.espeak_SetVoiceByName(voice.encode("utf-8"))
        if status != EE_OK:
            raise SpeechError(f"espeak-ng has no voice named {voice!r} (error {status})")

    def _initialise(self, data_path: str) -> int:
        rate = int(self._lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path.encode(), 0))
        if rate <= 0:
            raise SpeechError(f"espeak-ng failed to initialise with data at {data_path}")
        return rate

    def _declare_signatures(self) -> None:
        lib, c = self._lib, ctypes
        lib.espeak_Initialize.argtypes = [c.c_int, c.c_int, c.c_char_p, c.c_int]
        lib.espeak_Initialize.restype = c.c_int
        lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        lib.espeak_SetVoiceByName.argtypes = [c.c_char_p]
        lib.espeak_SetParameter.argtypes = [c.c_int, c.c_int, c.c_int]
        lib.espeak_Synth.argtypes = [
            *(c.c_void_p, c.c_size_t, c.c_uint, c.c_int, c.c_uint, c.c_uint),
            *(c.c_void_p, c.c_void_p),
        ]
        for name in ("espeak_SetVoiceByName", "espeak_SetParameter", "espeak_Synth"):
            getattr(lib, name).restype = c.c_int


def words_per_minute(speed: float) -> int:
    low, high = RATE_LIMITS
    return max(low, min(high, round(NORMAL_WORDS_PER_MINUTE * speed)))


def load_espeak() -> EspeakEngine:
    """The process-wide engine; the library is loaded on first use only."""
    global _engine
    with _ENGINE_LOCK:
        if _engine is None:
            _engine = _load()
        return _engine


def _load() -> EspeakEngine:
    try:
        import espeakng_loader
    except ImportError as exc:
        raise MissingExtraError(
            "espeakng_loader", "speech", "Offline narration (espeak-ng)"
        ) from exc
    library = ctypes.CDLL(espeakng_loader.get_library_path())
    return EspeakEngine(library, espeakng_loader.get_data_path())
