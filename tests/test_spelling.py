"""Spelling of the prose: the notebooks' Markdown cells and the docs, checked offline with pyspellchecker's
English dictionary plus the course word list (tests/spelling_words.txt: names, British spellings, terms).
A new term goes into the word list; a typo gets fixed where it is."""
import re
from pathlib import Path

import pytest

spellchecker = pytest.importorskip("spellchecker", reason="pyspellchecker is pinned in requirements.txt")

from utils.links import markdown_sources  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WORDS = Path(__file__).with_name("spelling_words.txt")


def prose_words(text: str) -> list[str]:
    """Lower-case words of Markdown prose: no code, math, links, HTML, all-caps acronyms or camelCase names."""
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]*\$", " ", text, flags=re.S)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"https?://\S+|<[^>]+>", " ", text)
    text = re.sub(r"\*\*([A-Za-z])\*\*(?=[a-z])", r"\1", text)  # **R**ight, **A**nterior
    words = []
    for word in re.findall(r"[A-Za-z][A-Za-z']*[A-Za-z]", text):
        if word.isupper() or re.search(r"[a-z][A-Z]", word):
            continue
        word = word.lower()
        words.append(word[:-2] if word.endswith("'s") else word)
    return words


def unknown_words() -> dict[str, str]:
    """Words neither the dictionary nor the course word list knows, with where each first appears."""
    known = {w.strip().lower() for w in WORDS.read_text(encoding="utf-8").splitlines()
             if w.strip() and not w.startswith("#")}
    checker = spellchecker.SpellChecker(language="en")
    found: dict[str, str] = {}
    for where, text in markdown_sources(ROOT):
        for word in set(prose_words(text)) - known:
            if word not in found and checker.unknown([word]):
                found[word] = where
    return found


def test_prose_words_skip_code_math_and_links():
    text = "A `np.zeros` call, $\\mu$, [the docs](https://x.org/abc), **R**ight, DICOM and pixelArray: tumour's"
    assert prose_words(text) == ["call", "the", "docs", "right", "and", "tumour"]


def test_prose_is_spelled_right():
    found = unknown_words()
    assert not found, "unknown words (fix them, or add real terms to tests/spelling_words.txt):\n" + "\n".join(
        f"  {w}  ({where})" for w, where in sorted(found.items()))
