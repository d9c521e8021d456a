"""A small paginating renderer on any QPagedPaintDevice (QPdfWriter for PDF, QPrinter for print and preview).

The document is a list of blocks (headings, paragraphs, tables, chart rows, custom boxes). ``paginate``
measures every block with the device's font metrics and places it on pages first (so the footer can say
"Página N de M"), then ``render`` paints. Tables repeat their header on every page and never split a row;
headings stay with what follows them. Letter size, margins, header and footer are set here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (QColor, QFont, QFontMetricsF, QPageLayout, QPageSize, QPagedPaintDevice, QPainter,
                           QPen)

from .qtfix import protect_none

protect_none()

# colours of the printed document (guinda / dorado institutional palette, and the semáforo)
INK = QColor("#222222")
MUTED = QColor("#5f5f5f")
ACCENT = QColor("#6B1F35")  # guinda
ACCENT2 = QColor("#B38E5D")  # dorado
RULE = QColor("#BDBDBD")
ZEBRA = QColor("#F6F1EA")
TOTAL_BG = QColor("#ECE3D6")
LIGHT_COLORS = {
    "verde": QColor("#2E7D32"),
    "amarillo": QColor("#F2B705"),
    "rojo": QColor("#C62828"),
    "gris": QColor("#9E9E9E"),
    "no_aplica": QColor("#D9D9D9"),
}

MARGINS_MM = QMarginsF(18, 12, 18, 12)  # left, top, right, bottom (the header/footer bands are inside)
HEADER_MM = 11.0
FOOTER_MM = 10.0
FONT_FAMILIES = ["Arial", "Liberation Sans", "Helvetica", "DejaVu Sans"]


def write_pdf_file(path, title: str, paint: Callable[[QPagedPaintDevice], int]) -> int:
    """A 300-dpi PDF at ``path`` painted by ``paint(writer)`` (returns its page count), written beside it and then
    put in place (``fileops.write_via_temp``): a cancelled or failed job leaves the previous file as it was."""
    from PySide6.QtGui import QPdfWriter

    from ..fileops import write_via_temp

    def write(tmp) -> int:
        writer = QPdfWriter(str(tmp))
        writer.setResolution(300)
        writer.setTitle(title)
        writer.setCreator("SES — Sistema Estratégico de Seguimiento")
        try:
            return paint(writer)
        finally:
            del writer  # flushes and closes the file before it is moved or removed

    return write_via_temp(path, write)


def setup_device(device: QPagedPaintDevice) -> None:
    """Letter, portrait, our margins."""
    device.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.Letter), QPageLayout.Orientation.Portrait,
                                     MARGINS_MM, QPageLayout.Unit.Millimeter))


_FONTS: dict = {}


def font(size: float, bold: bool = False, italic: bool = False) -> QFont:
    """A report font (cached: callers must not modify it)."""
    key = (size, bold, italic)
    f = _FONTS.get(key)
    if f is None:
        f = QFont()
        f.setFamilies(FONT_FAMILIES)
        f.setPointSizeF(size)
        f.setBold(bold)
        f.setItalic(italic)
        # no typographic ligatures: «fi» would become one glyph (U+FB01) and words such as «Justificaciones»
        # could not be found or copied from the PDF (DejaVu Sans, the usual Linux fallback, has them)
        for tag in ("liga", "clig"):
            try:
                f.setFeature(QFont.Tag(tag), 0)
            except (AttributeError, TypeError):  # Qt < 6.7: keep the font's default
                break
        _FONTS[key] = f
    return f


# ------------------------------------------------------------------------------------------ blocks
@dataclass
class Heading:
    text: str
    level: int = 1  # 1 section, 2 program, 3 sub-heading
    page_break_before: bool = False


@dataclass
class Para:
    text: str
    size: float = 8.5
    bold: bool = False
    italic: bool = False
    color: QColor | None = None
    space_after_mm: float = 1.8
    align: int = int(Qt.AlignmentFlag.AlignLeft)


@dataclass
class Mark:
    """A semáforo cell: coloured mark plus its word (and optional second line)."""

    light: str
    text: str
    note: str = ""
    color: str = ""  # e.g. a state profile's over-achievement colour; "" = the light's colour


@dataclass
class Col:
    title: str
    width: float  # relative
    align: str = "l"  # l | r | c


@dataclass
class Row:
    cells: Sequence  # str | Mark
    kind: str = "normal"  # normal | total | group


@dataclass
class Table:
    columns: list[Col]
    rows: list[Row]
    size: float = 7.5
    zebra: bool = True


@dataclass
class Charts:
    """A row of charts side by side, each drawn by ``draw(painter, rect)``; never split across pages."""

    draws: list[Callable[[QPainter, QRectF], None]]
    height_mm: float = 60.0
    columns: int = 2


@dataclass
class Box:
    """Custom block: ``measure(ctx, width) -> height``, ``draw(painter, rect, ctx)``; kept on one page."""

    measure: Callable
    draw: Callable


@dataclass
class Spacer:
    mm: float


@dataclass
class PageBreak:
    pass


@dataclass
class Document:
    title: str  # header right
    org: str  # header left
    footer_left: str
    blocks: list = field(default_factory=list)
    cover: Callable | None = None  # draw(painter, rect, ctx): page 1 without header

    def add(self, *blocks) -> None:
        self.blocks.extend(blocks)


# ------------------------------------------------------------------------------------------ layout
class Ctx:
    """Device metrics shared by measuring and painting."""

    def __init__(self, device: QPagedPaintDevice):
        self.device = device
        self.px_mm = device.logicalDpiX() / 25.4
        self.width = float(device.width())
        self.height = float(device.height())
        self.top = self.mm(HEADER_MM)
        self.bottom = self.height - self.mm(FOOTER_MM)
        self._metrics: dict = {}
        self._heights: dict = {}
        self._advances: dict = {}

    def mm(self, v: float) -> float:
        return v * self.px_mm

    def metrics(self, f: QFont) -> QFontMetricsF:
        k = (f.pointSizeF(), f.bold(), f.italic())
        m = self._metrics.get(k)
        if m is None:
            m = self._metrics[k] = QFontMetricsF(f, self.device)
        return m

    def advance(self, f: QFont, text: str) -> float:
        key = (f.pointSizeF(), f.bold(), f.italic(), text)
        w = self._advances.get(key)
        if w is None:
            w = self._advances[key] = self.metrics(f).horizontalAdvance(text)
        return w

    def draw_text(self, p: QPainter, f: QFont, rect: QRectF, flags: int, text: str) -> None:
        """``p.drawText(rect, flags, text)``, but a single line that fits is placed by hand (three times
        faster on the PDF engine, and reports draw tens of thousands of cells)."""
        if not text:
            return
        if "\n" in text:
            p.drawText(rect, flags, text)
            return
        w = self.advance(f, text)
        if w > rect.width():
            p.drawText(rect, flags, text)
            return
        m = self.metrics(f)
        if flags & int(Qt.AlignmentFlag.AlignRight):
            x = rect.right() - w
        elif flags & int(Qt.AlignmentFlag.AlignHCenter):
            x = rect.left() + (rect.width() - w) / 2
        else:
            x = rect.left()
        if flags & int(Qt.AlignmentFlag.AlignVCenter):
            y = rect.top() + (rect.height() - m.height()) / 2 + m.ascent()
        elif flags & int(Qt.AlignmentFlag.AlignBottom):
            y = rect.bottom() - m.descent()
        else:
            y = rect.top() + m.ascent()
        p.drawText(QPointF(x, y), text)

    def text_height(self, f: QFont, text: str, width: float, flags: int = 0) -> float:
        m = self.metrics(f)
        if not text:
            return m.height()
        key = (f.pointSizeF(), f.bold(), f.italic(), text, round(width, 1), flags)
        h = self._heights.get(key)
        if h is None:
            if "\n" not in text and m.horizontalAdvance(text) <= width:
                h = m.height()  # one line: no layout needed
            else:
                h = m.boundingRect(QRectF(0, 0, max(1.0, width), 1e7), int(Qt.TextFlag.TextWordWrap) | flags,
                                   text).height()
            self._heights[key] = h
        return h


Op = Callable[[QPainter], None]


class Paginator:
    def __init__(self, doc: Document, device: QPagedPaintDevice):
        self.doc = doc
        self.ctx = Ctx(device)
        self.pages: list[list[Op]] = [[]]
        self.y = self.ctx.top
        if doc.cover is not None:
            cover = doc.cover
            ctx = self.ctx
            self.pages[0].append(lambda p: cover(p, QRectF(0, 0, ctx.width, ctx.bottom), ctx))
            self.pages.append([])

    # -- helpers
    @property
    def room(self) -> float:
        return self.ctx.bottom - self.y

    def new_page(self) -> None:
        self.pages.append([])
        self.y = self.ctx.top

    def _emit(self, op: Op) -> None:
        self.pages[-1].append(op)

    def _page_is_empty(self) -> bool:
        return self.y <= self.ctx.top + 0.5

    # -- measuring
    def heading_style(self, level: int) -> tuple[QFont, float, float]:
        size = {1: 14.0, 2: 11.0, 3: 9.5}.get(level, 9.5)
        before = {1: 2.0, 2: 5.0, 3: 3.0}.get(level, 3.0)
        return font(size, bold=True), self.ctx.mm(before), self.ctx.mm(2.0 if level == 1 else 1.5)

    def first_unit(self, block) -> float:
        """Height of the smallest piece of ``block`` that must follow a heading on the same page."""
        c = self.ctx
        if isinstance(block, Para):
            return min(self.para_height(block), c.mm(20))
        if isinstance(block, Table):
            widths = self.col_widths(block)
            f = font(block.size)
            h = self.row_height(block, Row([col.title for col in block.columns]), widths, font(block.size, True))
            if block.rows:
                h += self.row_height(block, block.rows[0], widths, f)
            return h
        if isinstance(block, Charts):
            return c.mm(block.height_mm)
        if isinstance(block, Box):
            return block.measure(c, c.width)
        if isinstance(block, Heading):
            f, before, after = self.heading_style(block.level)
            return before + c.text_height(f, block.text, c.width) + after
        return 0.0

    def para_height(self, b: Para) -> float:
        return self.ctx.text_height(font(b.size, b.bold, b.italic), b.text, self.ctx.width) + self.ctx.mm(b.space_after_mm)

    def col_widths(self, t: Table) -> list[float]:
        tot = sum(col.width for col in t.columns)
        return [self.ctx.width * col.width / tot for col in t.columns]

    def cell_text(self, cell) -> str:
        if isinstance(cell, Mark):
            return cell.text + (("\n" + cell.note) if cell.note else "")
        return "" if cell is None else str(cell)

    def row_height(self, t: Table, row: Row, widths: list[float], f: QFont) -> float:
        c = self.ctx
        pad = c.mm(1.1)
        h = 0.0
        for i, cell in enumerate(row.cells):
            w = (c.width if row.kind == "group" else widths[i]) - 2 * pad
            if isinstance(cell, Mark):
                w -= c.mm(3.6)
                txt_h = c.text_height(f, cell.text, w)
                if cell.note:
                    txt_h += c.text_height(font(t.size - 1.2), cell.note, w)
            else:
                txt_h = c.text_height(f, self.cell_text(cell), w)
            h = max(h, txt_h)
            if row.kind == "group":
                break
        return h + 2 * pad

    # -- placing
    def run(self) -> list[list[Op]]:
        blocks = self.doc.blocks
        for i, b in enumerate(blocks):
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            if isinstance(b, PageBreak):
                if not self._page_is_empty():
                    self.new_page()
            elif isinstance(b, Spacer):
                if not self._page_is_empty():
                    self.y += self.ctx.mm(b.mm)
            elif isinstance(b, Heading):
                self.place_heading(b, nxt)
            elif isinstance(b, Para):
                self.place_para(b)
            elif isinstance(b, Table):
                self.place_table(b)
            elif isinstance(b, Charts):
                self.place_charts(b)
            elif isinstance(b, Box):
                self.place_box(b)
        if not self.pages[-1] and len(self.pages) > 1:
            self.pages.pop()
        return self.pages

    def place_heading(self, b: Heading, nxt) -> None:
        c = self.ctx
        f, before, after = self.heading_style(b.level)
        if b.page_break_before and not self._page_is_empty():
            self.new_page()
        if self._page_is_empty():
            before = 0.0
        th = c.text_height(f, b.text, c.width)
        need = before + th + after + (self.first_unit(nxt) if nxt is not None else 0.0)
        if need > self.room and not self._page_is_empty():
            self.new_page()
            before = 0.0
        y = self.y + before
        rect = QRectF(0, y, c.width, th)
        level = b.level
        text = b.text

        def op(p: QPainter) -> None:
            p.setFont(f)
            p.setPen(ACCENT if level <= 2 else INK)
            p.drawText(rect, int(Qt.TextFlag.TextWordWrap), text)
            if level == 1:
                p.setPen(QPen(ACCENT2, c.mm(0.5)))
                p.drawLine(QPointF(0, rect.bottom() + c.mm(0.6)), QPointF(c.width, rect.bottom() + c.mm(0.6)))
            elif level == 2:
                p.setPen(QPen(ACCENT, c.mm(0.25)))
                p.drawLine(QPointF(0, rect.bottom() + c.mm(0.4)), QPointF(c.width, rect.bottom() + c.mm(0.4)))

        self._emit(op)
        self.y = y + th + after

    def place_para(self, b: Para) -> None:
        c = self.ctx
        f = font(b.size, b.bold, b.italic)
        h = c.text_height(f, b.text, c.width)
        if h > self.room and not self._page_is_empty():
            if h <= c.bottom - c.top:
                self.new_page()
            else:  # a very long paragraph: split by lines of text
                self._place_long_para(b, f)
                return
        rect = QRectF(0, self.y, c.width, h)
        color = b.color or INK
        text = b.text
        align = b.align

        def op(p: QPainter) -> None:
            p.setFont(f)
            p.setPen(color)
            p.drawText(rect, int(Qt.TextFlag.TextWordWrap) | align, text)

        self._emit(op)
        self.y += h + c.mm(b.space_after_mm)

    def _place_long_para(self, b: Para, f: QFont) -> None:
        for part in b.text.split("\n"):
            self.place_para(Para(part, b.size, b.bold, b.italic, b.color, 0.5, b.align))
        self.y += self.ctx.mm(b.space_after_mm)

    def place_table(self, t: Table) -> None:
        c = self.ctx
        widths = self.col_widths(t)
        body = font(t.size)
        bold = font(t.size, True)
        header = Row([col.title for col in t.columns], kind="header")
        hh = self.row_height(t, header, widths, bold)
        first = self.row_height(t, t.rows[0], widths, body) if t.rows else 0.0
        if hh + first > self.room and not self._page_is_empty():
            self.new_page()
        self._emit(self._row_op(t, header, widths, self.y, hh, bold, 0))
        self.y += hh
        for n, row in enumerate(t.rows):
            f = bold if row.kind in ("total", "group") else body
            rh = self.row_height(t, row, widths, f)
            if rh > self.room and self.y > c.top + hh + 0.5:
                self.new_page()
                self._emit(self._row_op(t, header, widths, self.y, hh, bold, 0))
                self.y += hh
            self._emit(self._row_op(t, row, widths, self.y, rh, f, n))
            self.y += rh
        self.y += c.mm(3.0)

    def _row_op(self, t: Table, row: Row, widths: list[float], y: float, h: float, f: QFont, n: int) -> Op:
        c = self.ctx
        pad = c.mm(1.1)
        cols = t.columns
        note_font = font(t.size - 1.2)

        def op(p: QPainter) -> None:
            if row.kind == "header":
                p.fillRect(QRectF(0, y, c.width, h), ACCENT)
            elif row.kind == "total":
                p.fillRect(QRectF(0, y, c.width, h), TOTAL_BG)
            elif row.kind == "group":
                p.fillRect(QRectF(0, y, c.width, h), QColor("#E9E2EA"))
            elif t.zebra and n % 2 == 1:
                p.fillRect(QRectF(0, y, c.width, h), ZEBRA)
            p.setFont(f)
            x = 0.0
            for i, cell in enumerate(row.cells):
                w = c.width if row.kind == "group" else widths[i]
                align = "l" if row.kind == "group" else cols[i].align
                flags = int(Qt.TextFlag.TextWordWrap) | int(
                    {"l": Qt.AlignmentFlag.AlignLeft, "r": Qt.AlignmentFlag.AlignRight,
                     "c": Qt.AlignmentFlag.AlignHCenter}[align if row.kind != "header" else "c"])
                flags |= int(Qt.AlignmentFlag.AlignTop if row.kind != "header" else Qt.AlignmentFlag.AlignVCenter)
                r = QRectF(x + pad, y + pad, w - 2 * pad, h - 2 * pad)
                if isinstance(cell, Mark):
                    d = c.mm(2.6)
                    lh = c.metrics(f).height()
                    p.setPen(Qt.PenStyle.NoPen)
                    p.setBrush(QColor(cell.color) if cell.color else LIGHT_COLORS.get(cell.light, LIGHT_COLORS["gris"]))
                    p.drawEllipse(QRectF(r.left(), r.top() + (lh - d) / 2, d, d))
                    p.setBrush(Qt.BrushStyle.NoBrush)
                    tr = QRectF(r.left() + c.mm(3.6), r.top(), r.width() - c.mm(3.6), r.height())
                    p.setPen(INK)
                    p.setFont(f)
                    c.draw_text(p, f, tr, int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft), cell.text)
                    if cell.note:
                        th = c.text_height(f, cell.text, tr.width())
                        p.setFont(note_font)
                        p.setPen(MUTED)
                        p.drawText(QRectF(tr.left(), tr.top() + th, tr.width(), tr.height() - th),
                                   int(Qt.TextFlag.TextWordWrap), cell.note)
                        p.setFont(f)
                else:
                    p.setPen(QColor("white") if row.kind == "header" else INK)
                    c.draw_text(p, f, r, flags, self.cell_text(cell))
                x += w
                if row.kind == "group":
                    break
            p.setPen(QPen(RULE, c.mm(0.15)))
            p.drawLine(QPointF(0, y + h), QPointF(c.width, y + h))

        return op

    def place_charts(self, b: Charts) -> None:
        c = self.ctx
        h = c.mm(b.height_mm)
        if h > self.room and not self._page_is_empty():
            self.new_page()
        gap = c.mm(4)
        w = (c.width - gap * (b.columns - 1)) / b.columns
        y = self.y
        for i, draw in enumerate(b.draws):
            rect = QRectF(i * (w + gap), y, w, h)

            def op(p: QPainter, draw=draw, rect=rect) -> None:
                p.save()
                draw(p, rect)
                p.restore()

            self._emit(op)
        self.y += h + c.mm(3)

    def place_box(self, b: Box) -> None:
        c = self.ctx
        h = b.measure(c, c.width)
        if h > self.room and not self._page_is_empty():
            self.new_page()
        rect = QRectF(0, self.y, c.width, h)

        def op(p: QPainter) -> None:
            p.save()
            b.draw(p, rect, c)
            p.restore()

        self._emit(op)
        self.y += h + c.mm(2)


def paginate(doc: Document, device: QPagedPaintDevice) -> tuple[Ctx, list[list[Op]]]:
    pg = Paginator(doc, device)
    return pg.ctx, pg.run()


def render(doc: Document, device: QPagedPaintDevice, progress: Callable[[int, str], None] | None = None,
           setup: bool = True) -> int:
    """Paginate and paint ``doc`` on ``device``; returns the number of pages."""
    if setup:
        setup_device(device)
    ctx, pages = paginate(doc, device)
    return paint_pages(doc, device, ctx, pages, progress)


def paint_pages(doc: Document, device: QPagedPaintDevice, ctx: Ctx, pages: list, progress=None, every: int = 10) -> int:
    """Paint paginated ``pages`` (lists of paint operations) with the header and footer of ``doc`` (no header on
    a cover page); ``progress(i, total)`` every ``every`` pages (it may raise to cancel). Returns the page count.
    Shared by the monthly report and the state formats (reports/formats.py)."""
    total = len(pages)
    p = QPainter()
    if not p.begin(device):
        raise RuntimeError("No se pudo iniciar la impresión del documento.")
    try:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        for i, ops in enumerate(pages):
            if i:
                device.newPage()
            if progress and i % every == 0:
                progress(i, total)
            if not (i == 0 and doc.cover is not None):
                _header(p, ctx, doc)
            _footer(p, ctx, doc, i + 1, total)
            for op in ops:
                op(p)
    finally:
        p.end()
    return total


PAGE_TEXT = "Página {n} de {m}"


def _header(p: QPainter, c: Ctx, doc: Document) -> None:
    f = font(7.5)
    p.setFont(f)
    p.setPen(MUTED)
    band = QRectF(0, 0, c.width, c.mm(HEADER_MM - 4))
    half = QRectF(band.left(), band.top(), band.width() * 0.5, band.height())
    p.drawText(half, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom),
               c.metrics(f).elidedText(doc.org, Qt.TextElideMode.ElideRight, half.width() - c.mm(2)))
    right = QRectF(band.width() * 0.5, band.top(), band.width() * 0.5, band.height())
    p.drawText(right, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom),
               c.metrics(f).elidedText(doc.title, Qt.TextElideMode.ElideLeft, right.width()))
    p.setPen(QPen(ACCENT, c.mm(0.35)))
    p.drawLine(QPointF(0, band.bottom() + c.mm(1.2)), QPointF(c.width, band.bottom() + c.mm(1.2)))


def _footer(p: QPainter, c: Ctx, doc: Document, n: int, m: int) -> None:
    f = font(7.5)
    y = c.height - c.mm(FOOTER_MM - 3.5)
    p.setPen(QPen(RULE, c.mm(0.25)))
    p.drawLine(QPointF(0, y - c.mm(1.5)), QPointF(c.width, y - c.mm(1.5)))
    p.setFont(f)
    p.setPen(MUTED)
    band = QRectF(0, y, c.width, c.mm(FOOTER_MM - 4))
    p.drawText(band, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop), doc.footer_left)
    p.drawText(band, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop), PAGE_TEXT.format(n=n, m=m))
