"""Test-wide settings: every test and every nbval kernel runs in fast mode and offline."""
import os

os.environ["MEDIMG_FAST"] = "1"
os.environ["MEDIMG_OFFLINE"] = "1"
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
