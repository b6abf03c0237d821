"""dlbook.bilingual: the text a reader sees, in the reader's language."""

from __future__ import annotations

import importlib
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dlbook import bilingual  # noqa: E402
from dlbook.bilingual import Text, display_width, say, table, tr, translated_figure  # noqa: E402


def test_tr_returns_the_current_language(monkeypatch):
    monkeypatch.delenv("DLBOOK_LANG", raising=False)
    assert tr("loss", "損失") == "loss"
    monkeypatch.setenv("DLBOOK_LANG", "zh_TW")
    t = tr("loss", "損失")
    assert t == "損失" and (t.en, t.zh) == ("loss", "損失")
    with pytest.raises(TypeError):
        tr("loss", None)


def test_a_second_translation_of_the_same_text_warns():
    tr("unique phrase for this test", "甲")
    with pytest.warns(UserWarning, match="translated as '甲' and now as '乙'"):
        tr("unique phrase for this test", "乙")


def test_say_prints_in_the_readers_language(monkeypatch, capsys):
    monkeypatch.setenv("DLBOOK_LANG", "zh_TW")
    say(tr("accuracy:", "準確率："), 0.5, sep="")
    assert capsys.readouterr().out == "準確率：0.5\n"
    monkeypatch.setenv("DLBOOK_LANG", "en")
    say(tr("accuracy:", "準確率："), 0.5)
    assert capsys.readouterr().out == "accuracy: 0.5\n"


def test_display_width_counts_cjk_twice():
    assert display_width("ab") == 2
    assert display_width("訓練") == 4
    assert display_width("：") == 2  # full-width colon


def test_table_columns_stay_aligned_in_both_languages():
    t = table([[tr("train", "訓練"), 0.5], [tr("validation set", "驗證集"), 12.25]],
              [tr("split", "資料集"), tr("loss", "損失")], formats=["", ".2f"])
    for text in (t.en, t.zh):
        lines = text.splitlines()
        widths = {display_width(line) for line in lines}
        assert len(widths) == 1, f"ragged table:\n{text}"
        assert lines[1].endswith("0.50") and lines[2].endswith("12.25")
    assert t.zh.splitlines()[0].startswith("資料集")
    with pytest.raises(ValueError, match="row 0 has 1 cells but there are 2 headers"):
        table([[1]], ["a", "b"])
    with pytest.raises(ValueError, match="align"):
        table([[1, 2]], ["a", "b"], align="lx")


def test_translated_figure_swaps_every_kind_of_text_and_restores_it():
    bilingual._use_cjk_font()
    fig, (a, b) = plt.subplots(1, 2)
    a.plot([0, 1], label=tr("train-x", "訓練-x"))
    a.legend()
    a.set(title=tr("title-x", "標題-x"), xlabel=tr("epoch-x", "週期-x"))
    a.set_xticks([0, 1], [tr("left-x", "左-x"), tr("right-x", "右-x")])
    b.bar([tr("cat-x", "貓-x"), tr("dog-x", "狗-x")], [1, 2])
    a.annotate(tr("note-x", "註-x"), (0, 0))
    fig.suptitle(tr("sup-x", "總-x"))

    def texts():
        fig.canvas.draw()
        return {t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()}

    english = texts()
    with translated_figure(fig, "zh_TW"):
        chinese = texts()
    assert {"標題-x", "週期-x", "訓練-x", "左-x", "右-x", "貓-x", "狗-x", "註-x", "總-x"} <= chinese
    assert not {"title-x", "epoch-x", "train-x", "left-x", "cat-x", "note-x"} & chinese
    assert texts() == english
    with translated_figure(fig, "en"):
        assert texts() == english
    plt.close(fig)


def test_figure_renders_chinese_glyphs_with_the_cjk_font():
    font = bilingual._use_cjk_font()
    if font is None:
        pytest.skip("no Traditional Chinese font installed (Debian: fonts-noto-cjk)")
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.set_title("訓練損失")
    with _no_missing_glyph_warning():
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    plt.close(fig)
    assert buf.getbuffer().nbytes > 0


class _no_missing_glyph_warning:
    def __enter__(self):
        import warnings

        self._catch = warnings.catch_warnings(record=True)
        self.records = self._catch.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc):
        self._catch.__exit__(*exc)
        missing = [str(w.message) for w in self.records if "missing from font" in str(w.message)]
        assert not missing, missing
        return False


def test_environment_language_switches_module_default(monkeypatch):
    monkeypatch.setenv("DLBOOK_LANG", "zh-TW")
    mod = importlib.reload(bilingual)
    try:
        assert mod.current_language() == "zh_TW"
        assert isinstance(mod.tr("x-reload", "乙"), mod.Text)
    finally:
        monkeypatch.setenv("DLBOOK_LANG", "en")
        importlib.reload(bilingual)


def test_text_is_a_plain_str_for_numpy_and_formatting():
    t = Text("loss", "損失")
    assert f"{t:>6}" == "  loss"
    assert np.array([t]).dtype.kind == "U"
