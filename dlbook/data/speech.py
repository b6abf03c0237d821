r"""Spoken clips that work offline: digit strings and single words, recorded with espeak-ng.

Built by ``make data`` (:mod:`dlbook.data.build_speech`): 16 kHz WAV files with a list of what
each clip says and which voice said it.  The test clips are spoken by voice variants that no
training clip uses.  Chapter :ref:`ch-speech` reads them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from dlbook import _checks
from dlbook.data.corpora import data_dir

__all__ = ["SpeechClip", "speech_available", "speech_manifest", "load_speech_clips"]


@dataclass(frozen=True)
class SpeechClip:
    """One clip: ``kind`` (``"digits"`` or ``"word"``), ``split``, the spoken ``text``, the
    espeak-ng ``voice`` (accent+variant), ``rate`` (words per minute), ``pitch``, the added
    noise's ``snr_db`` (``None`` for clean word clips) and ``audio`` (float32, 16 kHz)."""

    id: str
    kind: str
    split: str
    text: str
    voice: str
    rate: int
    pitch: int
    snr_db: float | None
    audio: np.ndarray


def _folder():
    return data_dir() / "speech"


def speech_available() -> bool:
    """Whether ``make data`` has recorded the clips on this machine.

    Examples
    --------
    >>> speech_available() in (True, False)
    True
    """
    return (_folder() / "MANIFEST.json").exists()


def speech_manifest() -> dict:
    """The manifest ``make data`` wrote: counts, espeak-ng's version, sample rate, SHA-256.

    Raises
    ------
    FileNotFoundError
        If the clips have not been built.

    Examples
    --------
    >>> try:
    ...     rate = speech_manifest()["sample_rate"]
    ... except FileNotFoundError:
    ...     rate = 16000
    >>> rate
    16000
    """
    path = _folder() / "MANIFEST.json"
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: run `make data` (it installs Debian's "
                                "espeak-ng and records the clips)")
    return json.loads(path.read_text(encoding="utf-8"))


def load_speech_clips(kind: str, split: str, limit: int | None = None) -> list[SpeechClip]:
    r"""The clips of one kind (``"digits"`` or ``"word"``) and split, in the order recorded.

    Parameters
    ----------
    kind : {"digits", "word"}
    split : {"train", "valid", "test"}
    limit : int, optional
        Read only the first ``limit`` clips.

    Raises
    ------
    ValueError
        For an unknown kind or split, or a ``limit`` below 1.
    FileNotFoundError
        If ``make data`` has not recorded the clips (the message says how to).

    Examples
    --------
    >>> try:
    ...     clips = load_speech_clips("digits", "test", limit=2)
    ... except FileNotFoundError:
    ...     clips = [SpeechClip("x", "digits", "test", "one two three", "en-us+m6", 150, 50,
    ...                         10.0, np.zeros(16000, np.float32))]
    >>> clips[0].kind, clips[0].audio.dtype, len(clips[0].text.split()) >= 3
    ('digits', dtype('float32'), True)
    """
    import soundfile

    _checks.one_of(kind, "kind", ("digits", "word"))
    _checks.one_of(split, "split", ("train", "valid", "test"))
    if limit is not None:
        limit = _checks.positive_int(limit, "limit")
    speech_manifest()                                           # a clear error when missing
    clips = []
    with open(_folder() / "clips.jsonl", encoding="utf-8") as fh:
        for line in fh:
            item = json.loads(line)
            if item["kind"] != kind or item["split"] != split:
                continue
            audio, _ = soundfile.read(_folder() / "clips" / f"{item['id']}.wav",
                                      dtype="float32")
            clips.append(SpeechClip(audio=audio, **item))
            if limit is not None and len(clips) == limit:
                break
    return clips
