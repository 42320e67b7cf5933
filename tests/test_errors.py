import pytest

from utils.dicom import DicomError
from utils.errors import CourseDataError
from utils.pneumonia_data import DataLayoutError


def test_message_names_file_problem_expectation_and_fix():
    err = CourseDataError("labels 0..4 found", path="data/x.npz", expected="labels in {0, 1}",
                          fix="Pass a binary label array")
    assert str(err) == "data/x.npz: labels 0..4 found; expected labels in {0, 1}. Pass a binary label array"
    assert isinstance(err, ValueError)


def test_plain_message_without_path():
    assert str(CourseDataError("empty split")) == "empty split"


@pytest.mark.parametrize("cls", [DicomError, DataLayoutError])
def test_loader_errors_are_course_errors(cls):
    assert issubclass(cls, CourseDataError)
    assert str(cls("plain message")) == "plain message"
