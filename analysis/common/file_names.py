"""Windows-safe, unique file names built from an adcode and a Chinese county name."""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable, List, Optional, Set, Tuple

__all__ = ["WINDOWS_RESERVED", "safe_file_stem", "county_file_stem", "unique_county_file_names"]

# Names Windows refuses whatever the extension (CON.zip is as bad as CON).
WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"COM{i}" for i in range(1, 10)] + [f"LPT{i}" for i in range(1, 10)]
)
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
MAX_STEM_CHARS = 80


def safe_file_stem(text: Optional[str], fallback: str = "unnamed", max_chars: int = MAX_STEM_CHARS) -> str:
    """``text`` as a file-name stem Windows accepts; Chinese characters are kept.

    Removes ``<>:"/\\|?*`` and control characters, folds whitespace runs to one space, strips trailing dots
    and spaces, prefixes reserved device names (CON, NUL, COM1…) with '_', and caps the length.
    """
    value = unicodedata.normalize("NFC", "" if text is None else str(text))
    value = re.sub(r"[\t\n\r\v\f]", " ", value)
    value = _FORBIDDEN.sub("", value)
    value = "".join(c for c in value if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co"))
    value = re.sub(r"\s+", " ", value).strip()
    value = value[:max_chars].rstrip(". ").lstrip(" ")
    if not value:
        value = fallback
    if value.split(".")[0].strip().upper() in WINDOWS_RESERVED:
        value = "_" + value
    return value


def county_file_stem(adcode: Optional[str], county: Optional[str]) -> str:
    """'140105' + '小店区' → '140105_小店区' (either part may be missing)."""
    code = safe_file_stem(adcode, fallback="") if adcode not in (None, "") else ""
    name = safe_file_stem(county, fallback="") if county not in (None, "") else ""
    stem = "_".join(p for p in (code, name) if p)
    return safe_file_stem(stem, fallback="county")


def unique_county_file_names(
    items: Iterable[Tuple[Optional[str], Optional[str]]],
    extension: str = ".zip",
    taken: Optional[Iterable[str]] = None,
) -> List[str]:
    """One file name per (adcode, county), unique case-insensitively (Windows): '_2', '_3'… on a clash."""
    used: Set[str] = {t.lower() for t in (taken or ())}
    names: List[str] = []
    for adcode, county in items:
        stem = county_file_stem(adcode, county)
        candidate = stem + extension
        number = 1
        while candidate.lower() in used:
            number += 1
            candidate = f"{stem}_{number}{extension}"
        used.add(candidate.lower())
        names.append(candidate)
    return names
