"""Bad arguments to the main job (``python -m utils.run``): every one stops before any notebook runs."""
from __future__ import annotations

from pathlib import Path

import pytest

from utils import run

NAMES = ("01_numpy_for_images", "02_machine_learning_basics", "02_machine_learning_extra", "07_pneumonia_classification",
         "08_atrial_segmentation", "10_extra")


@pytest.fixture
def notebooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in (*NAMES, "notes", "99"):
        (tmp_path / f"{name}.ipynb").write_text("{}")
    monkeypatch.setattr(run, "NOTEBOOKS", tmp_path)

    def never(*args, **kwargs):
        raise AssertionError("a notebook was started")
    monkeypatch.setattr(run, "execute", never)
    return tmp_path


CASES = [
    pytest.param([""], "empty notebook prefix", id="empty-prefix"),
    pytest.param(["  "], "empty notebook prefix", id="blank-prefix"),
    pytest.param(["07", ""], "empty notebook prefix", id="empty-among-valid"),
    pytest.param(["7"], "Did you mean --only 07 (07_pneumonia_classification)?", id="one-digit-7"),
    pytest.param(["1"], "Did you mean --only 01", id="one-digit-1-not-10"),
    pytest.param(["0"], "not a notebook number", id="one-digit-0"),
    pytest.param(["02"], "is ambiguous: it matches 2 notebooks", id="ambiguous-02"),
    pytest.param(["07", "02_machine"], "is ambiguous", id="ambiguous-among-valid"),
    pytest.param(["09"], "No notebook matches --only '09'", id="unknown-09"),
    pytest.param(["07", "42"], "No notebook matches --only '42'", id="one-unknown-among-valid"),
    pytest.param(["pneumonia"], "No notebook matches", id="topic-word"),
    pytest.param(["07_pneumonia_typo"], "No notebook matches", id="misspelt-name"),
    pytest.param(["*"], "No notebook matches", id="shell-glob-not-expanded"),
]


@pytest.mark.parametrize("only, phrase", CASES)
def test_bad_only_prefix(notebooks: Path, only: list[str], phrase: str) -> None:
    with pytest.raises(SystemExit) as info:
        run.main(["--only", *only])
    message = str(info.value.code)
    assert phrase in message, message
    assert "07_pneumonia_classification" in message and "01_numpy_for_images" in message  # lists the choices


@pytest.mark.parametrize("argv", [pytest.param(["--only"], id="only-without-value"),
                                  pytest.param(["--timeout", "0"], id="timeout-zero"),
                                  pytest.param(["--timeout", "-5"], id="timeout-negative"),
                                  pytest.param(["--timeout", "ten"], id="timeout-not-a-number"),
                                  pytest.param(["--fasst"], id="misspelt-flag")])
def test_bad_arguments_are_refused_by_argparse(notebooks: Path, argv: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as info:
        run.main(argv)
    assert info.value.code == 2 and "usage: python -m utils.run" in capsys.readouterr().err


@pytest.mark.parametrize("only, expected", [
    pytest.param(["07"], ["07_pneumonia_classification"], id="two-digits"),
    pytest.param(["08", "07"], ["07_pneumonia_classification", "08_atrial_segmentation"], id="kept-in-order"),
    pytest.param(["07", "07_pneumonia"], ["07_pneumonia_classification"], id="duplicates-once"),
    pytest.param(["notebooks/07_pneumonia_classification.ipynb"], ["07_pneumonia_classification"],
                 id="path-with-extension"),
    pytest.param(["10"], ["10_extra"], id="two-digit-10"),
])
def test_good_prefixes(notebooks: Path, only: list[str], expected: list[str]) -> None:
    assert [p.stem for p in run.find_notebooks(only)] == expected


def test_no_notebooks_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run, "NOTEBOOKS", tmp_path)
    with pytest.raises(SystemExit, match="no numbered notebooks"):
        run.find_notebooks(["07"])
