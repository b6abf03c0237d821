"""Reading the spoken clips that make data recorded."""

import numpy as np
import pytest

from dlbook.data import speech
from dlbook.data.build_speech import DIGITS, SAMPLE_RATE, VARIANTS

needs_data = pytest.mark.skipif(not speech.speech_available(), reason="run `make data` first")


@needs_data
def test_clips_match_the_manifest_and_their_split():
    manifest = speech.speech_manifest()
    assert manifest["sample_rate"] == SAMPLE_RATE
    test = speech.load_speech_clips("digits", "test")
    assert len(test) == manifest["counts"]["test/digits"]
    assert {c.voice.split("+")[1] for c in test} <= set(VARIANTS["test"])
    assert all(set(c.text.split()) <= set(DIGITS) for c in test)
    lengths = np.array([len(c.audio) / SAMPLE_RATE for c in test])
    assert 0.5 < lengths.min() and lengths.max() < 5.0
    words = speech.load_speech_clips("word", "valid", limit=5)
    assert len(words) == 5 and all(w.snr_db is None for w in words)


def test_bad_arguments():
    with pytest.raises(ValueError, match="kind"):
        speech.load_speech_clips("sentences", "train")
    with pytest.raises(ValueError, match="split"):
        speech.load_speech_clips("digits", "dev")
    with pytest.raises(ValueError, match="limit"):
        speech.load_speech_clips("digits", "train", limit=0)


def test_missing_data_says_how_to_build_it(monkeypatch, tmp_path):
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(tmp_path))
    assert not speech.speech_available()
    with pytest.raises(FileNotFoundError, match="make data"):
        speech.load_speech_clips("digits", "train")
