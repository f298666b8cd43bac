#!/usr/bin/env python3
"""Build the plugin zip and a plugins.xml, as `make package` does: ``dist/bluesky_zoning-<version>.zip``.

The zip is what QGIS's plugin manager installs ("Install from ZIP") and what the QGIS plugin repository
accepts: one top folder ``bluesky_zoning/`` holding the files of scripts/plugin_files.py (the same files
`make install` copies), LICENSE, the compiled .qm, and a metadata.txt whose ``changelog=`` comes from
CHANGELOG.md; no binaries, no caches, at most 25 MB. ``plugins.xml`` beside it (with the icon) is a plugin
repository a bureau can serve on its intranet (Settings → Plugin Repositories → its URL); ``--base-url`` is
where the zip will be downloaded from.

Standard library only: `make package` runs it with Debian's python, without the virtual environment.
"""
from __future__ import annotations

import argparse
import configparser
import datetime as dt
import os
import re
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Dict, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plugin_files import PLUGIN_NAME, ROOT, PluginFilesError, plugin_files  # noqa: E402

MAX_ZIP_BYTES = 25_000_000  # the plugin repository's limit (25 MB)
# What the plugin repository and the plugin manager read from metadata.txt, and what this project promises.
REQUIRED_METADATA = ("name", "description", "about", "version", "qgisMinimumVersion", "qgisMaximumVersion",
                     "author", "email", "homepage", "tracker", "repository", "tags", "category", "icon",
                     "changelog", "experimental", "deprecated")


class PackageError(RuntimeError):
    """The checkout cannot make a valid plugin zip; the message says why."""


# --- changelog ---------------------------------------------------------------------------------------------
# A version's heading, as qgis-plugin-ci reads CHANGELOG.md (``## 0.4.0 - 2026-12-06``): it takes each version and
# its release date from the heading, and a heading without the date is not a release to it.
CHANGELOG_HEADING = re.compile(r"##\s+v?(\d+(?:\.\d+)*\S*)\s+-\s+(\d{4}-\d{2}-\d{2})\s*$")
Section = Tuple[str, str, List[str]]  # (version, date YYYY-MM-DD, [change, ...])


def changelog_sections(text: str) -> List[Section]:
    """``[(version, date, [change, ...]), ...]`` from CHANGELOG.md, in file order (newest first).

    A section starts at ``## <version> - <YYYY-MM-DD>``; each ``- `` line is one change, indented lines continue
    it. A ``## `` heading in another form, an impossible date, or a date earlier than an older version's is a
    PackageError naming the line.
    """
    sections: List[Section] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.startswith("## "):
            heading = CHANGELOG_HEADING.match(raw)
            try:
                date = dt.date.fromisoformat(heading.group(2)) if heading else None
            except ValueError:
                date = None
            if date is None:
                raise PackageError(f"CHANGELOG.md line {number}: '{raw}' is not a '## <version> - <YYYY-MM-DD>' "
                                   "heading (the form qgis-plugin-ci reads, e.g. '## 0.4.0 - 2026-12-06')")
            if sections and sections[-1][1] < heading.group(2):
                raise PackageError(f"CHANGELOG.md line {number}: {heading.group(1)} is dated {heading.group(2)}, "
                                   f"after the newer {sections[-1][0]} ({sections[-1][1]}); newest first")
            sections.append((heading.group(1), heading.group(2), []))
        elif sections and raw.startswith("- "):
            sections[-1][2].append(raw[2:].strip())
        elif sections and sections[-1][2] and raw[:1] in (" ", "\t") and raw.strip():
            sections[-1][2][-1] += " " + raw.strip()
    return sections


def changelog_value(sections: List[Section]) -> str:
    """The changelog as metadata.txt's value: each version with its date, then its changes as ``- `` lines."""
    lines: List[str] = []
    for version, date, changes in sections:
        lines.append(f"{version} - {date}")
        lines += [f"- {change}" for change in changes]
    return "\n".join(lines)


def with_changelog(metadata_text: str, value: str) -> str:
    """metadata.txt with its ``changelog=`` entry (and continuation lines) replaced by value."""
    entry = ["changelog=" + value.splitlines()[0]] + ["    " + line for line in value.splitlines()[1:]]
    out: List[str] = []
    skipping = placed = False
    for line in metadata_text.splitlines():
        if skipping and line[:1] in (" ", "\t"):
            continue
        skipping = False
        if re.match(r"changelog\s*=", line):
            out += entry
            skipping = placed = True
            continue
        out.append(line)
    if not placed:
        out += entry
    return "\n".join(out) + "\n"


def _metadata(text: str) -> Dict[str, str]:
    """The [general] values, read as QGIS reads them (configparser with interpolation: a stray % fails here)."""
    parser = configparser.ConfigParser()
    parser.optionxform = str
    try:
        parser.read_string(text)
        return dict(parser.items("general"))
    except (configparser.Error, KeyError) as exc:
        raise PackageError(f"metadata.txt (with CHANGELOG.md) cannot be read as QGIS reads it ({exc}); "
                           "QGIS reads it with interpolation, so a literal % must be written %%") from exc


def package_metadata(root: Path = ROOT) -> Tuple[str, Dict[str, str]]:
    """The zip's metadata.txt (changelog from CHANGELOG.md) and its values, checked."""
    sections = changelog_sections((root / "CHANGELOG.md").read_text(encoding="utf-8"))
    if not sections:
        raise PackageError("CHANGELOG.md has no '## <version> - <YYYY-MM-DD>' section")
    text = with_changelog((root / "metadata.txt").read_text(encoding="utf-8"), changelog_value(sections))
    meta = _metadata(text)
    missing = [key for key in REQUIRED_METADATA if not meta.get(key, "").strip()]
    if missing:
        raise PackageError("metadata.txt lacks " + ", ".join(missing))
    if sections[0][0] != meta["version"]:
        raise PackageError(f"metadata.txt says version={meta['version']} but CHANGELOG.md's newest section is "
                           f"{sections[0][0]}: add a '## {meta['version']} - <YYYY-MM-DD>' section (or bump the version)")
    return text, meta


# --- zip --------------------------------------------------------------------------------------------------
def _timestamp(path: Optional[Path]) -> Tuple[int, int, int, int, int, int]:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else the file's own time; zip cannot go before 1980."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    seconds = int(epoch) if epoch else (path.stat().st_mtime if path is not None else time.time())
    return max(time.gmtime(seconds)[:6], (1980, 1, 1, 0, 0, 0))


def _atomic_path():
    """analysis/common/atomic.atomic_path, the plugin's one atomic writer, loaded by file path with its wing as a
    package (analysis/common imports nothing of the plugin: only its own modules and the standard library), so
    the package's other imports (pandas …) are not needed and Debian's python runs this script."""
    import importlib
    import importlib.util

    name = "_bluesky_zoning_common"
    if name not in sys.modules:
        folder = ROOT / "analysis" / "common"
        spec = importlib.util.spec_from_file_location(name, folder / "__init__.py",
                                                      submodule_search_locations=[str(folder)])
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return importlib.import_module(name + ".atomic").atomic_path


def _write_atomically(target: Path, write) -> None:
    """Whole or nothing (analysis/common/atomic.py); the file is left readable by all, as an unpacked plugin is."""
    with _atomic_path()(target) as tmp:
        write(Path(tmp))
        os.chmod(tmp, 0o644)


def build_zip(root: Path, dist: Path, metadata_text: str, version: str) -> Tuple[Path, List[str]]:
    """dist/bluesky_zoning-<version>.zip; returns its path and entry names (sorted, one top folder)."""
    files = plugin_files(root)
    target = dist / f"{PLUGIN_NAME}-{version}.zip"
    names = [f"{PLUGIN_NAME}/{rel}" for rel in files]

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
            for rel, name in zip(files, names):
                info = zipfile.ZipInfo(name, date_time=_timestamp(root / rel))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # Unix, so that the permissions below apply
                info.external_attr = 0o644 << 16
                data = metadata_text.encode("utf-8") if rel == "metadata.txt" else (root / rel).read_bytes()
                zf.writestr(info, data)
        size = tmp.stat().st_size
        if size > MAX_ZIP_BYTES:
            raise PackageError(f"the zip is {size / 1e6:.1f} MB; the plugin repository takes at most 25 MB")

    _write_atomically(target, write)
    return target, names


# --- plugins.xml ------------------------------------------------------------------------------------------
def plugins_xml(meta: Dict[str, str], zip_name: str, base_url: str, icon_name: str, when: dt.datetime) -> str:
    """A plugin repository listing this plugin, with the elements QGIS's plugin manager reads.

    QGIS takes the plugin's id from ``file_name`` up to its first dot, so file_name is
    ``bluesky_zoning.<version>.zip`` (as the official repository writes it); the download itself is
    ``download_url``. The version and name are attributes of ``pyqgis_plugin``.
    """
    url = base_url if base_url.endswith("/") else base_url + "/"
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    root = ET.Element("plugins")
    plugin = ET.SubElement(root, "pyqgis_plugin", name=meta["name"], version=meta["version"])
    fields = (
        ("description", meta["description"]),
        ("about", meta["about"]),
        ("version", meta["version"]),
        ("qgis_minimum_version", meta["qgisMinimumVersion"]),
        ("qgis_maximum_version", meta["qgisMaximumVersion"]),
        ("homepage", meta["homepage"]),
        ("file_name", f"{PLUGIN_NAME}.{meta['version']}.zip"),
        ("icon", url + icon_name),
        ("author_name", meta["author"]),
        ("author_email", meta["email"]),
        ("download_url", url + zip_name),
        ("uploaded_by", meta["author"]),
        ("create_date", stamp),
        ("update_date", stamp),
        ("experimental", meta["experimental"]),
        ("deprecated", meta["deprecated"]),
        ("tracker", meta["tracker"]),
        ("repository", meta["repository"]),
        ("tags", meta["tags"]),
        ("category", meta["category"]),
        ("changelog", meta["changelog"]),
        ("server", meta.get("server", "False")),
        ("external_dependencies", ""),
        ("downloads", "0"),
        ("average_vote", "0"),
        ("rating_votes", "0"),
    )
    for tag, text in fields:
        ET.SubElement(plugin, tag).text = text
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# --- main -------------------------------------------------------------------------------------------------
def package(root: Path = ROOT, dist: Optional[Path] = None, base_url: Optional[str] = None) -> Dict[str, object]:
    """Build zip, icon and plugins.xml into dist; returns what was written."""
    dist = (dist or root / "dist").resolve()
    dist.mkdir(parents=True, exist_ok=True)
    metadata_text, meta = package_metadata(root)
    version = meta["version"]
    zip_path, names = build_zip(root, dist, metadata_text, version)
    icon_src = root / meta["icon"]
    icon_name = f"{PLUGIN_NAME}{icon_src.suffix}"
    _write_atomically(dist / icon_name, lambda tmp: tmp.write_bytes(icon_src.read_bytes()))
    url = base_url or dist.as_uri() + "/"
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch else dt.datetime.now(dt.timezone.utc)
    xml_text = plugins_xml(meta, zip_path.name, url, icon_name, when)
    _write_atomically(dist / "plugins.xml", lambda tmp: tmp.write_text(xml_text, encoding="utf-8"))
    return {"zip": zip_path, "files": len(names), "bytes": zip_path.stat().st_size, "plugins_xml": dist / "plugins.xml",
            "download_url": url + zip_path.name, "version": version}


def sync_metadata(root: Path = ROOT) -> bool:
    """Write CHANGELOG.md's changelog into the repository's metadata.txt; True when it changed."""
    text, _ = package_metadata(root)
    path = root / "metadata.txt"
    if path.read_text(encoding="utf-8") == text:
        return False
    _write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    parser.add_argument("--base-url", help="URL of the folder the zip is served from, written into plugins.xml "
                        "(e.g. http://gis.example.gov.cn/qgis-plugins/); default: the output folder as a file:// URL")
    parser.add_argument("--sync-metadata", action="store_true",
                        help="only copy CHANGELOG.md into the changelog= of the repository's metadata.txt")
    args = parser.parse_args(argv)
    try:
        if args.sync_metadata:
            print("metadata.txt " + ("updated from CHANGELOG.md" if sync_metadata() else "already matches CHANGELOG.md"))
            return 0
        result = package(ROOT, args.dist, args.base_url)
    except (PackageError, PluginFilesError, OSError) as exc:
        print(f"package: {exc}", file=sys.stderr)
        return 1
    print(f"{result['zip']} ({result['files']} files, {result['bytes'] / 1e6:.2f} MB)")
    print(f"{result['plugins_xml']} (download_url {result['download_url']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
