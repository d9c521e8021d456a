"""The state formats (``reports.formats_data.FormatDoc``) drawn as PDF with the report machinery of
``reports.layout`` (Qt PDF writer, landscape letter, tables that repeat their headings and never split a row)
and written as Excel workbooks (openpyxl, one sheet per program, indicator or project). Used by
``ses formato`` and by the Informes menu («Formatos del Estado de México…»)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Callable

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPageLayout, QPageSize, QPagedPaintDevice, QPainter, QPen

from ..core.numbers import fmt_es, fmt_pct_es, round2
from ..db.database import Database
from . import layout as L
from .formats_data import FormatDoc, FSign, FTable, FText, LightCell, Section, build_format

TEXT = {
    "footer": "SES · {code} · {quarter} · {scope} · Generado el {fecha}",
    "ejercicio": "Ejercicio {y} · {q} · {scope}",
    "perfil": "Perfil: {p}",
    "empty_title": "Sin contenido",
    "dash": "—",
    "writing": "Escribiendo página {i} de {n}…",
    "sheets": "Escribiendo hoja {i} de {n}…",
    "composing": "Componiendo el documento…",
}

LIGHT_OVER = "sobrecumplimiento"
MARGINS_MM = QMarginsF(13, 9, 13, 9)  # landscape letter: left, top, right, bottom


# ------------------------------------------------------------------------------------------ cells
def cell_text(value, kind: str) -> str:
    if value is None:
        return TEXT["dash"]
    if isinstance(value, Decimal):
        return fmt_pct_es(round2(value)) if kind == "pct" else fmt_es(round2(value))
    if isinstance(value, LightCell):
        return value.word
    return str(value)


# ------------------------------------------------------------------------------------------ PDF
class GroupedTable(L.Table):
    """A layout table with a band of group headings (e.g. «Avance trimestral» over four columns)."""

    def __init__(self, columns, rows, size, groups):
        super().__init__(columns, rows, size=size)
        self.groups = groups


class _Paginator(L.Paginator):
    BAND_MM = 4.6
    KEEP_ROWS = 12  # a short table (rows and height) is kept on one page with its heading
    KEEP_MM = 45.0

    def _table_height(self, t) -> float:
        widths = self.col_widths(t)
        body, bold = L.font(t.size), L.font(t.size, True)
        h = self.row_height(t, L.Row([col.title for col in t.columns], kind="header"), widths, bold)
        return h + sum(self.row_height(t, r, widths, bold if r.kind in ("total", "group") else body) for r in t.rows)

    def _kept_whole(self, t) -> bool:
        return len(t.rows) <= self.KEEP_ROWS and self._table_height(t) <= self.ctx.mm(self.KEEP_MM)

    def first_unit(self, block) -> float:
        if isinstance(block, L.Table) and self._kept_whole(block):
            return self._table_height(block)
        return super().first_unit(block)

    def place_table(self, t) -> None:
        if self._kept_whole(t) and self._table_height(t) > self.room and not self._page_is_empty():
            self.new_page()
        super().place_table(t)

    def row_height(self, t, row, widths, f):
        h = super().row_height(t, row, widths, f)
        if row.kind == "header" and getattr(t, "groups", None):
            h += self.ctx.mm(self.BAND_MM)
        return h

    def _row_op(self, t, row, widths, y, h, f, n):
        groups = getattr(t, "groups", None)
        if row.kind != "header" or not groups:
            return super()._row_op(t, row, widths, y, h, f, n)
        c = self.ctx
        bh = c.mm(self.BAND_MM)
        inner = super()._row_op(t, row, widths, y + bh, h - bh, f, n)

        def op(p: QPainter) -> None:
            x = 0.0
            col = 0
            gf = L.font(t.size, True)
            p.setFont(gf)
            for title, span in groups:
                w = sum(widths[col:col + span])
                if title:
                    r = QRectF(x, y, w, bh)
                    p.fillRect(r, L.ACCENT2)
                    p.setPen(QColor("white"))
                    c.draw_text(p, gf, r, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter), title)
                    p.setPen(QPen(QColor("white"), c.mm(0.4)))
                    p.drawLine(QPointF(x, y), QPointF(x, y + h))
                x += w
                col += span
            inner(p)
            x = 0.0
            col = 0
            p.setPen(QPen(QColor("white"), c.mm(0.4)))
            for title, span in groups:  # separators between groups down the heading row
                if col:
                    p.drawLine(QPointF(x, y), QPointF(x, y + h))
                x += sum(widths[col:col + span])
                col += span

        return op


def setup_landscape(device: QPagedPaintDevice) -> None:
    device.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.Letter), QPageLayout.Orientation.Landscape,
                                     MARGINS_MM, QPageLayout.Unit.Millimeter))


def _title_box(doc: FormatDoc) -> L.Box:
    def measure(c: L.Ctx, width: float) -> float:
        return c.mm(13)

    def draw(p: QPainter, rect: QRectF, c: L.Ctx) -> None:
        p.fillRect(QRectF(rect.left(), rect.top(), rect.width(), c.mm(7.5)), L.ACCENT)
        p.setPen(QColor("white"))
        p.setFont(L.font(11.5, True))
        p.drawText(QRectF(rect.left() + c.mm(2), rect.top(), rect.width() - c.mm(4), c.mm(7.5)),
                   int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), f"{doc.code}   {doc.title}")
        p.setFont(L.font(8))
        p.setPen(L.MUTED)
        p.drawText(QRectF(rect.left(), rect.top() + c.mm(8.3), rect.width(), c.mm(4.5)),
                   int(Qt.AlignmentFlag.AlignLeft), TEXT["ejercicio"].format(y=doc.fiscal_year, q=doc.quarter_label,
                                                                              scope=doc.scope))
        p.drawText(QRectF(rect.left(), rect.top() + c.mm(8.3), rect.width(), c.mm(4.5)),
                   int(Qt.AlignmentFlag.AlignRight), TEXT["perfil"].format(p=doc.profile_name))

    return L.Box(measure, draw)


def _header_box(pairs: list[tuple[str, str]]) -> L.Box:
    """Label / value pairs in two columns, each value wrapped under the width of its half."""
    lab_f, val_f = L.font(7.2, True), L.font(7.8)

    def layout_rows(c: L.Ctx, width: float):
        half = (width - c.mm(4)) / 2
        lw = c.mm(34)
        vw = half - lw - c.mm(2)
        rows = []
        for i in range(0, len(pairs), 2):
            chunk = pairs[i:i + 2]
            h = max(max(c.text_height(lab_f, a, lw), c.text_height(val_f, b, vw)) for a, b in chunk) + c.mm(1.1)
            rows.append((chunk, h))
        return half, lw, vw, rows

    def measure(c: L.Ctx, width: float) -> float:
        return sum(h for _, h in layout_rows(c, width)[3]) + c.mm(1)

    def draw(p: QPainter, rect: QRectF, c: L.Ctx) -> None:
        half, lw, vw, rows = layout_rows(c, rect.width())
        y = rect.top()
        wrap = int(Qt.TextFlag.TextWordWrap)
        for n, (chunk, h) in enumerate(rows):
            if n % 2 == 0:
                p.fillRect(QRectF(rect.left(), y, rect.width(), h), L.ZEBRA)
            for j, (a, b) in enumerate(chunk):
                x = rect.left() + j * (half + c.mm(4))
                p.setFont(lab_f)
                p.setPen(L.ACCENT)
                c.draw_text(p, lab_f, QRectF(x + c.mm(1), y + c.mm(0.55), lw, h), wrap, a)
                p.setFont(val_f)
                p.setPen(L.INK)
                c.draw_text(p, val_f, QRectF(x + lw + c.mm(2), y + c.mm(0.55), vw, h), wrap, b)
            y += h
        p.setPen(QPen(L.RULE, c.mm(0.2)))
        p.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))

    return L.Box(measure, draw)


def _text_box(label: str, text: str) -> L.Box:
    lab_f, val_f = L.font(7.5, True), L.font(7.8)

    def measure(c: L.Ctx, width: float) -> float:
        return max(c.text_height(lab_f, label, c.mm(40)), c.text_height(val_f, text, width - c.mm(44))) + c.mm(2.4)

    def draw(p: QPainter, rect: QRectF, c: L.Ctx) -> None:
        p.setPen(QPen(L.RULE, c.mm(0.2)))
        p.drawRect(QRectF(rect.left(), rect.top(), rect.width(), rect.height()))
        p.fillRect(QRectF(rect.left(), rect.top(), c.mm(42), rect.height()), L.TOTAL_BG)
        p.setFont(lab_f)
        p.setPen(L.ACCENT)
        wrap = int(Qt.TextFlag.TextWordWrap)
        c.draw_text(p, lab_f, QRectF(rect.left() + c.mm(1.2), rect.top() + c.mm(1.2), c.mm(40), rect.height()), wrap,
                    label)
        p.setFont(val_f)
        p.setPen(L.INK)
        c.draw_text(p, val_f, QRectF(rect.left() + c.mm(44), rect.top() + c.mm(1.2), rect.width() - c.mm(45),
                                     rect.height()), wrap, text)

    return L.Box(measure, draw)


def _sign_box(sign: FSign) -> L.Box:
    entries = sign.entries

    def measure(c: L.Ctx, width: float) -> float:
        return c.mm(25)

    def draw(p: QPainter, rect: QRectF, c: L.Ctx) -> None:
        n = max(1, len(entries))
        gap = c.mm(20)
        w = min(c.mm(90), (rect.width() - gap * (n - 1)) / n)
        x0 = rect.left() + (rect.width() - (w * n + gap * (n - 1))) / 2
        center = int(Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap)
        for i, (label, role, name, cargo) in enumerate(entries):
            x = x0 + i * (w + gap)
            f = L.font(8.5, True)
            p.setFont(f)
            p.setPen(L.INK)
            c.draw_text(p, f, QRectF(x, rect.top() + c.mm(1), w, c.mm(5)), center, label)
            ly = rect.top() + c.mm(13)
            p.setPen(QPen(L.INK, c.mm(0.3)))
            p.drawLine(QPointF(x + c.mm(3), ly), QPointF(x + w - c.mm(3), ly))
            f = L.font(8)
            p.setFont(f)
            c.draw_text(p, f, QRectF(x, ly + c.mm(0.8), w, c.mm(4.5)), center, name)
            f = L.font(7.2)
            p.setFont(f)
            p.setPen(L.MUTED)
            c.draw_text(p, f, QRectF(x, ly + c.mm(4.8), w, c.mm(8)), center, " · ".join(t for t in (cargo, role) if t))

    return L.Box(measure, draw)


_ALIGN = {"text": "l", "num": "r", "pct": "r", "light": "l"}


def _table_blocks(t: FTable) -> list:
    cols = [L.Col(c.title, c.width, _ALIGN.get(c.kind, "l")) for c in t.columns]
    rows = []
    for i, r in enumerate(t.rows):
        cells = []
        for cell, col in zip(r, t.columns):
            if isinstance(cell, LightCell):
                cells.append(L.Mark(LIGHT_OVER if cell.over else cell.light, cell.word))
            else:
                cells.append(cell_text(cell, col.kind))
        rows.append(L.Row(cells, kind="total" if i in t.total_rows else "normal"))
    size = 7.0 if len(t.columns) <= 10 else 6.5
    out = []
    if t.title:
        out.append(L.Heading(t.title, 3))
    out.append(GroupedTable(cols, rows, size, t.groups) if t.groups else L.Table(cols, rows, size=size))
    return out


def build_document(fd: FormatDoc, generated: datetime | None = None) -> L.Document:
    stamp = (generated or datetime.now()).strftime("%d/%m/%Y %H:%M")
    doc = L.Document(title=f"{fd.code} · {fd.quarter_label}", org=fd.org,
                     footer_left=TEXT["footer"].format(code=fd.code, quarter=fd.quarter_label, scope=fd.scope,
                                                       fecha=stamp))
    if fd.overachievement_color:
        L.LIGHT_COLORS[LIGHT_OVER] = QColor(fd.overachievement_color)
    else:
        L.LIGHT_COLORS[LIGHT_OVER] = L.LIGHT_COLORS["rojo"]
    if not fd.sections:
        doc.add(_title_box(fd), L.Para(fd.empty_reason, 9, italic=True, color=L.MUTED))
        return doc
    for i, sec in enumerate(fd.sections):
        if i:
            doc.add(L.PageBreak())
        doc.add(_title_box(fd), _header_box(sec.header))
        for b in sec.blocks:
            if isinstance(b, FTable):
                doc.add(*_table_blocks(b))
            elif isinstance(b, FText):
                doc.add(_text_box(b.label, b.text))
            elif isinstance(b, FSign):
                doc.add(L.Spacer(1), _sign_box(b))
    return doc


def render(doc: L.Document, device: QPagedPaintDevice, progress: Callable[[int, int], None] | None = None) -> int:
    """Paginate (landscape) and paint; returns the number of pages. ``progress(i, total)`` may raise to cancel."""
    setup_landscape(device)
    pg = _Paginator(doc, device)
    return L.paint_pages(doc, device, pg.ctx, pg.run(), progress, every=20)


def write_pdf(fd: FormatDoc, path: str, progress: Callable[[int, int], None] | None = None) -> int:
    """The format as PDF at ``path`` (replaced only once it is whole); returns the number of pages."""
    return L.write_pdf_file(path, f"{fd.code} {fd.title} {fd.quarter}",
                            lambda writer: render(build_document(fd), writer, progress))


# ------------------------------------------------------------------------------------------ Excel
def write_xlsx(fd: FormatDoc, path: str, progress: Callable[[int, int], None] | None = None) -> int:
    """One sheet per section; returns the number of sheets."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from ..excel.common import set_text, sheet_title
    from ..fileops import save_workbook

    wb = Workbook()
    wb.remove(wb.active)
    accent = PatternFill("solid", fgColor="6B1F35")
    gold = PatternFill("solid", fgColor="B38E5D")
    soft = PatternFill("solid", fgColor="ECE3D6")
    fills = {"verde": "C8E6C9", "amarillo": "FFF3C4", "rojo": "F8C9C9", "gris": "E0E0E0", "no_aplica": "EEEEEE"}
    over = (fd.overachievement_color or "#F8C9C9").lstrip("#")
    white_bold = Font(bold=True, color="FFFFFF")
    bold = Font(bold=True)
    thin = Side(style="thin", color="BDBDBD")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    used: set[str] = set()
    sections = fd.sections or [Section(TEXT["empty_title"], [], [FText(TEXT["empty_title"], fd.empty_reason)])]
    for n, sec in enumerate(sections):
        if progress and n % 20 == 0:
            progress(n, len(sections))
        ws = wb.create_sheet(sheet_title(sec.key, used))
        width = max([len(b.columns) for b in sec.blocks if isinstance(b, FTable)] + [6])
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_LETTER
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        r = 1
        ws.cell(r, 1, f"{fd.code} {fd.title}").font = Font(bold=True, size=13, color="6B1F35")
        r += 1
        set_text(ws.cell(r, 1), f"{fd.org} · " + TEXT["ejercicio"].format(y=fd.fiscal_year, q=fd.quarter_label,
                                                                           scope=fd.scope))
        r += 2
        for label, value in sec.header:
            c = ws.cell(r, 1, label)
            c.font = bold
            c.fill = soft
            set_text(ws.cell(r, 2), value)
            ws.cell(r, 2).alignment = wrap
            ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=width)
            r += 1
        r += 1
        for b in sec.blocks:
            if isinstance(b, FTable):
                if b.title:
                    ws.cell(r, 1, b.title).font = Font(bold=True, color="6B1F35")
                    r += 1
                if b.groups:
                    col = 1
                    for title, span in b.groups:
                        if title:
                            c = ws.cell(r, col, title)
                            c.font, c.fill, c.alignment = white_bold, gold, center
                            if span > 1:
                                ws.merge_cells(start_row=r, start_column=col, end_row=r, end_column=col + span - 1)
                        col += span
                    r += 1
                for j, col in enumerate(b.columns, 1):
                    c = ws.cell(r, j, col.title)
                    c.font, c.fill, c.alignment, c.border = white_bold, accent, center, box
                r += 1
                for i, row in enumerate(b.rows):
                    for j, (value, col) in enumerate(zip(row, b.columns), 1):
                        c = ws.cell(r, j)
                        if isinstance(value, Decimal):
                            c.value = round2(value)
                            c.number_format = '#,##0.00" %"' if col.kind == "pct" else "#,##0.00"
                        elif isinstance(value, LightCell):
                            c.value = value.word
                            c.fill = PatternFill("solid", fgColor=over if value.over else fills.get(value.light, "E0E0E0"))
                        elif value is None:
                            c.value = TEXT["dash"] if col.kind != "text" else None
                            c.alignment = Alignment(horizontal="right")
                        else:
                            set_text(c, value)
                            c.alignment = wrap
                        c.border = box
                        if i in b.total_rows:
                            c.font = bold
                    r += 1
                r += 1
            elif isinstance(b, FText):
                c = ws.cell(r, 1, b.label)
                c.font, c.fill, c.alignment = bold, soft, wrap
                set_text(ws.cell(r, 2), b.text)
                ws.cell(r, 2).alignment = wrap
                ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=width)
                lines = max(1, len(b.text) // 110 + b.text.count("\n") + 1)
                ws.row_dimensions[r].height = 15 * min(lines, 12)
                r += 2
            elif isinstance(b, FSign):
                r += 2
                for k, (label, role, name, cargo) in enumerate(b.entries):
                    col = 1 + k * 3
                    ws.cell(r, col, label).font = bold
                    ws.cell(r + 2, col, "_" * 30)
                    set_text(ws.cell(r + 3, col), name)
                    set_text(ws.cell(r + 4, col), " · ".join(t for t in (cargo, role) if t))
                r += 6
        ws.column_dimensions["A"].width = 26
        ws.column_dimensions["B"].width = 34
        for j in range(3, width + 1):
            ws.column_dimensions[get_column_letter(j)].width = 13
    save_workbook(wb, path)
    return len(sections)


# ------------------------------------------------------------------------------------------ use case
def make_format(db: Database, format_id: str, quarter: str, agency_key: str | None = None, *,
                pdf: str | None = None, xlsx: str | None = None,
                progress: Callable[[int, str], None] | None = None) -> tuple[FormatDoc, int]:
    """Build one format and write it as PDF (returns pages) or Excel (returns sheets). ``progress(percent,
    message)`` may raise to cancel."""
    fd = build_format(db, format_id, quarter, agency_key, progress=progress)
    if progress:
        progress(60, TEXT["composing"])

    def pages(i: int, total: int) -> None:
        if progress:
            progress(62 + int(37 * i / max(1, total)), TEXT["writing" if pdf else "sheets"].format(i=i + 1, n=total))

    if pdf:
        return fd, write_pdf(fd, pdf, pages)
    return fd, write_xlsx(fd, xlsx, pages)
