"""Bad downloads and bad data folders, against a local HTTP server on 127.0.0.1 (never the internet).

The table: ``build(data_dir, base_url)`` sets the case up and returns the call that must fail, with the error
type and a phrase of the message. The tests below it check that nothing is lost or left behind.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

import pytest

from utils import config, download
from utils.download import (DataFolderError, DownloadError, OfflineError, fetch, fetch_extracted,
                            remove_stale_parts)
from utils.errors import CourseDataError
from utils.sources import Source

BODY = b"medimg course fixture " * 300
MD5 = hashlib.md5(BODY).hexdigest()
OLD = b"an old, damaged copy"


class Handler(BaseHTTPRequestHandler):
    hits: list[str] = []

    def log_message(self, *args):
        pass

    def _send(self, body: bytes, length: str | None = None, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Length", length if length is not None else str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        Handler.hits.append(self.path)
        path = self.path.split("?")[0]
        if path in ("/file.bin", "/other/file.bin"):
            self._send(BODY)
        elif path == "/short.bin":  # announces the whole body, sends 11 bytes
            self._send(BODY[:11], length=str(len(BODY)))
            self.close_connection = True
        elif path == "/nolength.bin":  # HTTP/1.0 style: no length, the end of the body is the closed connection
            self.send_response(200)
            self.end_headers()
            self.wfile.write(BODY[:11])
            self.close_connection = True
        elif path == "/badlength.bin":
            self._send(BODY, length="lots")
        elif path == "/empty.bin":
            self._send(b"")
        elif path == "/portal.html":  # a captive portal answering 200 with a login page
            self._send(b"<html>Please log in to the hotel wifi</html>")
        elif path == "/redirect.bin":
            self.send_response(302)
            self.send_header("Location", "/file.bin")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/loop.bin":
            self.send_response(302)
            self.send_header("Location", "/loop.bin")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/error.bin":
            self.send_error(500, "Internal Server Error")
        elif path == "/forbidden.bin":
            self.send_error(403, "Forbidden")
        else:
            self.send_error(404, "Not Found")


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


@pytest.fixture
def base():
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    Handler.hits = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIMG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MEDIMG_OFFLINE", "0")
    config.get_config.cache_clear()
    yield tmp_path / "data"
    config.get_config.cache_clear()


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _read_only(monkeypatch: pytest.MonkeyPatch, code: int = errno.EACCES) -> None:
    """Make every temporary file fail as in a read-only folder (the tests run as root, who may write anyway)."""
    def refuse(*args, **kwargs):
        raise (PermissionError if code == errno.EACCES else OSError)(code, os.strerror(code))
    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    monkeypatch.setattr(tempfile, "mkdtemp", refuse)


def _get(name: str, **kw) -> Callable[[Path, str], Callable[[], object]]:
    return lambda data, base: (lambda: fetch(f"{base}/{name}", progress=False, **kw))


def _data_dir_is_file(data: Path, base: str) -> Callable[[], object]:
    data.parent.mkdir(parents=True, exist_ok=True)
    data.write_text("not a folder")
    return lambda: fetch(f"{base}/file.bin", md5=MD5, progress=False)


def _subdir_is_file(data: Path, base: str) -> Callable[[], object]:
    data.mkdir(parents=True)
    (data / "downloads").write_text("not a folder")
    return lambda: fetch(f"{base}/file.bin", md5=MD5, progress=False)


def _toy(url: str, md5: str | None = None) -> Source:
    return Source(name="toy", url=url, filename="toy.tar", licence="CC0", citation="", homepage="",
                  manual_layout="Task99_Toy/", md5=md5, subdir="", folder="Task99_Toy")


def _extract_target_is_file(data: Path, base: str) -> Callable[[], object]:
    data.mkdir(parents=True)
    (data / "Task99_Toy").write_text("not a folder")
    src = _toy(f"{base}/toy.tar")
    return lambda: fetch_extracted(src, progress=False)


def _offline(data: Path, base: str) -> Callable[[], object]:
    os.environ["MEDIMG_OFFLINE"] = "1"
    config.get_config.cache_clear()
    return lambda: fetch(f"{base}/file.bin", md5=MD5, progress=False)


def _offline_corrupt(data: Path, base: str) -> Callable[[], object]:
    (data / "downloads").mkdir(parents=True)
    (data / "downloads" / "file.bin").write_bytes(OLD)
    return _offline(data, base)


CASES = [
    pytest.param(_get("missing.bin", md5=MD5), DownloadError, "HTTP 404", id="http-404"),
    pytest.param(_get("forbidden.bin", md5=MD5), DownloadError, "HTTP 403", id="http-403"),
    pytest.param(_get("error.bin", md5=MD5), DownloadError, "HTTP 500", id="http-500"),
    pytest.param(_get("loop.bin", md5=MD5), DownloadError, "HTTP 302", id="redirect-loop"),
    pytest.param(_get("short.bin", md5=MD5), DownloadError, "received 11 of 6600 bytes", id="short-with-hash"),
    pytest.param(_get("short.bin"), DownloadError, "received 11 of 6600 bytes", id="short-without-hash"),
    pytest.param(_get("empty.bin"), DownloadError, "empty file (0 bytes)", id="empty-body-without-hash"),
    pytest.param(_get("portal.html", md5=MD5), DownloadError, "damaged or has changed upstream",
                 id="captive-portal-page-with-hash"),
    pytest.param(_get("file.bin", md5="0" * 32), DownloadError, f"its MD5 is {MD5}", id="wrong-expected-hash"),
    pytest.param(lambda data, base: (lambda: fetch("http://127.0.0.1:9/file.bin", md5=MD5, progress=False,
                                                   timeout=2)), DownloadError, "Connection refused",
                 id="connection-refused"),
    pytest.param(lambda data, base: (lambda: fetch("htp:/typo/file.bin", md5=MD5, progress=False)), DownloadError,
                 "not a valid http(s) URL", id="malformed-url"),
    pytest.param(lambda data, base: (lambda: fetch(f"{base}/", progress=False)), DownloadError,
                 "Cannot tell a file name", id="url-without-file-name"),
    pytest.param(_offline, OfflineError, "not in the data folder and MEDIMG_OFFLINE=1", id="offline-not-cached"),
    pytest.param(_offline_corrupt, OfflineError, "is corrupt", id="offline-cached-copy-corrupt"),
    pytest.param(_data_dir_is_file, DataFolderError, "a file, not a folder", id="data-folder-is-a-file"),
    pytest.param(_subdir_is_file, DataFolderError, "a file, not a folder", id="downloads-folder-is-a-file"),
    pytest.param(lambda data, base: ((data / "downloads" / "file.bin").mkdir(parents=True),
                                     _get("file.bin", md5=MD5)(data, base))[1], DataFolderError,
                 "a folder sits where the downloaded file belongs", id="folder-where-the-file-belongs"),
    pytest.param(_extract_target_is_file, DataFolderError, "extracted dataset folder belongs here",
                 id="extract-target-is-a-file"),
]


@pytest.mark.parametrize("build, error, phrase", CASES)
def test_bad_download(data_dir: Path, base: str, build: Callable, error: type[Exception], phrase: str,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDIMG_OFFLINE", "0")
    call = build(data_dir, base)
    with pytest.raises(error) as info:
        call()
    assert phrase in str(info.value), str(info.value)
    downloads = data_dir / "downloads"
    if downloads.is_dir():
        assert not [n for n in _files(downloads) if n.endswith(".part")]


@pytest.mark.parametrize("code, phrase", [pytest.param(errno.EACCES, "read-only", id="permission-denied"),
                                          pytest.param(errno.EROFS, "read-only", id="read-only-file-system"),
                                          pytest.param(errno.ENOSPC, "not usable", id="disk-full")])
def test_unwritable_data_folder(data_dir: Path, base: str, monkeypatch: pytest.MonkeyPatch, code: int,
                                phrase: str) -> None:
    data_dir.mkdir(parents=True)
    _read_only(monkeypatch, code)
    with pytest.raises(DataFolderError) as info:
        fetch(f"{base}/file.bin", md5=MD5, progress=False)
    message = str(info.value)
    assert phrase in message and "MEDIMG_DATA_DIR" in message and str(data_dir) in message
    assert Handler.hits == []  # found out before downloading anything


def test_data_folder_error_is_caught_as_download_and_course_error() -> None:
    assert issubclass(DataFolderError, DownloadError) and issubclass(DataFolderError, CourseDataError)
    err = DataFolderError("read-only", path="x", expected="a folder", fix="Fix it")
    assert str(err) == "x: read-only; expected a folder. Fix it"


def test_read_only_folder_with_verified_file_still_works(data_dir: Path, base: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    (data_dir / "downloads").mkdir(parents=True)
    (data_dir / "downloads" / "file.bin").write_bytes(BODY)
    _read_only(monkeypatch)
    assert fetch(f"{base}/file.bin", md5=MD5, progress=False).read_bytes() == BODY
    assert Handler.hits == []


# ---- nothing lost, nothing left behind
def test_stale_part_of_a_killed_download_is_removed(data_dir: Path, base: str) -> None:
    downloads = data_dir / "downloads"
    downloads.mkdir(parents=True)
    stale = downloads / f".file.bin.{_dead_pid()}.abc123.part"
    stale.write_bytes(BODY[:100])
    fetch(f"{base}/file.bin", md5=MD5, progress=False)
    assert _files(downloads) == ["file.bin"]


def test_stale_part_is_removed_even_when_the_file_is_cached(data_dir: Path, base: str) -> None:
    downloads = data_dir / "downloads"
    downloads.mkdir(parents=True)
    (downloads / "file.bin").write_bytes(BODY)
    (downloads / f".file.bin.{_dead_pid()}.x.part").write_bytes(b"x")
    fetch(f"{base}/file.bin", md5=MD5, progress=False)
    assert _files(downloads) == ["file.bin"] and Handler.hits == []


def test_part_of_a_running_download_is_kept(tmp_path: Path) -> None:
    live = tmp_path / f".file.bin.{os.getppid()}.x.part"  # the parent process is alive
    live.write_bytes(b"x")
    assert remove_stale_parts(tmp_path, "file.bin") == [] and live.exists()


def test_old_style_part_is_removed_once_old(tmp_path: Path) -> None:
    fresh, old = tmp_path / ".file.bin.k2j4h5.part", tmp_path / ".file.bin.q9w8e7.part"
    fresh.write_bytes(b"x")
    old.write_bytes(b"x")
    os.utime(old, (time.time() - 2 * download.STALE_SECONDS,) * 2)
    assert remove_stale_parts(tmp_path, "file.bin") == [old] and fresh.exists()


def test_stale_extraction_folder_is_removed(data_dir: Path, base: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("Task99_Toy/dataset.json")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"{}"))
    data_dir.mkdir(parents=True)
    (data_dir / "toy.tar").write_bytes(buf.getvalue())
    md5 = hashlib.md5(buf.getvalue()).hexdigest()
    stale = data_dir / f".Task99_Toy.{_dead_pid()}.abc.extracting"
    (stale / "Task99_Toy").mkdir(parents=True)
    src = _toy(f"{base}/toy.tar", md5)
    folder = fetch_extracted(src, progress=False)
    assert (folder / "dataset.json").read_text() == "{}" and not stale.exists()


def test_wrong_cached_copy_survives_a_failed_download(data_dir: Path, base: str) -> None:
    downloads = data_dir / "downloads"
    downloads.mkdir(parents=True)
    (downloads / "missing.bin").write_bytes(OLD)
    with pytest.raises(DownloadError, match="previous copy of missing.bin was left in place"):
        fetch(f"{base}/missing.bin", md5=MD5, progress=False)
    assert (downloads / "missing.bin").read_bytes() == OLD and _files(downloads) == ["missing.bin"]


def test_wrong_cached_copy_survives_an_interrupted_download(data_dir: Path, base: str) -> None:
    downloads = data_dir / "downloads"
    downloads.mkdir(parents=True)
    (downloads / "short.bin").write_bytes(OLD)
    with pytest.raises(DownloadError, match="interrupted"):
        fetch(f"{base}/short.bin", md5=MD5, progress=False)
    assert (downloads / "short.bin").read_bytes() == OLD


def test_wrong_cached_copy_is_replaced_after_the_new_one_verifies(data_dir: Path, base: str, capsys) -> None:
    downloads = data_dir / "downloads"
    downloads.mkdir(parents=True)
    (downloads / "file.bin").write_bytes(OLD)
    assert fetch(f"{base}/file.bin", md5=MD5, progress=False).read_bytes() == BODY
    assert "kept until the new one verifies" in capsys.readouterr().out


def test_no_hash_complete_download_is_cached(data_dir: Path, base: str) -> None:
    first = fetch(f"{base}/file.bin", progress=False)
    second = fetch(f"{base}/file.bin", progress=False)
    assert first == second and second.read_bytes() == BODY and len(Handler.hits) == 1
    assert json.loads((first.parent / ".file.bin.complete").read_text())["bytes"] == len(BODY)


def test_no_hash_without_content_length_is_not_cached_as_complete(data_dir: Path, base: str, capsys) -> None:
    path = fetch(f"{base}/nolength.bin", progress=False)
    assert path.read_bytes() == BODY[:11] and "cannot be verified" in capsys.readouterr().out
    fetch(f"{base}/nolength.bin", progress=False)
    assert len(Handler.hits) == 2  # fetched again, not trusted as complete
    assert not (path.parent / ".nolength.bin.complete").exists()


def test_no_hash_unparsable_content_length_is_not_cached_as_complete(data_dir: Path, base: str) -> None:
    path = fetch(f"{base}/badlength.bin", progress=False)
    assert path.read_bytes() == BODY and not (path.parent / ".badlength.bin.complete").exists()


def test_no_hash_partial_file_from_before_is_downloaded_again(data_dir: Path, base: str) -> None:
    downloads = data_dir / "downloads"
    downloads.mkdir(parents=True)
    (downloads / "file.bin").write_bytes(BODY[:11])  # an 11-byte partial file with no record
    assert fetch(f"{base}/file.bin", progress=False).read_bytes() == BODY and len(Handler.hits) == 1


def test_no_hash_file_that_changed_size_is_downloaded_again(data_dir: Path, base: str) -> None:
    path = fetch(f"{base}/file.bin", progress=False)
    path.write_bytes(BODY[:11])
    assert fetch(f"{base}/file.bin", progress=False).read_bytes() == BODY and len(Handler.hits) == 2


def test_no_hash_unrecorded_file_offline_is_used_with_a_note(data_dir: Path, base: str, monkeypatch,
                                                             capsys) -> None:
    (data_dir / "downloads").mkdir(parents=True)
    (data_dir / "downloads" / "file.bin").write_bytes(BODY)
    monkeypatch.setenv("MEDIMG_OFFLINE", "1")
    config.get_config.cache_clear()
    assert fetch(f"{base}/file.bin", progress=False).read_bytes() == BODY
    assert "cannot be verified" in capsys.readouterr().out and Handler.hits == []


def test_redirect_is_followed(data_dir: Path, base: str) -> None:
    assert fetch(f"{base}/redirect.bin", md5=MD5, progress=False).read_bytes() == BODY


def test_auto_loader_falls_back_when_data_folder_is_a_file(data_dir: Path, monkeypatch, capsys) -> None:
    from utils import pneumonia_data

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    data_dir.write_text("not a folder")

    def fallback(*args, **kwargs):
        raise RuntimeError("fell back to the built-in data")
    monkeypatch.setattr(pneumonia_data, "synthetic_splits", fallback)
    with pytest.raises(RuntimeError, match="fell back"):
        pneumonia_data.load_pneumonia("auto", size=28, n_synthetic=60)
    assert "not a folder" in capsys.readouterr().out
