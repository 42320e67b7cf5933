"""Run notebook 07 or 08 on a real (or stand-in) dataset folder and record time, memory and headline metrics.

    python benchmarks/real_data.py 07 /data/chest_xray --label "Kaggle chest_xray"
    python benchmarks/real_data.py 07 /data/pneumoniamnist.npz --label "PneumoniaMNIST 28 px"
    python benchmarks/real_data.py 08 /data/Task02_Heart --label "Task02_Heart" --write-md
    python benchmarks/real_data.py 07 /data/chest_xray -p IMAGE_SIZE 64      # any notebook parameter

A benchmark, not a test: it executes the notebook in full mode (``--fast`` for fast mode) with papermill
(``-p DATASET <folder>``), in a fresh kernel, and measures the wall time, the CPU time (user + system) and the
peak resident memory of the kernel's process tree (papermill itself excluded), polling every 0.2 s. The headline
metrics come from ``results/<stem>.json``; the committed copy of that file is restored afterwards, so a benchmark
run never overwrites the built-in results. Rows go to ``benchmarks/real_data.json`` (one per notebook and label,
replaced on a rerun) and, with ``--write-md``, to the "Real data" section of ``benchmarks/results.md``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from benchmarks.benchmark import cpu_info  # noqa: E402
NOTEBOOKS = {"07": "07_pneumonia_classification", "08": "08_atrial_segmentation"}
HEADLINE = {"07": ("test_accuracy", "test_auc", "test_sensitivity", "test_specificity", "threshold", "n_train",
                   "n_val", "n_test", "rounds_run", "steps_run", "train_seconds"),
            "08": ("test_mean_dice", "test_std_dice", "test_mean_iou", "test_mean_hd95_mm", "train_seconds",
                   "test_mean_dice_network_only", "test_mean_dice_views", "threshold", "postprocessing", "fold",
                   "per_patient")}
JSON_OUT = ROOT / "benchmarks" / "real_data.json"
MD_OUT = ROOT / "benchmarks" / "results.md"
MD_HEADING = "## Real data"


class TreeMonitor:
    """Poll the descendants of a process: peak summed RSS (MB) and CPU seconds (user + system) per process."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        import psutil

        self._root = psutil.Process(pid)
        self._interval = interval
        self._cpu: dict[int, float] = {}
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                kids = self._root.children(recursive=True)
            except psutil.Error:
                return
            rss = 0
            for p in kids:
                try:
                    with p.oneshot():
                        rss += p.memory_info().rss
                        t = p.cpu_times()
                        self._cpu[p.pid] = t.user + t.system + t.children_user + t.children_system
                except psutil.Error:
                    pass
            self.peak_mb = max(self.peak_mb, rss / 2**20)
            self._stop.wait(self._interval)

    def stop(self) -> tuple[float, float]:
        """Stop polling; return (peak MB, CPU seconds of the kernel tree as last seen)."""
        self._stop.set()
        self._thread.join(timeout=2)
        return self.peak_mb, sum(self._cpu.values())


def run(nb: str, dataset: str, label: str, params: list[tuple[str, str]], fast: bool, timeout: int) -> dict:
    """Execute one notebook on ``dataset`` and return its benchmark row."""
    stem = NOTEBOOKS[nb]
    results = ROOT / "results" / ("fast" if fast else "") / f"{stem}.json"
    saved = results.read_bytes() if results.is_file() else None
    out_dir = ROOT / "build" / "real_data"
    out_dir.mkdir(parents=True, exist_ok=True)
    out_nb = out_dir / f"{stem}__{''.join(c if c.isalnum() else '_' for c in label)}.ipynb"
    cmd = [sys.executable, "-m", "papermill", str(ROOT / "notebooks" / f"{stem}.ipynb"), str(out_nb),
           "-p", "DATASET", dataset, "--cwd", str(ROOT / "notebooks"), "-k", "python3", "--log-level", "ERROR",
           "--execution-timeout", str(timeout)]
    for name, value in params:
        cmd += ["-p", name, value]
    env = {**os.environ, "MEDIMG_FAST": "1" if fast else "0"}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    monitor = TreeMonitor(proc.pid)
    log, _ = proc.communicate()
    wall = time.perf_counter() - start
    peak, cpu = monitor.stop()
    metrics: dict = {}
    try:
        if proc.returncode == 0 and results.is_file():
            data = json.loads(results.read_text())
            metrics = {k: data[k] for k in HEADLINE[nb] if k in data}
            metrics["dataset"] = data.get("dataset")
    finally:
        if saved is not None:
            results.write_bytes(saved)  # never leave a benchmark's numbers in the committed results
    return {"notebook": stem, "label": label, "command": " ".join(["papermill", f"notebooks/{stem}.ipynb", "out.ipynb",
            "-p", "DATASET", "<folder>"] + [f"-p {n} {v}" for n, v in params]) + (" (MEDIMG_FAST=1)" if fast else ""),
            "mode": "fast" if fast else "full", "ok": proc.returncode == 0, "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 1), "peak_mb": round(peak), "metrics": metrics,
            "error": "" if proc.returncode == 0 else log.strip().splitlines()[-1][:300] if log.strip() else "failed",
            "machine": {"cpus": os.cpu_count(), **cpu_info(), "load_1min": round(os.getloadavg()[0], 1),
                        "python": platform.python_version()},
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def md_rows(rows: list[dict]) -> list[str]:
    """The "Real data" section of benchmarks/results.md."""
    lines = [MD_HEADING, "", "Written by `python benchmarks/real_data.py` (papermill, fresh kernel; CPU and peak memory of "
             "the kernel's process tree). The machine's load average at the end of the run is given because it is "
             "shared, and the CPU's matrix-multiply speed because two-core machines differ almost fourfold in "
             "training time.", "",
             "| notebook | data | mode | wall (s) | CPU (s) | peak (MB) | headline metrics | load | CPU speed | date |",
             "|---|---|---|---:|---:|---:|---|---:|---|---|"]
    for r in rows:
        m = r["metrics"]
        shown = ", ".join(f"{k.replace('test_', '')} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                          for k, v in m.items() if k != "dataset" and k in HEADLINE.get(r["notebook"][:2], ())[:5])
        status = shown if r["ok"] else f"FAILED: {r['error']}"
        lines.append(f"| {r['notebook']} | {r['label']} | {r['mode']} | {r['wall_s']:.0f} | {r['cpu_s']:.0f} | "
                     f"{r['peak_mb']} | {status} | {r['machine']['load_1min']} | "
                     f"{r['machine'].get('matmul', 'not recorded')} | {r['date']} |")
    return lines


def write_md(rows: list[dict]) -> None:
    """Replace (or append) the "Real data" section of benchmarks/results.md, leaving the rest untouched."""
    text = MD_OUT.read_text() if MD_OUT.is_file() else "# Benchmark results\n"
    section = "\n".join(md_rows(rows)) + "\n"
    if MD_HEADING in text:
        head, rest = text.split(MD_HEADING, 1)
        nxt = rest.find("\n## ")
        text = head + section + (rest[nxt + 1:] if nxt >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    MD_OUT.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", choices=sorted(NOTEBOOKS), help="07 or 08")
    parser.add_argument("dataset", help="the DATASET parameter: a folder or file (or a source name)")
    parser.add_argument("--label", default="", help="a short name for the data in the tables")
    parser.add_argument("-p", "--param", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="another notebook parameter")
    parser.add_argument("--fast", action="store_true", help="fast mode (MEDIMG_FAST=1)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell")
    parser.add_argument("--write-md", action="store_true", help="update the Real data section of results.md")
    args = parser.parse_args(argv)
    dataset = str(Path(args.dataset).expanduser().resolve()) if Path(args.dataset).expanduser().exists() \
        else args.dataset
    label = args.label or Path(args.dataset).name
    row = run(args.notebook, dataset, label, [tuple(p) for p in args.param], args.fast, args.timeout)
    rows = json.loads(JSON_OUT.read_text()) if JSON_OUT.is_file() else []
    rows = [r for r in rows if (r["notebook"], r["label"], r["mode"]) != (row["notebook"], label, row["mode"])]
    rows.append(row)
    JSON_OUT.write_text(json.dumps(rows, indent=1) + "\n")
    print("\n".join(md_rows([row])[4:]))
    if args.write_md:
        write_md(rows)
    return 0 if row["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
