"""The data manifest: where each real dataset comes from, its hash, licence, citation and local layout.

Every file the course downloads is listed here once, with a checksum, so ``utils.download.fetch`` can verify it
and a learner without network knows exactly what to fetch by hand and where to put it (see ``data/README.md``).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .config import get_config

_MEDMNIST_CITATION = ("Yang J, Shi R, Wei D, et al. MedMNIST v2 - A large-scale lightweight benchmark for 2D and 3D "
                      "biomedical image classification. Scientific Data 10, 41 (2023). "
                      "https://doi.org/10.1038/s41597-022-01721-8")
_KERMANY_CITATION = ("Kermany DS, Goldbaum M, Cai W, et al. Identifying medical diagnoses and treatable diseases by "
                     "image-based deep learning. Cell 172(5), 1122-1131 (2018). "
                     "https://doi.org/10.1016/j.cell.2018.02.010")
_DECATHLON_CITATION = ("Simpson AL, Antonelli M, Bakas S, et al. A large annotated medical image dataset for the "
                       "development and evaluation of segmentation algorithms. arXiv:1902.09063 (2019); "
                       "Antonelli M, Reinke A, Bakas S, et al. The Medical Segmentation Decathlon. "
                       "Nature Communications 13, 4128 (2022). https://doi.org/10.1038/s41467-022-30695-9")


@dataclass(frozen=True)
class Source:
    """One downloadable (or manual-only) dataset file.

    ``subdir`` is the folder under the data root (``MEDIMG_DATA_DIR``, default ``data/``) that holds the file;
    ``folder`` names the directory an archive extracts to, or the folder a manual download must create.
    """

    name: str
    url: str | None
    filename: str
    licence: str
    citation: str
    homepage: str
    manual_layout: str
    md5: str | None = None
    sha256: str | None = None
    size: str = ""
    subdir: str = "downloads"
    folder: str = ""

    @property
    def path(self) -> Path:
        """Where the file lives once downloaded: ``<data root>/<subdir>/<filename>``."""
        return get_config().data_dir / self.subdir / self.filename

    @property
    def folder_path(self) -> Path | None:
        """The extracted or manually created folder under the data root (``None`` for single files)."""
        return get_config().data_dir / self.folder if self.folder else None

    @property
    def manual_only(self) -> bool:
        """True when there is no direct download link (for example Kaggle, which needs a login)."""
        return self.url is None


# MedMNIST+ (MedMNIST v2 at 28, 64, 128 and 224 px), Zenodo record 10519652; URLs and MD5s as in the medmnist
# package's info.py (v3.0). Sizes are upper bounds from 5,856 uint8 images (the archives are compressed).
_MEDMNIST_MD5 = {
    28: "28209eda62fecd6e6a2d98b1501bb15f",
    64: "8f4eceb4ccffa70c672198ea285246c6",
    128: "05b46931834c231683c68f40c47b2971",
    224: "d6a3c71de1b945ea11211b03746c1fe1",
}
_MEDMNIST_SIZE = {28: "about 4 MB", 64: "at most 25 MB", 128: "at most 100 MB", 224: "at most 300 MB"}
PNEUMONIAMNIST_SIZES = tuple(_MEDMNIST_MD5)


def _pneumoniamnist(px: int) -> Source:
    filename = "pneumoniamnist.npz" if px == 28 else f"pneumoniamnist_{px}.npz"
    return Source(
        name=f"pneumoniamnist_{px}",
        url=f"https://zenodo.org/records/10519652/files/{filename}?download=1",
        filename=filename,
        md5=_MEDMNIST_MD5[px],
        size=_MEDMNIST_SIZE[px],
        licence="CC BY 4.0",
        citation=_MEDMNIST_CITATION,
        homepage="https://medmnist.com/",
        manual_layout=f"pneumoniamnist/{filename} (train/val/test arrays of {px}x{px} grey images and labels)",
        subdir="pneumoniamnist",
    )


SOURCES: dict[str, Source] = {s.name: s for s in [_pneumoniamnist(px) for px in PNEUMONIAMNIST_SIZES]}
SOURCES["task02_heart"] = Source(
    name="task02_heart",
    url="https://msd-for-monai.s3-us-west-2.amazonaws.com/Task02_Heart.tar",
    filename="Task02_Heart.tar",
    md5="06ee59366e1e5124267b774dbd654057",  # as in MONAI's monai/apps/datasets.py (DecathlonDataset)
    size="about 435 MB",
    licence="CC BY-SA 4.0",
    citation=_DECATHLON_CITATION,
    homepage="http://medicaldecathlon.com/",
    manual_layout="Task02_Heart/{dataset.json, imagesTr/la_*.nii.gz, labelsTr/la_*.nii.gz, imagesTs/}",
    subdir="downloads",
    folder="Task02_Heart",
)
SOURCES["chest_xray_kaggle"] = Source(
    name="chest_xray_kaggle",
    url=None,
    filename="chest-xray-pneumonia.zip",
    size="about 1.2 GB",
    licence="CC BY 4.0",
    citation=_KERMANY_CITATION,
    homepage="https://www.kaggle.com/datasets/paultimothymooney/chest-xray-pneumonia",
    manual_layout="chest_xray/{train,val,test}/{NORMAL,PNEUMONIA}/*.jpeg",
    subdir="downloads",
    folder="chest_xray",
)


def get_source(name: str) -> Source:
    """The manifest entry called ``name`` (case-insensitive); a ``KeyError`` lists the known names."""
    key = name.strip().lower()
    if key not in SOURCES:
        raise KeyError(f"Unknown data source {name!r}; known sources: {', '.join(SOURCES)}")
    return SOURCES[key]


def pneumoniamnist(size: int = 28) -> Source:
    """The PneumoniaMNIST file at ``size`` pixels (28, 64, 128 or 224)."""
    if size not in _MEDMNIST_MD5:
        raise ValueError(f"PneumoniaMNIST comes at {', '.join(map(str, PNEUMONIAMNIST_SIZES))} px, not {size}")
    return SOURCES[f"pneumoniamnist_{size}"]
