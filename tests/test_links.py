"""Links in the README, the docs and the notebooks' Markdown cells: internal ones must resolve (always tested,
no network). External ones are checked only on demand: python -m utils.links --external (needs network)."""
from pathlib import Path

from utils.links import broken_internal, external, links

ROOT = Path(__file__).resolve().parent.parent


def test_link_extraction_skips_code():
    text = "[a](x.md) `[b](y.md)` [![img](i.svg)](https://z.org)\n```\n[c](w.md)\n```"
    assert links(text) == ["x.md", "i.svg", "https://z.org"]


def test_broken_internal_links_are_found(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "README.md").write_text("[ok](docs/INSTRUCTORS.md) [gone](docs/missing.md#x) [web](https://x.org)")
    (tmp_path / "docs" / "INSTRUCTORS.md").write_text("[up](../README.md) [anchor](#top)")
    assert broken_internal(tmp_path) == ["README.md: docs/missing.md#x"]


def test_every_internal_link_resolves():
    assert broken_internal(ROOT) == []


def test_external_links_are_listed_for_the_network_check():
    urls = external(ROOT)
    assert any("mybinder.org" in u for u in urls) and all(u.startswith(("http://", "https://")) for u in urls)
