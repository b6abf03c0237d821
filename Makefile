# dlbook: two commands do all the set-up on a fresh machine with Python 3.11 and make.
#   make book   create .venv, install the pinned stack, build the site in both languages
#   make test   everything `make book` does, then every test (unit, cross-checks, doctests,
#               twin check, browser test against the built site)
#   make serve  serve the built site on http://127.0.0.1:8000
#   make data   (run by make book) the offline text data (corpora, verse pairs, Chinese texts)
#   make execute (run by make book) run the pages whose code or inputs changed, JOBS at a time

PYTHON   ?= python3
VENV     := .venv
PY       := $(VENV)/bin/python
STAMP    := $(VENV)/.installed
BUILD    := _build
SITE     := $(BUILD)/site
SPHINX   := $(PY) -m sphinx
# Warnings are errors in every build: a broken reference or a failing cell stops the build.
SPHINXOPTS ?= -W --keep-going
PORT     ?= 8000
SUDO     := $(shell [ "$$(id -u)" = 0 ] || command -v sudo >/dev/null && [ "$$(id -u)" != 0 ] && echo sudo)

.PHONY: book test serve install browser-deps unit clean clean-cache lock data fonts execute

install: $(STAMP)

$(STAMP): requirements/book.txt requirements/lock.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements/lock.txt -r requirements/book.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# Pages run before Sphinx (tools/execute_pages.py): JOBS at a time, once per twin pair, only
# those whose code or inputs changed; each run stores both editions' outputs in the edition's
# execution cache.  Sphinx then only reads those caches, so the two editions build side by side;
# it must never execute a page itself (that would show a page without its Chinese outputs), so
# the build fails if it did.  The full Sphinx logs go to _build/<lang>.log.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
sphinx_cmd = $(SPHINX) -b html -c . -D language=$(2) -d $(BUILD)/$(1)/doctrees book/$(1) \
	$(BUILD)/$(1)/html $(SPHINXOPTS) > $(BUILD)/$(1).log 2>&1
define report_language
	echo "== book/$(1): $$(grep -c 'Using cached notebook' $(BUILD)/$(1).log || true) pages read" \
	  "from the execution cache (log: $(BUILD)/$(1).log)"; \
	n=$$(grep -c 'Executing notebook' $(BUILD)/$(1).log || true); [ "$$n" = 0 ] || \
	  { echo "== Sphinx executed $$n page(s) itself: run tools/execute_pages.py first"; exit 1; }
endef
define fail_language
	{ grep -v '^\[IPKernelApp\]' $(BUILD)/$(1).log | tail -80; echo "== build of book/$(1) failed"; }
endef

# A Traditional Chinese font for the figures of the Chinese edition (Debian's Noto Sans CJK TC).
FONT_DEBS := fonts-noto-cjk
fonts:
	@dpkg -s $(FONT_DEBS) >/dev/null 2>&1 || { \
	  echo "== installing Debian's $(FONT_DEBS) for the Chinese figures"; \
	  $(SUDO) apt-get install -y -qq --no-install-recommends $(FONT_DEBS) >/dev/null 2>&1 || \
	  { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends $(FONT_DEBS) >/dev/null; }; }

# Offline data from Debian packages (apt), each built atomically with a SHA-256 manifest:
#   data/corpus       Part 3's English corpus (dlbook/data/build_corpus.py)
#   data/bible_es_en  Spanish-English verse pairs (dlbook/data/build_bible_pairs.py)
#   data/zh           Chinese poems and sayings, Traditional and Simplified (build_chinese.py)
#   data/speech       spoken digit strings and words recorded with espeak-ng (build_speech.py)
# espeak-ng is the speech synthesizer the speech chapter records its clips with.
# Where apt is unavailable the pages fall back (or say what is missing).
DATA_DEBS := sword-text-web bible-kjv bible-kjv-text fortunes wordnet-base sword-text-sparv \
	fortunes-zh espeak-ng
CORPUS    := data/corpus/MANIFEST.json
DATA      := $(CORPUS) data/bible_es_en/MANIFEST.json data/zh/MANIFEST.json \
	data/speech/MANIFEST.json

data: $(DATA)

data/.debs: | $(STAMP)
	@missing=$$(for p in $(DATA_DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "== installing Debian packages for the offline data: $$missing"; \
	  { $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null 2>&1 || \
	    { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; }; } \
	  || echo "== apt could not install $$missing: building the data from what is there"; \
	fi
	@mkdir -p data && touch $@

$(CORPUS): dlbook/data/build_corpus.py data/.debs | $(STAMP)
	@echo "== building the Part 3 corpus (data/corpus)"
	@$(PY) -m dlbook.data.build_corpus

data/bible_es_en/MANIFEST.json: dlbook/data/build_bible_pairs.py data/.debs | $(STAMP)
	@echo "== aligning the Spanish and English Bibles (data/bible_es_en)"
	@$(PY) -m dlbook.data.build_bible_pairs

data/zh/MANIFEST.json: dlbook/data/build_chinese.py data/.debs | $(STAMP)
	@echo "== building the Chinese texts (data/zh)"
	@$(PY) -m dlbook.data.build_chinese

data/speech/MANIFEST.json: dlbook/data/build_speech.py data/.debs | $(STAMP)
	@echo "== recording the speech clips with espeak-ng (data/speech)"
	@$(PY) -m dlbook.data.build_speech


execute: $(STAMP) $(DATA) fonts
	@$(PY) tools/execute_pages.py --jobs $(JOBS)

book: execute
	@echo "== building book/en and book/zh-TW side by side"
	@mkdir -p $(BUILD)
	@$(call sphinx_cmd,en,en) & en=$$!; $(call sphinx_cmd,zh-TW,zh_TW) & zh=$$!; \
	  wait $$en; a=$$?; wait $$zh; b=$$?; \
	  [ $$a = 0 ] || $(call fail_language,en); [ $$b = 0 ] || $(call fail_language,zh-TW); \
	  [ $$a = 0 ] && [ $$b = 0 ]
	@$(call report_language,en)
	@$(call report_language,zh-TW)
	@mkdir -p $(SITE)
	@cp book/_static/site_index.html $(SITE)/index.html
	@ln -sfn ../en/html $(SITE)/en
	@ln -sfn ../zh-TW/html $(SITE)/zh-TW
	@echo "== site ready in $(SITE) (make serve)"

# Debian's chromium for the browser test, and tesseract with its Traditional Chinese model to
# read a figure of the Chinese edition back from a screenshot (CI runs as root; elsewhere sudo).
BROWSER_DEBS := chromium tesseract-ocr tesseract-ocr-chi-tra
browser-deps:
	@missing=$$(for p in $(BROWSER_DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	[ -z "$$missing" ] || { echo "== installing Debian's $$missing for the browser test"; \
	  $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null 2>&1 || \
	  { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; }; }

unit: $(STAMP)
	$(PY) -m pytest -m "not browser"

test: book browser-deps
	$(PY) -m ruff check dlbook tests tools benchmarks conf.py
	DLBOOK_REQUIRE_SITE=1 $(PY) -m pytest

serve:
	@test -d $(SITE) || { echo "no site yet: run make book"; exit 1; }
	$(PY) -m http.server $(PORT) --bind 127.0.0.1 --directory $(SITE)

lock: $(STAMP)
	$(PY) -m pip freeze --exclude-editable | sed 's/^torch==\(.*\)+cpu/torch==\1/' > requirements/lock.tmp
	( head -2 requirements/lock.txt; cat requirements/lock.tmp ) > requirements/lock.new && rm requirements/lock.tmp
	mv requirements/lock.new requirements/lock.txt

clean:
	rm -rf $(BUILD) data

clean-cache:
	rm -rf $(BUILD)/.jupyter_cache $(BUILD)/exec
