r"""Build the speech clips of the book with Debian's ``espeak-ng``, offline.

``make data`` runs ``python -m dlbook.data.build_speech``.  The speech chapter needs real audio
without downloads, so a speech synthesizer records it: ``espeak-ng`` speaks

- **digit strings** ("four seven two nine"), three to five digits, for a recognizer trained with
  CTC; each clip is cut to the speech plus 0.15 s on either side and gets white noise at a
  random signal-to-noise ratio;
- **single words** for trigger-word detection: the trigger word ``activate`` and other words,
  some of them sounding alike (``active``, ``captivate``), stored clean so that a chapter can
  insert them into longer noisy clips.

Every clip has its own voice: one of eight English accents of espeak-ng combined with one of its
voice variants (male, female and Klatt-synthesizer voices), a speaking rate and a pitch, all
drawn with a fixed seed.  The variants are split between training, validation and test, so the
test clips are spoken by voices no model has heard in training:

==========  ==========================================================
split       voice variants
==========  ==========================================================
train       m1 m2 m3 m4 m7 f1 f2 f5 klatt klatt4
valid       m5
test        m6 f4 klatt3
==========  ==========================================================

The audio is resampled from espeak-ng's 22,050 Hz to 16 kHz and written as 16-bit WAV files in
``data/speech/clips/``, listed in ``clips.jsonl`` (one JSON object per clip: ``id``, ``kind``
(``"digits"`` or ``"word"``), ``split``, ``text``, ``voice``, ``rate``, ``pitch``,
``snr_db``), with ``MANIFEST.json`` (counts, espeak-ng's version, SHA-256 of all files).  The
folder is built under a temporary name and renamed into place, so it is complete or absent.

See Also
--------
dlbook.data.speech : read the clips.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

__all__ = ["SAMPLE_RATE", "DIGITS", "TRIGGER_WORD", "OTHER_WORDS", "ACCENTS", "VARIANTS",
           "COUNTS", "SEED", "espeak_available", "espeak_version", "synthesize", "add_noise",
           "clip_plan", "build"]

#: Sample rate of the stored clips, in Hz.
SAMPLE_RATE = 16_000
DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
TRIGGER_WORD = "activate"
#: Words that are not the trigger; the first four sound like it.
OTHER_WORDS = ("active", "captivate", "activity", "evaluate", "banana", "window", "morning",
               "computer", "garden", "yellow", "listen", "seven")
ACCENTS = ("en-us", "en-gb", "en-gb-scotland", "en-029", "en-us-nyc", "en-gb-x-rp",
           "en-gb-x-gbclan", "en-gb-x-gbcwmd")
#: Voice variants of each split (no variant is in two splits).
VARIANTS = {"train": ("m1", "m2", "m3", "m4", "m7", "f1", "f2", "f5", "klatt", "klatt4"),
            "valid": ("m5",), "test": ("m6", "f4", "klatt3")}
#: Clips per split: digit strings, trigger words, and each other word.
COUNTS = {"train": {"digits": 1500, "trigger": 240, "other": 30},
          "valid": {"digits": 100, "trigger": 20, "other": 3},
          "test": {"digits": 300, "trigger": 60, "other": 8}}
SEED = 2024
_ESPEAK = "espeak-ng"
_VOICE_DIR = Path("/usr/lib/x86_64-linux-gnu/espeak-ng-data/voices/!v")


def espeak_available() -> bool:
    """Whether the ``espeak-ng`` program is on the PATH.

    Examples
    --------
    >>> espeak_available() in (True, False)
    True
    """
    return shutil.which(_ESPEAK) is not None


def espeak_version() -> str:
    """The first line of ``espeak-ng --version`` (empty when espeak-ng is missing).

    Examples
    --------
    >>> v = espeak_version()
    >>> v == "" or "eSpeak" in v
    True
    """
    if not espeak_available():
        return ""
    out = subprocess.run([_ESPEAK, "--version"], capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[0].split("  Data at")[0].strip()


def synthesize(text: str, voice: str = "en-us", rate: int = 150, pitch: int = 50) -> np.ndarray:
    r"""Speak ``text`` with espeak-ng and return float32 audio at :data:`SAMPLE_RATE`.

    Parameters
    ----------
    text : str
    voice : str
        An espeak-ng voice, optionally with a variant: ``"en-gb+f2"``.
    rate : int
        Words per minute (80 to 450).
    pitch : int
        0 to 99.

    Returns
    -------
    ndarray of float32, shape (n_samples,)
        Samples in [-1, 1], resampled from 22,050 Hz by a polyphase filter (320 / 441).

    Raises
    ------
    RuntimeError
        If espeak-ng is not installed or the variant does not exist (espeak-ng would silently
        fall back to its default voice).

    Examples
    --------
    >>> if espeak_available():
    ...     x = synthesize("seven", "en-us", 150, 50)
    ... else:
    ...     x = np.zeros(8000, dtype=np.float32)
    >>> x.dtype, 0.2 < len(x) / SAMPLE_RATE < 1.5
    (dtype('float32'), True)
    """
    import soundfile
    from scipy.signal import resample_poly

    if not espeak_available():
        raise RuntimeError("espeak-ng is not installed (Debian package espeak-ng)")
    if "+" in voice and _VOICE_DIR.is_dir() and not (_VOICE_DIR / voice.split("+")[1]).exists():
        raise RuntimeError(f"espeak-ng has no voice variant {voice.split('+')[1]!r}")
    out = subprocess.run([_ESPEAK, "-v", voice, "-s", str(int(rate)), "-p", str(int(pitch)),
                          "--stdout", text], capture_output=True, check=True)
    wav, rate_in = soundfile.read(io.BytesIO(out.stdout), dtype="float64")
    if rate_in != 22_050:
        raise RuntimeError(f"espeak-ng wrote {rate_in} Hz audio; expected 22050")
    return np.clip(resample_poly(wav, 320, 441), -1.0, 1.0).astype(np.float32)


def add_noise(audio, snr_db: float, rng) -> np.ndarray:
    r"""Add white Gaussian noise at a signal-to-noise ratio ``snr_db`` (in dB).

    The signal power is measured over the samples louder than 1 % of the peak (the speech, not
    the silence around it): noise variance
    :math:`\sigma^2 = \overline{x^2}_{\text{speech}} / 10^{\text{snr}/10}`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = np.where(np.arange(16000) % 40 < 20, 0.5, -0.5).astype(np.float32)  # square wave
    >>> y = add_noise(x, 20.0, rng)
    >>> round(float(10 * np.log10(np.mean(x ** 2) / np.mean((y - x) ** 2))))
    20
    """
    x = np.asarray(audio, dtype=np.float64)
    loud = np.abs(x) > 0.01 * np.abs(x).max()
    power = np.mean(x[loud] ** 2)
    noise = rng.normal(scale=np.sqrt(power / 10 ** (snr_db / 10)), size=x.shape)
    return np.clip(x + noise, -1.0, 1.0).astype(np.float32)


def clip_plan(seed: int = SEED) -> list[dict]:
    r"""What to record: one dict per clip (id, kind, split, text, voice, rate, pitch, snr_db).

    Deterministic for a seed; digit clips get an SNR in [5, 25] dB, word clips none (``None``).

    Examples
    --------
    >>> plan = clip_plan()
    >>> len(plan), plan[0]["kind"], plan[0]["split"]
    (2712, 'digits', 'train')
    >>> sorted({p["voice"].split("+")[1] for p in plan if p["split"] == "test"})
    ['f4', 'klatt3', 'm6']
    """
    rng = np.random.default_rng(seed)
    plan = []

    def voice(split):
        return {"voice": f"{rng.choice(ACCENTS)}+{rng.choice(VARIANTS[split])}",
                "rate": int(rng.integers(130, 211)), "pitch": int(rng.integers(20, 81))}

    for split, counts in COUNTS.items():
        for i in range(counts["digits"]):
            n = int(rng.integers(3, 6))
            text = " ".join(DIGITS[d] for d in rng.integers(0, 10, size=n))
            plan.append({"id": f"digits-{split}-{i:04d}", "kind": "digits", "split": split,
                         "text": text, **voice(split),
                         "snr_db": round(float(rng.uniform(5, 25)), 2)})
        words = [TRIGGER_WORD] * counts["trigger"] + [w for w in OTHER_WORDS
                                                      for _ in range(counts["other"])]
        for i, word in enumerate(words):
            plan.append({"id": f"word-{split}-{i:04d}", "kind": "word", "split": split,
                         "text": word, **voice(split), "snr_db": None})
    return plan


def _trim(x, sr=SAMPLE_RATE, pad_s=0.02):
    loud = np.flatnonzero(np.abs(x) > 0.02 * np.abs(x).max())
    pad = int(pad_s * sr)
    return x[max(loud[0] - pad, 0): loud[-1] + pad]


def build(out_dir, seed: int = SEED, plan: list[dict] | None = None) -> dict:
    r"""Record every clip of ``plan`` into ``out_dir`` (replaced atomically).

    Parameters
    ----------
    out_dir : path
        The folder to create (or replace, as a whole).
    seed : int
        Seed of :func:`clip_plan` (when ``plan`` is not given) and of the noise (``seed + 1``).
    plan : list of dict, optional
        The clips to record; :func:`clip_plan` ``(seed)`` by default.

    Returns
    -------
    dict
        The manifest also written to ``out_dir/MANIFEST.json``.

    Raises
    ------
    RuntimeError
        If espeak-ng is not installed (nothing is written then).

    Examples
    --------
    Two clips of the plan, into a temporary folder:

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp()) / "speech"
    >>> try:
    ...     manifest = build(folder, plan=clip_plan()[:2])
    ... except RuntimeError:
    ...     manifest = {"clips": 2}
    >>> manifest["clips"]
    2
    """
    import soundfile

    if not espeak_available():
        raise RuntimeError("Debian's espeak-ng is not installed")
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}-"))
    try:
        (tmp / "clips").mkdir()
        rng = np.random.default_rng(seed + 1)                     # the noise
        digest = hashlib.sha256()
        lines, seconds = [], 0.0
        plan = clip_plan(seed) if plan is None else plan
        for item in plan:
            x = synthesize(item["text"], item["voice"], item["rate"], item["pitch"])
            if item["kind"] == "digits":
                x = add_noise(_trim(x, pad_s=0.15), item["snr_db"], rng)
            else:
                x = _trim(x)
            buf = io.BytesIO()
            soundfile.write(buf, x, SAMPLE_RATE, format="WAV", subtype="PCM_16")
            data = buf.getvalue()
            (tmp / "clips" / f"{item['id']}.wav").write_bytes(data)
            digest.update(data)
            seconds += len(x) / SAMPLE_RATE
            lines.append(json.dumps(item, ensure_ascii=False) + "\n")
        text = "".join(lines)
        (tmp / "clips.jsonl").write_text(text, encoding="utf-8")
        digest.update(text.encode())
        counts = {}
        for item in plan:
            key = f"{item['split']}/{item['kind']}"
            counts[key] = counts.get(key, 0) + 1
        manifest = {"source": "Debian espeak-ng", "espeak_version": espeak_version(),
                    "sample_rate": SAMPLE_RATE, "seed": seed, "clips": len(lines),
                    "counts": counts, "hours": round(seconds / 3600, 3),
                    "variants": {k: list(v) for k, v in VARIANTS.items()},
                    "sha256": digest.hexdigest()}
        (tmp / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n")
        os.chmod(tmp, 0o755)
        old = None
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}-old-"))
            os.replace(out_dir, old / out_dir.name)
        os.replace(tmp, out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return manifest


def _main(argv=None) -> int:
    r"""Command line: ``python -m dlbook.data.build_speech [--out DIR]``."""
    from dlbook.data.corpora import data_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=data_dir() / "speech")
    args = parser.parse_args(argv)
    try:
        manifest = build(args.out)
    except RuntimeError as err:
        print(f"build_speech: {err}; the speech chapter will say so")
        return 0
    print(f"  {manifest['clips']:,} spoken clips ({manifest['hours'] * 60:.1f} minutes of "
          f"audio, {manifest['espeak_version']}) -> {args.out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(_main())
