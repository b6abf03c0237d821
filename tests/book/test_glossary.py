"""The glossary is the authority on terms: both language pages must list the same pairs."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _conf():
    spec = importlib.util.spec_from_file_location("dlbook_conf", ROOT / "conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_both_glossaries_list_the_same_pairs():
    conf = _conf()
    zh = conf.glossary_terms("zh-TW")
    en = conf.glossary_terms("en")
    assert len(zh) > 50
    missing_in_en = sorted(set(zh) - set(en))
    missing_in_zh = sorted(set(en) - set(zh))
    assert not missing_in_en and not missing_in_zh, (missing_in_en, missing_in_zh)


def test_one_term_per_concept():
    pairs = _conf().glossary_terms("zh-TW")
    zh_terms = [zh for zh, _ in pairs]
    en_terms = [en for _, en in pairs]
    assert len(set(zh_terms)) == len(zh_terms), "a Chinese term appears twice"
    assert len(set(en_terms)) == len(en_terms), "an English term appears twice"


def test_search_dictionary_keeps_compound_terms_whole():
    import jieba

    conf = _conf()
    tokenizer = jieba.Tokenizer()           # a private one: the global jieba stays as shipped
    tokenizer.load_userdict(str(conf._write_search_dictionary()))
    words = set(tokenizer.cut_for_search("以梯度下降最小化損失函數，激勵函數的導數決定反向傳播的梯度"))
    for term in ("梯度下降", "損失函數", "激勵函數", "反向傳播"):
        assert term in words, (term, sorted(words))
