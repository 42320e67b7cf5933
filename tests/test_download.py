"""utils.download and utils.sources against a local HTTP server on 127.0.0.1 (never the internet)."""
import hashlib
import io
import tarfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from utils import config, sources
from utils.download import DownloadError, OfflineError, extract_tar, fetch, fetch_extracted, file_hash

BODY = b"medimg course fixture " * 500
MD5 = hashlib.md5(BODY).hexdigest()
SHA256 = hashlib.sha256(BODY).hexdigest()


def _tar_bytes(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


TAR = _tar_bytes({"Task99_Toy/dataset.json": b"{}", "Task99_Toy/imagesTr/a.nii.gz": b"x",
                  "Task99_Toy/._dataset.json": b"apple"})


class Handler(BaseHTTPRequestHandler):
    hits: list[str] = []

    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        Handler.hits.append(self.path)
        if self.path == "/slow.bin":
            time.sleep(1.0)
        if self.path in ("/file.bin", "/slow.bin", "/toy.tar"):
            body = TAR if self.path == "/toy.tar" else BODY
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/short.bin":
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY[:100])
            self.close_connection = True
        elif self.path == "/chunked.bin":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"64\r\n" + BODY[:50])  # announces 100 bytes, sends 50, then hangs up
            self.close_connection = True
        else:
            self.send_error(404, "Not Found")


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a client that gave up (timeout test) is expected
        pass


@pytest.fixture
def server():
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    Handler.hits = []
    yield httpd, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIMG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MEDIMG_OFFLINE", "0")
    config.get_config.cache_clear()
    yield tmp_path
    config.get_config.cache_clear()


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_fetch_downloads_and_verifies(server, data_dir):
    _, base = server
    path = fetch(f"{base}/file.bin", md5=MD5, progress=False)
    assert path == data_dir / "downloads" / "file.bin"
    assert path.read_bytes() == BODY
    assert file_hash(path, "sha256") == SHA256
    assert _leftovers(path.parent) == ["file.bin"]


def test_fetch_sha256_and_subdir(server, data_dir):
    _, base = server
    path = fetch(f"{base}/file.bin", filename="renamed.bin", sha256=SHA256, subdir="mine", progress=False)
    assert path == data_dir / "mine" / "renamed.bin"


def test_cache_hit_needs_no_network(server, data_dir):
    httpd, base = server
    first = fetch(f"{base}/file.bin", md5=MD5, progress=False)
    httpd.shutdown()
    httpd.server_close()
    assert fetch(f"{base}/file.bin", md5=MD5, progress=False) == first
    assert Handler.hits == ["/file.bin"]


def test_cache_hit_offline(server, data_dir, monkeypatch):
    _, base = server
    fetch(f"{base}/file.bin", md5=MD5, progress=False)
    monkeypatch.setenv("MEDIMG_OFFLINE", "1")
    config.get_config.cache_clear()
    assert fetch(f"{base}/file.bin", md5=MD5, progress=False).read_bytes() == BODY
    assert len(Handler.hits) == 1


def test_wrong_cached_file_is_downloaded_again(server, data_dir, capsys):
    _, base = server
    stale = data_dir / "downloads" / "file.bin"
    stale.parent.mkdir()
    stale.write_bytes(b"half a file")
    assert fetch(f"{base}/file.bin", md5=MD5, progress=False).read_bytes() == BODY
    assert "again" in capsys.readouterr().out


def test_hash_mismatch_leaves_nothing(server, data_dir):
    _, base = server
    with pytest.raises(DownloadError) as err:
        fetch(f"{base}/file.bin", md5="0" * 32, progress=False)
    message = str(err.value)
    assert "0" * 32 in message and MD5 in message          # expected and actual
    assert f"{base}/file.bin" in message                    # where to download by hand
    assert str(data_dir / "downloads" / "file.bin") in message  # where to put it
    assert _leftovers(data_dir / "downloads") == []


@pytest.mark.parametrize("name", ["short.bin", "chunked.bin"])
def test_interrupted_transfer(server, data_dir, name):
    _, base = server
    with pytest.raises(DownloadError, match="interrupted") as err:
        fetch(f"{base}/{name}", md5=MD5, progress=False)
    assert name in str(err.value)
    assert _leftovers(data_dir / "downloads") == []


def test_http_404(server, data_dir):
    _, base = server
    with pytest.raises(DownloadError, match="HTTP 404"):
        fetch(f"{base}/missing.bin", md5=MD5, progress=False)
    assert _leftovers(data_dir / "downloads") == []


def test_timeout(server, data_dir):
    _, base = server
    start = time.perf_counter()
    with pytest.raises(DownloadError, match="timed out"):
        fetch(f"{base}/slow.bin", md5=MD5, timeout=0.2, progress=False)
    assert time.perf_counter() - start < 1.0
    assert _leftovers(data_dir / "downloads") == []


def test_offline_never_touches_network(server, data_dir, monkeypatch):
    _, base = server
    monkeypatch.setenv("MEDIMG_OFFLINE", "1")
    config.get_config.cache_clear()
    with pytest.raises(OfflineError, match="MEDIMG_OFFLINE=1") as err:
        fetch(f"{base}/file.bin", md5=MD5, progress=False)
    assert isinstance(err.value, DownloadError) and isinstance(err.value, RuntimeError)
    assert Handler.hits == []


def test_manual_source_explains_layout(data_dir):
    with pytest.raises(DownloadError, match="chest_xray/") as err:
        fetch(sources.get_source("chest_xray_kaggle"))
    assert "kaggle.com" in str(err.value)


def test_extract_tar_and_skip_resource_forks(tmp_path):
    archive = tmp_path / "toy.tar"
    archive.write_bytes(TAR)
    out = extract_tar(archive, tmp_path / "out")
    assert (out / "Task99_Toy" / "dataset.json").read_bytes() == b"{}"
    assert (out / "Task99_Toy" / "imagesTr" / "a.nii.gz").is_file()
    assert not (out / "Task99_Toy" / "._dataset.json").exists()


@pytest.mark.parametrize("name", ["../escape.txt", "/abs/escape.txt", "ok/../../escape.txt"])
def test_extract_tar_rejects_path_traversal(tmp_path, name):
    archive = tmp_path / "evil.tar"
    archive.write_bytes(_tar_bytes({name: b"boom"}))
    with pytest.raises(DownloadError, match="outside"):
        extract_tar(archive, tmp_path / "out")
    assert not (tmp_path / "escape.txt").exists()


def test_extract_tar_rejects_symlink_out(tmp_path):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        link = tarfile.TarInfo("inside/link")
        link.type, link.linkname = tarfile.SYMTYPE, "../../etc/passwd"
        tar.addfile(link)
    archive = tmp_path / "link.tar"
    archive.write_bytes(buf.getvalue())
    with pytest.raises(DownloadError, match="outside"):
        extract_tar(archive, tmp_path / "out")


def test_fetch_extracted(server, data_dir, monkeypatch):
    _, base = server
    toy = sources.Source(name="toy", url=f"{base}/toy.tar", filename="toy.tar", licence="-", citation="-",
                         homepage="-", manual_layout="Task99_Toy/", md5=hashlib.md5(TAR).hexdigest(),
                         folder="Task99_Toy")
    folder = fetch_extracted(toy, progress=False)
    assert folder == data_dir / "Task99_Toy" and (folder / "dataset.json").is_file()
    assert not [p for p in data_dir.iterdir() if p.name.startswith(".")]  # no staging folder left
    monkeypatch.setenv("MEDIMG_OFFLINE", "1")
    config.get_config.cache_clear()
    assert fetch_extracted(toy) == folder  # present: no network needed


def test_manifest():
    assert set(sources.PNEUMONIAMNIST_SIZES) == {28, 64, 128, 224}
    for px in sources.PNEUMONIAMNIST_SIZES:
        src = sources.pneumoniamnist(px)
        assert src.url.startswith("https://zenodo.org/records/10519652/files/pneumoniamnist")
        assert src.filename in src.url and len(src.md5) == 32 and src.licence == "CC BY 4.0"
    assert sources.pneumoniamnist(28).filename == "pneumoniamnist.npz"
    heart = sources.get_source("Task02_Heart")
    assert heart.url.endswith("/Task02_Heart.tar") and heart.folder == "Task02_Heart"
    kaggle = sources.get_source("chest_xray_kaggle")
    assert kaggle.manual_only and kaggle.folder == "chest_xray"
    with pytest.raises(ValueError, match="28, 64, 128"):
        sources.pneumoniamnist(32)


def test_get_source_lists_names():
    with pytest.raises(KeyError, match="pneumoniamnist_28.*task02_heart"):
        sources.get_source("nope")


def test_source_paths(data_dir):
    assert sources.pneumoniamnist(64).path == data_dir / "pneumoniamnist" / "pneumoniamnist_64.npz"
    assert sources.get_source("task02_heart").folder_path == data_dir / "Task02_Heart"
    assert sources.pneumoniamnist(64).folder_path is None


def test_main_prefetches_and_reports(server, data_dir, monkeypatch, capsys):
    from utils import download

    _, base = server
    toy = sources.Source(name="toy", url=f"{base}/file.bin", filename="file.bin", licence="-", citation="-",
                         homepage="-", manual_layout="-", md5=MD5)
    monkeypatch.setattr(download, "SOURCES", {"toy": toy})
    monkeypatch.setattr(download, "get_source", lambda name: {"toy": toy}[name])
    assert download.main(["--all"]) == 0
    assert "✓ toy" in capsys.readouterr().out
    monkeypatch.setattr(download, "get_source", sources.get_source)
    assert download.main(["nope"]) == 1
    assert "known sources" in capsys.readouterr().out


def test_data_readme_lists_every_source():
    text = (config.ROOT / "data" / "README.md").read_text(encoding="utf-8")
    for src in sources.SOURCES.values():
        assert f"`{src.name}`" in text and src.licence in text
        assert (src.md5 or "(manual)") in text
        assert src.url is None or src.url in text
