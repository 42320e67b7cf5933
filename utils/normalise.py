"""Notebook metadata as JupyterLab 4 writes it, and solution cells collapsed (source and outputs).

    python -m utils.normalise --check notebooks/*.ipynb   # list what differs; exit 1 if anything does
    python -m utils.normalise --fix notebooks/*.ipynb     # rewrite the files in place

JupyterLab sets ``kernelspec`` from the running kernel's spec (ipykernel's ``kernel.json``) and
``language_info`` from its kernel-info reply as soon as a notebook connects; when the saved values differ, a
learner who changed nothing is asked to save. This module writes exactly those values, and the file layout
(one-space indent, a newline at the end) that JupyterLab's save produces.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Sequence

# What ipykernel's kernel.json and kernel-info reply say (JupyterLab copies them into the notebook).
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}
HIDDEN = {"source_hidden": True, "outputs_hidden": True}


def is_solution(cell: dict[str, Any]) -> bool:
    """A cell tagged ``solution``."""
    return "solution" in cell.get("metadata", {}).get("tags", [])


def problems(nb: dict[str, Any]) -> list[str]:
    """What differs from the normal form (empty when the notebook is normal)."""
    found = []
    meta = nb.get("metadata", {})
    if meta.get("kernelspec") != KERNELSPEC:
        found.append(f"kernelspec is {meta.get('kernelspec')}, JupyterLab writes {KERNELSPEC}")
    info = meta.get("language_info", {})
    wrong = {k: info.get(k) for k, v in LANGUAGE_INFO.items() if info.get(k) != v}
    if wrong or "version" not in info:
        found.append(f"language_info differs from ipykernel's: {wrong or 'no version'}")
    if (nb.get("nbformat"), nb.get("nbformat_minor")) != (4, 5):
        found.append(f"nbformat {nb.get('nbformat')}.{nb.get('nbformat_minor')}, JupyterLab 4 writes 4.5")
    for i, cell in enumerate(nb.get("cells", [])):
        if "id" not in cell:
            found.append(f"cell {i + 1} has no id")
        if is_solution(cell) and cell.get("metadata", {}).get("jupyter") != HIDDEN:
            found.append(f"solution cell {i + 1} is not collapsed as {HIDDEN}")
    return found


def normalise(nb: dict[str, Any], python_version: str | None = None) -> dict[str, Any]:
    """Return ``nb`` with JupyterLab's metadata and collapsed solution cells (changed in place too)."""
    import nbformat

    meta = nb.setdefault("metadata", {})
    meta["kernelspec"] = dict(KERNELSPEC)
    version = meta.get("language_info", {}).get("version") or python_version or ".".join(map(str, sys.version_info[:3]))
    meta["language_info"] = {**LANGUAGE_INFO, "version": version}
    nb["nbformat"], nb["nbformat_minor"] = 4, 5
    for cell in nb.get("cells", []):
        if "id" not in cell:
            cell["id"] = nbformat.v4.new_code_cell().id
        if is_solution(cell):
            cell.setdefault("metadata", {})["jupyter"] = dict(HIDDEN)
    return nb


def dumps(nb: dict[str, Any]) -> str:
    """The file text JupyterLab saves: sorted keys, one-space indent, sources as lists of lines, final newline."""
    import nbformat

    return nbformat.writes(nbformat.from_dict(nb), version=4) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.normalise", description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--check", action="store_true", help="report notebooks that are not normal (exit 1)")
    group.add_argument("--fix", action="store_true", help="rewrite notebooks in place")
    parser.add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args(argv)
    bad = 0
    for path in args.paths:
        nb = json.loads(path.read_text(encoding="utf-8"))
        found = problems(nb)
        if args.fix:
            text = dumps(normalise(nb))
            if text != path.read_text(encoding="utf-8"):
                path.write_text(text, encoding="utf-8")
                print(f"fixed {path}")
        elif found:
            bad += 1
            print(f"{path}:\n  " + "\n  ".join(found))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
