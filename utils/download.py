"""Fetch files into the data cache: hash-verified, atomic, with errors that say how to fix things by hand.

    path = fetch(pneumoniamnist(64))           # data/pneumoniamnist/pneumoniamnist_64.npz
    folder = fetch_extracted(get_source("task02_heart"))   # data/Task02_Heart/

Before a workshop without network: ``python -m utils.download --all`` (or name sources) fills the data folder.

A file is written under a temporary name in its final folder (``.<name>.<pid>.part``), verified, then renamed
into place, so the cache never holds a half-downloaded file. A ``.part`` file left by a process that was killed is
removed by the next call. A cached file with a wrong checksum is replaced only once the new download has verified
(a failed download keeps it). A file without a checksum counts as cached only if its size matched the server's
Content-Length (recorded in ``.<name>.complete``). With ``MEDIMG_OFFLINE=1`` nothing touches the network.

A data folder that cannot hold files (read-only, or a file where a folder should be) raises
:class:`DataFolderError`, a :class:`DownloadError`, so the loaders' ``auto`` sources fall back to built-in data.
"""
from __future__ import annotations

import errno
import hashlib
import http.client
import json
import os
import shutil
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import sys
from pathlib import Path, PurePosixPath
from typing import IO, Any, Sequence

from .config import display_path, get_config
from .errors import CourseDataError
from .sources import SOURCES, Source, get_source

CHUNK = 1 << 20
STALE_SECONDS = 3600  # a temporary file without a process id in its name is left alone for this long
USER_AGENT = "medimg-course (python urllib)"


class DownloadError(RuntimeError):
    """A download failed; the message says why, the URL to fetch by hand and where to save the file."""


class OfflineError(DownloadError):
    """The file is not cached and ``MEDIMG_OFFLINE=1`` forbids the network."""


class DataFolderError(DownloadError, CourseDataError):
    """The data folder cannot hold files: it is read-only, or a file sits where a folder should be.

    A :class:`DownloadError` (the loaders' ``auto`` sources catch it and use built-in data) and a
    :class:`~utils.errors.CourseDataError` (the message names the path, the problem and the fix).
    """

    def __init__(self, problem: str, *, path: str | Path | None = None, expected: str | None = None,
                 fix: str | None = None) -> None:
        CourseDataError.__init__(self, problem, path=path, expected=expected, fix=fix)


_FOLDER_FIX = "Make it a writable folder (chmod u+w, or remove the file in its place), or set MEDIMG_DATA_DIR to one"


def ensure_writable_folder(folder: Path) -> Path:
    """Create ``folder`` (and parents) if needed and prove a file can be written there; else DataFolderError."""
    for parent in [folder, *folder.parents]:
        if parent.exists() and not parent.is_dir():
            raise DataFolderError("this is a file, not a folder, so the data cannot be stored under it", path=parent,
                                  expected="a folder", fix=_FOLDER_FIX)
        if parent.is_dir():
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".write-test.")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        kind = "read-only" if isinstance(exc, PermissionError) or exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM) \
            else f"not usable ({exc.strerror or exc})"
        raise DataFolderError(f"the data folder is {kind}: cannot create files in it", path=folder,
                              expected="a folder this user can write to", fix=_FOLDER_FIX) from exc
    return folder


def _pid_alive(pid: int) -> bool:
    try:
        import psutil

        return psutil.pid_exists(pid)
    except ImportError:  # pragma: no cover - psutil is in requirements.txt
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except OSError:
            return True
        return True


def remove_stale_parts(folder: Path, name: str) -> list[Path]:
    """Delete ``.<name>.<pid>.part`` files and ``.<name>.<pid>.extracting`` folders whose process is gone."""
    removed = []
    if not folder.is_dir():
        return removed
    for leftover in folder.glob(f".{name}.*"):
        parts = leftover.name[len(name) + 2:].split(".")
        if leftover.suffix not in (".part", ".extracting") or len(parts) < 2:
            continue
        if parts[0].isdigit():
            pid = int(parts[0])
            if pid != os.getpid() and _pid_alive(pid):
                continue  # another process is downloading it right now
        elif time.time() - leftover.stat().st_mtime < STALE_SECONDS:
            continue  # an older temporary name without a process id: only removed once it is old
        try:
            shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
            removed.append(leftover)
        except OSError:
            pass  # a read-only folder: nothing to clean, and nothing will be written either
    return removed


def _marker(dest: Path) -> Path:
    return dest.with_name(f".{dest.name}.complete")


def _recorded_complete(dest: Path) -> bool:
    """True when a download without checksum recorded this file's size as the server's Content-Length."""
    try:
        info = json.loads(_marker(dest).read_text())
        return int(info["bytes"]) == dest.stat().st_size
    except (OSError, ValueError, KeyError, TypeError):
        return False


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
    downloaded again and replaced only when the new copy verifies. Without a hash, a cached file counts only if
    its size matched the Content-Length when it was downloaded. Raises ``OfflineError`` under
    ``MEDIMG_OFFLINE=1``, :class:`DataFolderError` when the data folder cannot hold files, and ``DownloadError``
    on any other failure.
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
        raise DownloadError(f"Cannot tell a file name from the URL {url!r} (it ends with '/'): pass filename=.")
    cfg = get_config()
    dest = cfg.data_dir / subdir / filename
    expected = _expected(md5, sha256)
    howto = _howto(url, dest, expected, src)

    remove_stale_parts(dest.parent, dest.name)
    stale = ""
    if dest.is_file():
        if expected is None:
            if _recorded_complete(dest):
                return dest
            if cfg.offline or url is None:
                print(f"Note: using {display_path(dest)} as it is: it has no checksum and no record of a complete "
                      "download, so it cannot be verified.")
                return dest
            stale = " (the cached copy has no checksum and no record that its download was complete)"
        else:
            actual = file_hash(dest, expected[0])
            if actual == expected[1]:
                return dest
            stale = f" (the cached copy has {expected[0].upper()} {actual}, expected {expected[1]})"
    if url is None:
        raise DownloadError(f"{src.name if src else filename} has no direct download link{stale}." + howto)
    if cfg.offline:
        reason = f"{filename} is corrupt{stale}" if stale else f"{filename} is not in the data folder"
        raise OfflineError(f"{reason} and MEDIMG_OFFLINE=1 forbids downloading it." + howto)
    ensure_writable_folder(dest.parent)
    if dest.exists() and not dest.is_file():
        raise DataFolderError("a folder sits where the downloaded file belongs", path=dest,
                              expected="nothing there yet, or the file itself",
                              fix="Move the folder away (or set MEDIMG_DATA_DIR to another data folder) and run again")
    if stale:
        print(f"Downloading {filename} again{stale}; the cached copy is kept until the new one verifies.")
    try:
        _download(url, dest, expected, howto, timeout=timeout, progress=progress)
    except DownloadError as exc:
        if stale and not isinstance(exc, DataFolderError):
            raise DownloadError(f"{exc}\n  The previous copy of {filename} was left in place{stale}.") from exc
        raise
    return dest


def _download(url: str, dest: Path, expected: tuple[str, str] | None, howto: str, *, timeout: float,
              progress: bool) -> None:
    """Stream ``url`` into a temporary file next to ``dest``, verify it, then rename it into place."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DownloadError(f"Cannot download {dest.name}: {url!r} is not a valid http(s) URL "
                            "(it needs http:// or https:// and a host name)." + howto)
    try:
        fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.{os.getpid()}.", suffix=".part")
    except OSError as exc:
        raise DataFolderError(f"cannot create a file in the data folder ({exc.strerror or exc})", path=dest.parent,
                              expected="a folder this user can write to", fix=_FOLDER_FIX) from exc
    tmp = Path(tmp_name)
    digest = hashlib.new(expected[0]) if expected else None
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    total = _content_length(response.headers.get("Content-Length"))
                    received = _copy(response, out, digest, total, dest.name, progress)
            except urllib.error.HTTPError as exc:
                raise DownloadError(f"Downloading {dest.name} failed: HTTP {exc.code} {exc.reason} from {url}."
                                    + howto) from exc
            except urllib.error.URLError as exc:
                kind = "timed out" if isinstance(exc.reason, TimeoutError) else "failed"
                raise DownloadError(f"Downloading {dest.name} {kind}: {exc.reason} ({url})." + howto) from exc
            except ValueError as exc:  # "unknown url type", a malformed address
                raise DownloadError(f"Cannot download {dest.name}: {url!r} is not a valid http(s) URL ({exc})."
                                    + howto) from exc
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
        if received == 0:
            raise DownloadError(f"Downloading {dest.name} gave an empty file (0 bytes) from {url}." + howto)
        if expected and digest is not None and digest.hexdigest() != expected[1]:
            raise DownloadError(f"Downloaded {dest.name} but its {expected[0].upper()} is {digest.hexdigest()}, "
                                f"expected {expected[1]}: the file is damaged or has changed upstream." + howto)
        os.replace(tmp, dest)
        if expected is None:
            _record(dest, received, total, url)
    finally:
        tmp.unlink(missing_ok=True)


def _content_length(value: str | None) -> int:
    """The announced size in bytes, or 0 when it is missing or not a number (then it cannot be checked)."""
    try:
        return max(int(str(value).strip()), 0) if value else 0
    except ValueError:
        return 0


def _record(dest: Path, received: int, total: int, url: str) -> None:
    """For a file without checksum: mark it complete only when the server announced its size and it matched."""
    marker = _marker(dest)
    if total and received == total:
        marker.write_text(json.dumps({"bytes": received, "url": url}))
        return
    marker.unlink(missing_ok=True)
    print(f"Note: the server did not announce the size of {dest.name} and it has no checksum, so the download "
          "cannot be verified; it is used now and fetched again next time.")


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
    if folder.exists() and not folder.is_dir():
        raise DataFolderError("this is a file, but the extracted dataset folder belongs here", path=folder,
                              expected="a folder (or nothing yet)", fix="Remove or rename the file, then run again")
    archive = fetch(source, timeout=timeout, progress=progress)
    remove_stale_parts(folder.parent, source.folder)
    ensure_writable_folder(folder.parent)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{source.folder}.{os.getpid()}.",
                                    suffix=".extracting"))
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
