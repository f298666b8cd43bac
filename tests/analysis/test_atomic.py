"""The one atomic writer on a disk that fills up, and the checks a file passes before it replaces the old one."""
from __future__ import annotations

import subprocess
import zipfile

import pytest
from bluesky_zoning.analysis.common.atomic import atomic_path
from bluesky_zoning.analysis.common.errors import OutputError
from bluesky_zoning.analysis.common.file_checks import check_gpkg, check_pdf, check_zip
from bluesky_zoning.analysis.common.output_folder import clean_debris, inputs_in_the_way


@pytest.fixture()
def small_disk(tmp_path):
    """A 1 MB tmpfs (the tests run as root here and in CI's Debian root)."""
    point = tmp_path / "disk"
    point.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(point)], check=True)
    yield point
    subprocess.run(["umount", "-l", str(point)], check=False)


def test_a_full_disk_keeps_the_old_file_and_says_so(small_disk):
    target = small_disk / "atlas.pdf"
    target.write_bytes(b"the good old atlas")
    with pytest.raises(OutputError) as info:
        with atomic_path(target, check=None) as tmp:
            with open(tmp, "wb") as fh:
                fh.write(b"x" * (2 * 1024 * 1024))  # more than the disk holds
    message = str(info.value)
    assert message.startswith("磁盘空间不足") and str(small_disk) in message and "约需" in message
    assert target.read_bytes() == b"the good old atlas"
    assert [p.name for p in small_disk.iterdir()] == ["atlas.pdf"]  # no half file left


def test_a_file_that_fails_its_check_never_replaces_the_old_one(tmp_path):
    target = tmp_path / "县.zip"
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr("a.txt", "甲" * 1000)
    good = target.read_bytes()
    with pytest.raises(OutputError):
        with atomic_path(target) as tmp:  # a zip cut short: its CRC test fails
            tmp.write_bytes(good[: len(good) // 2])
    assert target.read_bytes() == good and not list(tmp_path.glob(".*part*"))
    check_zip(target)
    with pytest.raises(OutputError):
        check_pdf(target)  # not a PDF at all
    with pytest.raises(OutputError):
        check_gpkg(target)


def test_an_input_in_the_way_of_an_output_is_found(tmp_path):
    (tmp_path / "in").mkdir()
    admin = tmp_path / "in" / "admin.gpkg"
    admin.write_bytes(b"x")
    assert inputs_in_the_way([tmp_path / "in" / "admin.gpkg"], [f"{admin}|layername=counties"]) == [
        (admin, tmp_path / "in" / "admin.gpkg")]
    assert inputs_in_the_way([tmp_path / "in"], [admin])  # inside an output folder
    assert inputs_in_the_way([tmp_path / "in" / "zones.gpkg"], [admin]) == []


def test_debris_of_killed_runs_is_cleared_and_nothing_else(tmp_path):
    (tmp_path / "counties" / "bluesky_pkg_ab12").mkdir(parents=True)
    (tmp_path / ".bluesky-staging-1234abcd").mkdir()
    (tmp_path / ".atlas-1a2b3c4d.part.pdf").write_bytes(b"half")
    (tmp_path / "counties" / ".140108_尖草坪区-5e6f7a8b.part.zip").write_bytes(b"half")
    keep = [tmp_path / "atlas.pdf", tmp_path / "counties" / "140108_尖草坪区.zip", tmp_path / ".analyst_notes",
            tmp_path / "my.part.txt"]
    for k in keep:
        k.write_bytes(b"mine")
    removed = {p.name for p in clean_debris(tmp_path)}
    assert removed == {"bluesky_pkg_ab12", ".bluesky-staging-1234abcd", ".atlas-1a2b3c4d.part.pdf",
                       ".140108_尖草坪区-5e6f7a8b.part.zip"}
    assert all(k.exists() for k in keep)
