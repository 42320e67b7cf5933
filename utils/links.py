"""Link check over the README, the docs, data/README.md and the notebooks' Markdown cells.

    python -m utils.links              # internal links (files and folders in the repository): no network
    python -m utils.links --external   # also every http(s) link, with a HEAD/GET request each (needs network)

The tests run the internal check (tests/test_links.py); the external one is never part of the tests.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Iterator, Sequence

from .config import ROOT

LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
DOCS = ("README.md", "docs/INSTRUCTORS.md", "docs/STYLE.md", "data/README.md", "benchmarks/README.md")


def markdown_sources(root: Path = ROOT) -> Iterator[tuple[str, str]]:
    """(repository path, Markdown text) for every doc and every notebook Markdown cell."""
    import nbformat

    for doc in DOCS:
        if (root / doc).is_file():
            yield doc, (root / doc).read_text(encoding="utf-8")
    for path in sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "markdown":
                yield f"notebooks/{path.name} (cell {i + 1})", cell.source


def links(text: str) -> list[str]:
    """Link targets in Markdown text, outside code spans and fenced blocks."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r"`[^`]*`", "", text)
    return LINK.findall(text)


def broken_internal(root: Path = ROOT) -> list[str]:
    """Relative links whose file or folder does not exist."""
    bad = []
    for where, text in markdown_sources(root):
        base = (root / where.split(" ")[0]).parent
        for target in links(text):
            if re.match(r"^[a-z][a-z0-9+.-]*:|^#", target):
                continue
            path = target.split("#", 1)[0]
            if path and not (base / path).exists():
                bad.append(f"{where}: {target}")
    return bad


def external(root: Path = ROOT) -> list[str]:
    """Every distinct http(s) link."""
    found = {t for _, text in markdown_sources(root) for t in links(text) if t.startswith(("http://", "https://"))}
    return sorted(found)


def check_external(urls: Sequence[str], timeout: float = 15) -> list[str]:
    """URLs that do not answer with a success or a redirect (needs network)."""
    import urllib.error
    import urllib.request

    bad = []
    for url in urls:
        for method in ("HEAD", "GET"):
            try:
                req = urllib.request.Request(url, method=method, headers={"User-Agent": "medimg-course-linkcheck"})
                with urllib.request.urlopen(req, timeout=timeout):
                    break
            except urllib.error.HTTPError as exc:
                if method == "GET":
                    bad.append(f"{url}: HTTP {exc.code}")
            except (urllib.error.URLError, OSError) as exc:
                if method == "GET":
                    bad.append(f"{url}: {exc}")
    return bad


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.links", description=__doc__.splitlines()[0])
    parser.add_argument("--external", action="store_true", help="also request every http(s) link (network)")
    args = parser.parse_args(argv)
    bad = broken_internal()
    if args.external:
        urls = external()
        print(f"Checking {len(urls)} external links ...")
        bad += check_external(urls)
    for line in bad:
        print(line)
    print("All links resolve." if not bad else f"{len(bad)} broken link(s).")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
