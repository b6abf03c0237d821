r"""Text in both languages of the book: figure labels, printed results and tables.

The book has an English and a Traditional Chinese edition whose code cells are identical, so a
cell names every piece of text a reader will see in both languages:

>>> from dlbook.bilingual import say, table, tr
>>> title = tr("Training loss", "訓練損失")
>>> title                      # the text in the current language (English by default)
'Training loss'
>>> title.zh
'訓練損失'
>>> say(tr("test accuracy:", "測試準確率："), 0.9756)
test accuracy: 0.9756

``tr(en, zh)`` returns the text of the current language, so it can go wherever matplotlib takes
a string (titles, axis labels, legend labels, tick labels, annotations). ``say`` prints like
``print``; ``table`` lays out rows under translated headers with columns that stay aligned when
the headers are Chinese (a CJK character is two columns wide).

Which language?
    ``DLBOOK_LANG=zh_TW`` in the environment makes ``tr`` and ``say`` use Chinese (and picks a
    Traditional Chinese font for figures when one is installed); the default is English.

How the book shows both from one run
    When the book is built, each page runs once for both editions. The build calls
    :func:`enable_dual_output` first: then every figure is rendered twice, once with its English
    text and once with each string that went through ``tr`` replaced by its Chinese text, and
    every ``say`` produces an English and a Chinese line. Each output is tagged with its
    language; each edition shows its own.
"""

from __future__ import annotations

import contextlib
import glob
import os
import sys
import unicodedata
import warnings

__all__ = ["LANGUAGES", "Text", "current_language", "tr", "say", "table", "enable_dual_output",
           "translated_figure", "display_width"]

#: The languages of the book, as Sphinx names them.
LANGUAGES = ("en", "zh_TW")
#: The key of an output's metadata that says which edition shows it.
METADATA_KEY = "dlbook_lang"
#: The key of a figure output's metadata that lists the texts drawn on it.
TEXTS_KEY = "dlbook_texts"
#: Fonts tried, in order, for Chinese text in figures (Debian's fonts-noto-cjk first).
CJK_FONTS = ("Noto Sans CJK TC", "Noto Sans TC", "Noto Serif CJK TC", "AR PL UMing TW",
             "Microsoft JhengHei", "PingFang TC", "Heiti TC")
_CJK_FONT_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-*.ttc",
                   "/usr/share/fonts/opentype/noto/NotoSansCJK*.otf")

_catalogue: dict[str, str] = {}  # English text -> Chinese text, for figures
_dual = False


class Text(str):
    """A string in the current language that also carries both renderings (``.en``, ``.zh``).

    It behaves as an ordinary ``str`` (of the current language) everywhere; :func:`say` and
    :func:`table` read both renderings from it.

    Examples
    --------
    >>> t = Text("loss", "損失")
    >>> t.upper(), t.en, t.zh
    ('LOSS', 'loss', '損失')
    """

    en: str
    zh: str

    def __new__(cls, en: str, zh: str):
        self = super().__new__(cls, zh if current_language() == "zh_TW" else en)
        self.en, self.zh = en, zh
        return self

    def in_language(self, lang: str) -> str:
        """The text in ``lang`` (``"en"`` or ``"zh_TW"``).

        Examples
        --------
        >>> Text("loss", "損失").in_language("zh_TW")
        '損失'
        """
        return self.zh if lang == "zh_TW" else self.en


def current_language() -> str:
    """The language ``tr`` and ``say`` use: ``DLBOOK_LANG`` if set, else English.

    While the book is built (:func:`enable_dual_output`) this is English, and Chinese comes
    from the second rendering.

    Examples
    --------
    >>> current_language() in LANGUAGES
    True
    """
    if _dual:
        return "en"
    lang = os.environ.get("DLBOOK_LANG", "en").replace("-", "_")
    if lang in ("zh", "zh_TW", "zh_Hant"):
        return "zh_TW"
    return "en"


def tr(en: str, zh: str) -> Text:
    """Name a piece of text in English and in Traditional Chinese.

    Returns the text in the current language and remembers the pair, so a figure that shows the
    English text can be drawn again in Chinese.

    Parameters
    ----------
    en, zh : str
        The same text in both languages. Numbers and code (``ReLU``, ``lr = 0.1``) may appear in
        both; mathtext (``$\\alpha$``) must not contain Chinese characters.

    Returns
    -------
    Text

    Raises
    ------
    TypeError
        If either text is not a string.

    Examples
    --------
    >>> tr("epoch", "訓練週期")
    'epoch'
    """
    if not isinstance(en, str) or not isinstance(zh, str):
        raise TypeError(f"tr needs two strings, got {type(en).__name__} and {type(zh).__name__}")
    known = _catalogue.get(en)
    if known is not None and known != zh:
        warnings.warn(f"tr: {en!r} was translated as {known!r} and now as {zh!r}; figures use "
                      "the newer one", stacklevel=2)
    _catalogue[en] = zh
    return Text(en, zh)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: CJK and full-width characters count two.

    Examples
    --------
    >>> display_width("loss"), display_width("損失")
    (4, 4)
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _render(part, lang: str) -> str:
    return part.in_language(lang) if isinstance(part, Text) else str(part)


def say(*parts, sep: str = " ", end: str = "\n") -> None:
    """Print like ``print``; parts made by :func:`tr` (or :func:`table`) print in each language.

    Parameters
    ----------
    *parts
        Strings, :class:`Text` and any other objects (printed with ``str``).
    sep, end : str
        As for ``print``.

    Examples
    --------
    >>> say(tr("accuracy", "準確率"), f"{0.5:.1%}")
    accuracy 50.0%
    """
    if not _dual:
        print(sep.join(_render(p, current_language()) for p in parts), end=end)
        return
    from IPython.display import publish_display_data

    sys.stdout.flush()
    for lang in LANGUAGES:
        text = sep.join(_render(p, lang) for p in parts) + end
        publish_display_data({"text/plain": text}, metadata={METADATA_KEY: lang})


def table(rows, headers, *, formats=None, align=None) -> Text:
    """Lay out ``rows`` under ``headers`` as a plain-text table in both languages.

    Parameters
    ----------
    rows : sequence of sequences
        One sequence of cells per row; cells may be :class:`Text`, strings or numbers.
    headers : sequence
        Column headers (usually made with :func:`tr`).
    formats : sequence of str, optional
        A format spec per column for numbers (``".3f"``, ``","``); ``None`` or ``""`` uses ``str``.
    align : str, optional
        One letter per column, ``"l"`` or ``"r"``; numbers are right-aligned by default.

    Returns
    -------
    Text
        The table in English and in Chinese; pass it to :func:`say`.

    Raises
    ------
    ValueError
        If a row has a different number of cells from ``headers``.

    Examples
    --------
    >>> headers = [tr("activation", "激勵函數"), tr("accuracy", "準確率")]
    >>> say(table([["ReLU", 0.97], ["tanh", 0.955]], headers, formats=["", ".3f"]))
    activation  accuracy
    ReLU           0.970
    tanh           0.955
    """
    headers = list(headers)
    n = len(headers)
    rows = [list(r) for r in rows]
    for i, r in enumerate(rows):
        if len(r) != n:
            raise ValueError(f"row {i} has {len(r)} cells but there are {n} headers")
    formats = list(formats) if formats is not None else [""] * n
    if len(formats) != n:
        raise ValueError(f"formats has {len(formats)} entries but there are {n} headers")
    numeric = [all(isinstance(r[j], (int, float)) and not isinstance(r[j], bool) for r in rows)
               and bool(rows) for j in range(n)]
    align = align or "".join("r" if num else "l" for num in numeric)
    if len(align) != n or set(align) - set("lr"):
        raise ValueError(f"align must be one 'l' or 'r' per column, got {align!r}")

    def cell(value, j, lang):
        if isinstance(value, Text):
            return value.in_language(lang)
        if formats[j] and isinstance(value, (int, float)) and not isinstance(value, bool):
            return format(value, formats[j])
        return str(value)

    def render(lang):
        grid = [[cell(h, j, lang) for j, h in enumerate(headers)]]
        grid += [[cell(v, j, lang) for j, v in enumerate(r)] for r in rows]
        widths = [max(display_width(g[j]) for g in grid) for j in range(n)]
        lines = []
        for g in grid:
            padded = []
            for j, text in enumerate(g):
                pad = " " * (widths[j] - display_width(text))
                padded.append(pad + text if align[j] == "r" else text + pad)
            lines.append("  ".join(padded).rstrip())
        return "\n".join(lines)

    return Text(render("en"), render("zh_TW"))


# -- Figures -------------------------------------------------------------------------------------
def _use_cjk_font() -> str | None:
    """Put a Traditional Chinese font after DejaVu Sans in matplotlib's font list.

    Latin letters, digits and math keep DejaVu Sans (the figures of both editions look alike);
    characters DejaVu lacks fall back to the Chinese font. Returns the font's name, or ``None``.
    """
    import matplotlib
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    if not names.intersection(CJK_FONTS):
        for pattern in _CJK_FONT_FILES:  # installed after matplotlib built its font cache
            for path in sorted(glob.glob(pattern)):
                font_manager.fontManager.addfont(path)
        names = {f.name for f in font_manager.fontManager.ttflist}
    font = next((f for f in CJK_FONTS if f in names), None)
    if font is not None:
        matplotlib.rcParams["font.family"] = ["DejaVu Sans", font]
    return font


@contextlib.contextmanager
def translated_figure(fig, lang: str = "zh_TW"):
    """Temporarily replace every text of ``fig`` that :func:`tr` knows by its ``lang`` version.

    Titles, axis labels, legend entries, annotations and fixed or categorical tick labels are
    translated; numbers and untranslated text stay as they are. The figure is restored on exit.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set_title(tr("loss", "損失"))
    >>> with translated_figure(fig):
    ...     print(ax.get_title())
    損失
    >>> ax.get_title()
    'loss'
    >>> plt.close(fig)
    """
    from matplotlib.text import Text as MplText

    if lang != "zh_TW":
        yield fig
        return
    undo = []
    for artist in fig.findobj(MplText):
        old = artist.get_text()
        if old in _catalogue:
            artist.set_text(_catalogue[old])
            undo.append(lambda a=artist, t=old: a.set_text(t))
    for ax in fig.axes:  # tick labels are made at draw time by the axis formatters
        for axis in ax._axis_map.values():
            for ticker in (axis.major, axis.minor):
                inner = ticker.formatter
                ticker.formatter = _translating_formatter(inner)
                undo.append(lambda t=ticker, f=inner: setattr(t, "formatter", f))
    try:
        yield fig
    finally:
        for restore in reversed(undo):
            restore()


def _translating_formatter(inner):
    """A tick formatter that formats as ``inner`` does, then translates known texts."""
    from matplotlib.ticker import Formatter

    class Translating(Formatter):
        def __call__(self, x, pos=None):
            text = inner(x, pos)
            return _catalogue.get(text, text)

        def format_ticks(self, values):
            return [_catalogue.get(t, t) for t in inner.format_ticks(values)]

        def set_locs(self, locs):
            inner.set_locs(locs)

        def get_offset(self):
            return inner.get_offset()

        def format_data(self, value):
            return inner.format_data(value)

        def format_data_short(self, value):
            return inner.format_data_short(value)

    wrapper = Translating()
    wrapper.axis = inner.axis
    return wrapper


def _visible_texts(fig) -> list[str]:
    from matplotlib.text import Text as MplText

    return sorted({t.get_text() for t in fig.findobj(MplText)
                   if t.get_visible() and t.get_text().strip()})


def _display_figure_in_both_languages(fig):
    """IPython display hook for figures in dual mode: one PNG per language, tagged."""
    from IPython import get_ipython
    from IPython.display import publish_display_data

    shell = get_ipython()
    from IPython.core.pylabtools import print_figure

    png = shell.display_formatter.formatters["image/png"]
    text = repr(fig)
    for lang in LANGUAGES:
        with translated_figure(fig, lang):
            data = png(fig)  # as the inline backend draws it
            if data is None:  # no inline backend active
                data = print_figure(fig, "png", bbox_inches="tight")
            shown = _visible_texts(fig)
        # The texts drawn are kept with the image, so a test can check that the Chinese
        # rendering has no English left (tests/book/test_zh_outputs.py).
        publish_display_data({"image/png": data, "text/plain": text},
                             metadata={METADATA_KEY: lang, TEXTS_KEY: shown})


def enable_dual_output() -> None:
    """Make this IPython kernel produce every figure and ``say`` line in both languages.

    The book's build calls this before a page runs; readers never need it. Outputs carry
    ``{"dlbook_lang": "en"}`` or ``{"dlbook_lang": "zh_TW"}`` in their metadata.

    Raises
    ------
    RuntimeError
        Outside IPython, or when no Traditional Chinese font is installed (figures would show
        empty boxes instead of characters; install Debian's ``fonts-noto-cjk``).

    Examples
    --------
    >>> enable_dual_output()  # doctest: +SKIP
    """
    global _dual
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        raise RuntimeError("enable_dual_output works inside an IPython kernel only")
    if _use_cjk_font() is None:
        raise RuntimeError("no Traditional Chinese font found for figures (tried "
                           f"{', '.join(CJK_FONTS)}); install Debian's fonts-noto-cjk")
    shell.display_formatter.ipython_display_formatter.for_type_by_name(
        "matplotlib.figure", "Figure", _display_figure_in_both_languages)
    _dual = True


if current_language() == "zh_TW":  # a reader who asked for Chinese gets Chinese figures
    try:
        _use_cjk_font()
    except ImportError:  # matplotlib is optional for the text helpers
        pass
