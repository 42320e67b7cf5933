"""Fetch files into the data cache: hash-verified, atomic, with errors that say how to fix things by hand.

    path = fetch(pneumoniamnist(64))           # data/pneumoniamnist/pneumoniamnist_64.npz
    folder = fetch_extracted(get_source("task02_heart"))   # data/Task02_Heart/

Before a workshop without network: ``python -m utils.download --all`` (or name sources) fills the data folder.

A file is written under a temporary name in its final folder, verified, then renamed into place, so the cache
never holds a half-downloaded file. With ``MEDIMG_OFFLINE=1`` nothing touches the network.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import sys
from pathlib import Path, PurePosixPath
from typing import IO, Any, Sequence

from .config import display_path, get_config
from .sources import SOURCES, Source, get_source

CHUNK = 1 << 20
USER_AGENT = "medimg-course (python urllib)"


class DownloadError(RuntimeError):
    """A download failed; the message says why, the URL to fetch by hand and where to save the file."""


class OfflineError(DownloadError):
    """The file is not cached and ``MEDIMG_OFFLINE=1`` forbids the network."""


def file_hash(path: Path, algorithm: str = "md5") -> str:
    """Hex digest of a file, read in chunks."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _expected(md5: str | None, sha256: str | None) -> tuple[str, str] | None:
    if sha256:
        return "sha256", sha256.lower()
    if md5:
        return "md5", md5.lower()
    return None


def _howto(url: str | None, dest: Path, expected: tuple[str, str] | None, source: Source | None = None) -> str:
    """The 'how to fix it by hand' part of an error message."""
    if source is not None and source.manual_only:
        return (f"\n  To fix: download it by hand from {source.homepage}\n  and unpack it so that "
                f"{display_path(get_config().data_dir).rstrip('/')}/{source.manual_layout} exists "
                f"(see data/README.md).")
    check = f" (expected {expected[0].upper()} {expected[1]})" if expected else ""
    extracted = (f",\n  or put the extracted folder at {display_path(source.folder_path)}"
                 if source is not None and source.folder_path is not None else "")
    return (f"\n  To fix: download it by hand from {url}\n  and save it as {display_path(dest)}{check}{extracted},"
            f"\n  or set MEDIMG_DATA_DIR to a folder that already holds it.")


def fetch(source_or_url: Source | str, *, filename: str | None = None, md5: str | None = None,
          sha256: str | None = None, subdir: str | None = None, timeout: float = 60.0,
          progress: bool = True) -> Path:
    """Return the local path of a verified file, downloading it into ``<data root>/<subdir>/`` if needed.

    ``source_or_url`` is a manifest entry (``utils.sources``) or a URL; for a URL, ``filename`` defaults to the
    URL's last path segment and ``subdir`` to ``"downloads"``. Keyword hashes override the manifest's.
    A cached file with a matching hash is returned without touching the network; one with a wrong hash is
    downloaded again. Raises ``OfflineError`` under ``MEDIMG_OFFLINE=1`` and ``DownloadError`` on any failure.
    """
    src = source_or_url if isinstance(source_or_url, Source) else None
    if src is not None:
        url, md5, sha256 = src.url, md5 or src.md5, sha256 or src.sha256
        filename, subdir = filename or src.filename, subdir if subdir is not None else src.subdir
    else:
        url = str(source_or_url)
        filename = filename or PurePosixPath(urllib.parse.urlsplit(url).path).name
        subdir = "downloads" if subdir is None else subdir
    if not filename:
        raise ValueError(f"Cannot tell a file name from {url!r}; pass filename=")
    cfg = get_config()
    dest = cfg.data_dir / subdir / filename
    expected = _expected(md5, sha256)
    howto = _howto(url, dest, expected, src)

    stale = ""
    if dest.is_file():
        if expected is None:
            return dest
        actual = file_hash(dest, expected[0])
        if actual == expected[1]:
            return dest
        stale = f" (the cached copy has {expected[0].upper()} {actual}, expected {expected[1]})"
    if url is None:
        raise DownloadError(f"{src.name if src else filename} has no direct download link{stale}." + howto)
    if cfg.offline:
        reason = f"{filename} is corrupt{stale}" if stale else f"{filename} is not in the data folder"
        raise OfflineError(f"{reason} and MEDIMG_OFFLINE=1 forbids downloading it." + howto)
    if stale:
        print(f"Downloading {filename} again: the cached copy does not match its checksum.")
        dest.unlink()
    dest.parent.mkdir(parents=True, exist_ok=True)
    _download(url, dest, expected, howto, timeout=timeout, progress=progress)
    return dest


def _download(url: str, dest: Path, expected: tuple[str, str] | None, howto: str, *, timeout: float,
              progress: bool) -> None:
    """Stream ``url`` into a temporary file next to ``dest``, verify it, then rename it into place."""
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    digest = hashlib.new(expected[0]) if expected else None
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    total = int(response.headers.get("Content-Length") or 0)
                    received = _copy(response, out, digest, total, dest.name, progress)
            except urllib.error.HTTPError as exc:
                raise DownloadError(f"Downloading {dest.name} failed: HTTP {exc.code} {exc.reason} from {url}."
                                    + howto) from exc
            except urllib.error.URLError as exc:
                kind = "timed out" if isinstance(exc.reason, TimeoutError) else "failed"
                raise DownloadError(f"Downloading {dest.name} {kind}: {exc.reason} ({url})." + howto) from exc
            except http.client.HTTPException as exc:  # for example IncompleteRead in a chunked response
                raise DownloadError(f"Downloading {dest.name} was interrupted: {exc!r} ({url})." + howto) from exc
            except TimeoutError as exc:  # socket.timeout is TimeoutError since Python 3.10
                raise DownloadError(f"Downloading {dest.name} timed out: no data for {timeout:g} s from {url}."
                                    + howto) from exc
            except OSError as exc:  # connection reset, disk full, ...
                raise DownloadError(f"Downloading {dest.name} failed: {exc} ({url})." + howto) from exc
        if total and received != total:
            raise DownloadError(f"Downloading {dest.name} was interrupted: received {received} of {total} bytes."
                                + howto)
        if expected and digest is not None and digest.hexdigest() != expected[1]:
            raise DownloadError(f"Downloaded {dest.name} but its {expected[0].upper()} is {digest.hexdigest()}, "
                                f"expected {expected[1]}: the file is damaged or has changed upstream." + howto)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def _copy(response: IO[bytes], out: IO[bytes], digest: Any, total: int, label: str, progress: bool) -> int:
    """Copy the response body in chunks, updating the hash and an optional progress bar; return the bytes."""
    from tqdm.auto import tqdm

    received = 0
    with tqdm(total=total or None, unit="B", unit_scale=True, unit_divisor=1024, desc=label,
              disable=not progress, leave=False) as bar:
        while block := response.read(CHUNK):
            out.write(block)
            if digest is not None:
                digest.update(block)
            received += len(block)
            bar.update(len(block))
    return received


def extract_tar(path: Path | str, dest: Path | str) -> Path:
    """Extract a tar archive into ``dest`` safely and return ``dest``.

    Refuses archives with members that would land outside ``dest`` (absolute paths, ``..``, links pointing
    out), extracts with ``tarfile``'s ``"data"`` filter, and skips macOS ``._*`` resource-fork files.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    with tarfile.open(path) as tar:
        members = []
        for member in tar.getmembers():
            target = (root / member.name).resolve()
            if not target.is_relative_to(root) or PurePosixPath(member.name).is_absolute():
                raise DownloadError(f"Refusing to extract {Path(path).name}: member {member.name!r} would be "
                                    f"written outside {display_path(dest)}.")
            if member.issym() or member.islnk():
                link = (target.parent / member.linkname).resolve() if member.issym() else \
                    (root / member.linkname).resolve()
                if not link.is_relative_to(root):
                    raise DownloadError(f"Refusing to extract {Path(path).name}: link {member.name!r} points "
                                        f"outside {display_path(dest)}.")
            if not PurePosixPath(member.name).name.startswith("._"):
                members.append(member)
        try:
            tar.extractall(dest, members=members, filter="data")
        except tarfile.FilterError as exc:
            raise DownloadError(f"Refusing to extract {Path(path).name}: {exc}") from exc
    return dest


def fetch_extracted(source: Source, *, timeout: float = 60.0, progress: bool = True) -> Path:
    """The extracted folder of an archive source (``<data root>/<source.folder>``), fetching it if missing.

    An existing folder is returned as it is, without network, so a copied or hand-extracted dataset works.
    """
    folder = source.folder_path
    if folder is None:
        raise ValueError(f"{source.name} is a single file, not an archive; use fetch()")
    if folder.is_dir() and any(folder.iterdir()):
        return folder
    archive = fetch(source, timeout=timeout, progress=progress)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{source.folder}.", suffix=".extracting"))
    try:
        extract_tar(archive, staging)
        if not (staging / source.folder).is_dir():
            raise DownloadError(f"{archive.name} has no folder {source.folder}/ at its top level.")
        if folder.is_dir():  # an empty folder left from before
            folder.rmdir()
        os.replace(staging / source.folder, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def main(argv: Sequence[str] | None = None) -> int:
    """Pre-download sources into the data folder (archives are extracted), for a room without network."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m utils.download", description=main.__doc__)
    parser.add_argument("names", nargs="*", help=f"sources: {', '.join(SOURCES)}")
    parser.add_argument("--all", action="store_true", help="every source with a direct download link")
    args = parser.parse_args(argv)
    names = [s.name for s in SOURCES.values() if not s.manual_only] if args.all else args.names
    if not names:
        parser.error("name at least one source, or pass --all")
    failed = 0
    for name in names:
        try:
            source = get_source(name)
            path = fetch_extracted(source) if source.folder else fetch(source)
            print(f"✓ {name}: {display_path(path)}")
        except (KeyError, DownloadError) as exc:
            failed += 1
            print(f"✗ {name}: {exc.args[0] if isinstance(exc, KeyError) else exc}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
