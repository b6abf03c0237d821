"""Speech clips recorded with espeak-ng: the plan, the noise, an atomic and repeatable build."""

import json

import numpy as np
import pytest

from dlbook.data import build_speech as bs


def test_plan_is_deterministic_and_keeps_test_voices_out_of_training():
    plan = bs.clip_plan()
    assert plan == bs.clip_plan()
    assert plan != bs.clip_plan(seed=bs.SEED + 1)
    variants = {s: {p["voice"].split("+")[1] for p in plan if p["split"] == s}
                for s in ("train", "valid", "test")}
    assert variants["train"].isdisjoint(variants["test"])
    assert variants["train"].isdisjoint(variants["valid"])
    assert variants["test"] == set(bs.VARIANTS["test"])
    digits = [p for p in plan if p["kind"] == "digits"]
    assert all(3 <= len(p["text"].split()) <= 5 for p in digits)
    assert all(set(p["text"].split()) <= set(bs.DIGITS) for p in digits)
    assert all(5 <= p["snr_db"] <= 25 for p in digits)
    words = [p for p in plan if p["kind"] == "word" and p["split"] == "train"]
    assert sum(p["text"] == bs.TRIGGER_WORD for p in words) == bs.COUNTS["train"]["trigger"]
    assert len({p["id"] for p in plan}) == len(plan)


def test_add_noise_reaches_the_requested_snr():
    rng = np.random.default_rng(1)
    x = np.zeros(32000, np.float32)
    x[8000:24000] = 0.5 * np.sin(np.arange(16000) * 0.3)       # speech in the middle only
    for snr in (5.0, 15.0, 25.0):
        noise = bs.add_noise(x, snr, rng) - x
        measured = 10 * np.log10(np.mean(x[8000:24000] ** 2) / np.mean(noise ** 2))
        assert abs(measured - snr) < 0.2, (snr, measured)


@pytest.mark.skipif(not bs.espeak_available(), reason="espeak-ng is not installed")
def test_synthesize_speaks_at_16_khz_and_refuses_unknown_variants():
    short = bs.synthesize("one", "en-us+m1", rate=200)
    long = bs.synthesize("one two three four five", "en-us+m1", rate=200)
    assert short.dtype == np.float32 and np.abs(long).max() <= 1.0
    assert len(long) > 2.5 * len(short)
    slow = bs.synthesize("one two three four five", "en-us+m1", rate=100)
    assert len(slow) > 1.5 * len(long)
    with pytest.raises(RuntimeError, match="variant"):
        bs.synthesize("one", "en-us+nosuchvoice")


@pytest.mark.skipif(not bs.espeak_available(), reason="espeak-ng is not installed")
def test_build_is_atomic_and_repeatable(tmp_path):
    import soundfile

    plan = bs.clip_plan()[:3] + [p for p in bs.clip_plan() if p["kind"] == "word"][:2]
    first = bs.build(tmp_path / "speech", plan=plan)
    again = bs.build(tmp_path / "speech", plan=plan)
    assert first["sha256"] == again["sha256"] and first["clips"] == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["speech"]   # no temporary left
    listed = [json.loads(line) for line in (tmp_path / "speech" / "clips.jsonl").open()]
    assert [c["id"] for c in listed] == [p["id"] for p in plan]
    audio, rate = soundfile.read(tmp_path / "speech" / "clips" / f"{plan[0]['id']}.wav")
    assert rate == bs.SAMPLE_RATE and audio.ndim == 1
    word, _ = soundfile.read(tmp_path / "speech" / "clips" / f"{plan[3]['id']}.wav")
    assert abs(word[:80]).max() < abs(word).max() / 2      # trimmed, starts near the word


def test_build_refuses_without_espeak(monkeypatch, tmp_path):
    monkeypatch.setattr(bs, "espeak_available", lambda: False)
    with pytest.raises(RuntimeError, match="espeak-ng"):
        bs.build(tmp_path / "speech", plan=bs.clip_plan()[:1])
    assert not (tmp_path / "speech").exists()
