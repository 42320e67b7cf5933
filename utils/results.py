"""Headline metrics written to ``results/<notebook stem>.json`` so runs can be compared."""
from __future__ import annotations

import json
import math
from typing import Any, Mapping

from .config import display_path, get_config


def _plain(value: Any) -> Any:
    """Convert NumPy scalars and arrays (and nested containers) to JSON-friendly Python values."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    return value


def save_results(stem: str, metrics: Mapping[str, Any]) -> None:
    """Write ``metrics`` (plus the mode) to the results folder and print where they went."""
    cfg = get_config()
    cfg.results_dir.mkdir(parents=True, exist_ok=True)
    path = cfg.results_dir / f"{stem}.json"
    payload = {"notebook": stem, "mode": cfg.mode, **_plain(dict(metrics))}
    path.write_text(json.dumps(payload, indent=2, sort_keys=False) + "\n")
    print(f"Saved {len(metrics)} metrics to {display_path(path)}")


def load_results(stem: str) -> dict[str, Any]:
    """Read back a notebook's saved metrics (raises ``FileNotFoundError`` with a hint)."""
    path = get_config().results_dir / f"{stem}.json"
    if not path.is_file():
        raise FileNotFoundError(f"No results at {display_path(path)}: run notebook {stem} first.")
    return json.loads(path.read_text())
