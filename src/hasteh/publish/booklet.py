"""Saddle-stitch imposition for a right-to-left booklet: A5 pages, two to an A4 side.

A Persian booklet opens on the right: folded, its spine is on the right of the cover.
Laid flat, the outside of the outer sheet shows the cover (page 1) on the **left** half
and the back cover (page n) on the right; its inside shows page 2 on the right and page
n-1 on the left, and so on inwards. With n pages (padded to a multiple of 4, blanks going
just before the back cover, which carries the claim), sheet s (from 0) is:

    front: left = 2s + 1        right = n - 2s
    back:  left = n - 2s - 1    right = 2s + 2

Printed double-sided, **flipped on the short edge**, stacked in sheet order, folded
and stapled in the middle (docs/bulletins.md).
"""

from __future__ import annotations

import io
from typing import Final

import pypdf
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

__all__ = ["padded_order", "sheet_sides"]

#: A4 landscape, in PDF points (ISO 216: 297 × 210 mm).
A4_WIDE: Final = (841.8898, 595.2756)


def padded_order(pages: int, keep_last: bool) -> list[int | None]:
    """The page indexes (0-based) of a booklet of `pages` pages, `None` for a blank,
    padded to a multiple of 4; with `keep_last` the blanks go before the last page."""
    order: list[int | None] = list(range(pages))
    blanks: list[int | None] = [None] * (-pages % 4)
    if keep_last and pages > 1:
        return [*order[:-1], *blanks, order[-1]]
    return [*order, *blanks]


def sheet_sides(count: int) -> list[tuple[int, int]]:
    """For a booklet of `count` pages (a multiple of 4): each printed side, front then
    back of each sheet, as (left, right) positions in the booklet, 1-based."""
    if count % 4:
        raise ValueError("a booklet's page count is a multiple of 4")
    sides: list[tuple[int, int]] = []
    for s in range(count // 4):
        sides.append((2 * s + 1, count - 2 * s))
        sides.append((count - 2 * s - 1, 2 * s + 2))
    return sides


def _as_form(writer: pypdf.PdfWriter, page: pypdf.PageObject) -> IndirectObject:
    """An A5 page as a form XObject (ISO 32000-2 §8.10): its content stream drawn
    unchanged, where the A4 side places it. Cheaper than merging content streams, and
    the page's text is not rewritten."""
    form = StreamObject()
    contents = page.get_contents()
    form.set_data(contents.get_data() if contents is not None else b"")
    found = page.get("/Resources")
    resources = found.get_object() if found is not None else None
    if not isinstance(resources, DictionaryObject):
        resources = DictionaryObject()
    box = page.mediabox
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(
                [FloatObject(v) for v in (box.left, box.bottom, box.right, box.top)]
            ),
            NameObject("/Resources"): resources.clone(writer),
        }
    )
    return writer._add_object(form.flate_encode())


def impose(pdf: bytes, keep_last: bool = True) -> bytes:
    """The A5 pages of `pdf` imposed two-up on A4 landscape sides, in RTL booklet order."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    order = padded_order(len(reader.pages), keep_last)
    writer = pypdf.PdfWriter()
    forms = {i: _as_form(writer, reader.pages[i]) for i in range(len(reader.pages))}
    width, height = A4_WIDE
    for left, right in sheet_sides(len(order)):
        side = writer.add_blank_page(width=width, height=height)
        xobjects = DictionaryObject()
        drawing = []
        for position, offset in ((left, 0.0), (right, width / 2)):
            index = order[position - 1]
            if index is None:
                continue
            box = reader.pages[index].mediabox
            dx = offset + (width / 2 - float(box.width)) / 2 - float(box.left)
            dy = (height - float(box.height)) / 2 - float(box.bottom)
            name = f"/Page{index}"
            xobjects[NameObject(name)] = forms[index]
            drawing.append(f"q 1 0 0 1 {dx:.4f} {dy:.4f} cm {name} Do Q")
        content = StreamObject()
        content.set_data("\n".join(drawing).encode("ascii"))
        side[NameObject("/Contents")] = writer._add_object(content)
        side[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): xobjects})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
