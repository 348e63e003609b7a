"""Pages and text of a PDF for the tests: pypdf when it is installed, else a small reader.

The fallback reads what Chromium (Skia) writes: uncompressed page objects, FlateDecode
content streams, Type0 fonts with Identity-H encoding and a ToUnicode CMap each. It follows
the font selected by each `Tf` and maps the hex glyph strings of `Tj`/`TJ` through that font's
CMap, which is enough to check that words are on the page; it is no general PDF parser.
"""

from __future__ import annotations

import io
import re
import zlib

OBJ = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)


def _pypdf() -> object | None:
    try:
        import pypdf
    except ImportError:
        return None
    return pypdf


def page_count(pdf: bytes) -> int:
    lib = _pypdf()
    if lib is not None:
        return len(lib.PdfReader(io.BytesIO(pdf)).pages)  # type: ignore[attr-defined]
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))


def media_box(pdf: bytes) -> tuple[float, float]:
    """The first page's width and height in points."""
    m = re.search(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert m, "no /MediaBox in the PDF"
    x0, y0, x1, y1 = (float(v) for v in m.groups())
    return x1 - x0, y1 - y0


def text(pdf: bytes) -> str:
    lib = _pypdf()
    if lib is not None:
        reader = lib.PdfReader(io.BytesIO(pdf))  # type: ignore[attr-defined]
        return "\n".join(p.extract_text() or "" for p in reader.pages)
    return _chromium_text(pdf)


def _stream(body: bytes) -> bytes | None:
    if b"stream" not in body:
        return None
    raw = body.split(b"stream", 1)[1].lstrip(b"\r\n").rsplit(b"endstream", 1)[0]
    try:
        return zlib.decompress(raw) if b"/FlateDecode" in body.split(b"stream", 1)[0] else raw
    except zlib.error:
        return None


def _cmap(data: bytes) -> dict[int, str]:
    out: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            base = int(dst, 16)
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = chr(base + i)
    return out


def _chromium_text(pdf: bytes) -> str:
    objects = {int(n): body for n, body in OBJ.findall(pdf)}
    maps: dict[bytes, dict[int, str]] = {}
    pages = [b for b in objects.values() if re.search(rb"/Type\s*/Page(?![A-Za-z])", b)]
    contents: list[bytes] = []
    for page in pages:
        fonts = re.search(rb"/Font\s*<<(.*?)>>", page, re.S)
        for name, ref in re.findall(rb"/(\w+)\s+(\d+) 0 R", fonts.group(1) if fonts else b""):
            to_unicode = re.search(rb"/ToUnicode\s+(\d+) 0 R", objects.get(int(ref), b""))
            if to_unicode:
                maps[name] = _cmap(_stream(objects[int(to_unicode.group(1))]) or b"")
        for ref in re.findall(rb"/Contents\s+(\d+) 0 R", page):
            contents.append(_stream(objects[int(ref)]) or b"")
    out: list[str] = []
    for content in contents:
        current: dict[int, str] = {}
        for m in re.finditer(
            rb"/(\w+)\s+[\d.]+\s+Tf|\[(.*?)\]\s*TJ|<([0-9A-Fa-f]*)>\s*Tj", content, re.S
        ):
            if m.group(1):
                current = maps.get(m.group(1), {})
                continue
            hexes = re.findall(rb"<([0-9A-Fa-f]*)>", m.group(2)) if m.group(2) else [m.group(3)]
            for h in hexes:
                codes = [int(h[i : i + 4], 16) for i in range(0, len(h), 4)]
                out.append("".join(current.get(c, "") for c in codes))
            out.append(" ")
    return "".join(out)
