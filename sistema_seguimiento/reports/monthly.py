"""The *Informe mensual de avance*: turns ``ReportData`` into a paginated document and writes it to a PDF
file or any printer. Used by ``ses informe`` and by the Informes menu."""
from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime
from decimal import Decimal
from typing import Callable

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPagedPaintDevice, QPainter, QPen

from ..core import periods
from ..core.numbers import fmt_es, fmt_pct_es, round2
from ..core.types import LABELS
from ..db.database import Database
from . import charts as ch
from .data import LIGHTS, ReportData, build_report
from .layout import (ACCENT, ACCENT2, INK, MUTED, Box, Charts, Col, Ctx, Document, Heading, Mark, Para,
                     Row, Spacer, Table, font, render)

TEXT = {
    "title": "Informe mensual de avance",
    "subtitle": "Avance de los indicadores de la Matriz de Indicadores para Resultados",
    "periodo": "Periodo: {mes}",
    "corte": "Fecha de corte: {fecha}",
    "ejercicio": "Ejercicio fiscal {anio}",
    "admin": "Administración {adm}",
    "issuing": "Emite: {unit}",
    "sign_warning": ("Aviso: faltan los nombres de {roles} en Configuración → Firmas; el informe se imprime con "
                     "«Nombre y cargo» en su lugar."),
    "lb": "Línea base: {v}",
    "formula": "Fórmula: {f}",
    "meta": "Meta anual: {v}",
    "meta_mod": "Meta anual modificada: {v} (aprobada: {o})",
    "emitido": "Emitido por el Sistema Estratégico de Seguimiento el {fecha}",
    "footer": "SES · Informe mensual de avance · {mes} · Generado el {fecha}",
    "s1": "1. Resumen ejecutivo",
    "s1_intro": ("Corte al {fecha}. Alcance: {alcance}. Se evaluaron {n} indicadores de {p} programas presupuestarios; "
                 "{v} ({vp}) están en verde, {a} ({ap}) en amarillo, {r} ({rp}) en rojo, {g} ({gp}) sin dato "
                 "(periodo vencido sin captura) y {na} ({nap}) no aplican al corte (ningún periodo vencido). Capturas realizadas: {done} de {due} periodos vencidos ({cp})."),
    "s1_chart": "Indicadores por semáforo y dependencia",
    "reds": "Indicadores en rojo",
    "overs": "Metas superadas (sobrecumplimiento)",
    "more": "Se muestran los {n} más alejados de la meta de {total}; la lista completa está en el informe por programa.",
    "none_red": "Ningún indicador está en rojo.",
    "s2": "2. Avance por eje del {plan}",
    "s2_intro": ("Los programas se agrupan por el eje del {plan} al que están alineados. "
                 "«% en verde» es la proporción de indicadores con semáforo verde entre los que tienen color."),
    "s2_chart": "Distribución del semáforo por eje (proporción de indicadores)",
    "s3": "3. Avance por programa presupuestario",
    "prog_info": "Dependencia: {dep}   ·   Modalidad: {mod}   ·   Unidad responsable: {resp}",
    "alineacion": "Alineación: {txt}",
    "budget_title": "Presupuesto al corte (pesos)",
    "no_budget": ("Sin información presupuestal: no hay presupuesto aprobado, modificado ni ejercido registrado "
                  "para este programa hasta el corte."),
    "charts_title": "Meta y realizado por periodo, con el valor acumulado",
    "s4": "4. Justificaciones de indicadores fuera de rango",
    "s4_intro": ("Indicadores en amarillo o rojo, con sobrecumplimiento o que requieren justificación; "
                 "estructura causa, efecto, otros motivos y acciones de mejora."),
    "no_just": "Sin justificación capturada.",
    "none_just": "Todos los indicadores están dentro del rango aceptable.",
    "notes": "Notas",
    "preset_note": ("Semáforo: preset «{name}» ({key}). {words}. Fórmula para indicadores descendentes: "
                    "{formula}."),
    "data_note": ("Estado de los datos: cifras preliminares sujetas a validación por la unidad de planeación "
                  "({val} de {tot} capturas validadas). Porcentajes redondeados a dos decimales (mitad hacia arriba); "
                  "el color se asigna sobre el porcentaje redondeado."),
    "data_note_ok": ("Estado de los datos: las {tot} capturas del periodo están validadas por la unidad de "
                     "planeación. Porcentajes redondeados a dos decimales (mitad hacia arriba); el color se asigna "
                     "sobre el porcentaje redondeado."),
    "flags_note": "Leyenda de señalamientos: {txt}.",
    "firmas": "Firmas",
    "sin_dependencia": "Sin dependencia",
}

COLS_PROGRAM = [Col("Nivel", 11), Col("Indicador", 48), Col("Periodo", 16), Col("Meta del periodo", 14, "r"),
                Col("Realizado", 15, "r"), Col("% y semáforo del periodo", 15, "r"), Col("Meta al corte", 14, "r"),
                Col("Acumulado", 17, "r"), Col("% de avance", 16, "r"), Col("Semáforo al corte", 24)]
LEVEL_ABBR = {"FIN": "Fin", "PROPOSITO": "Prop.", "COMPONENTE": "Comp.", "ACTIVIDAD": "Act."}

FLAG_HELP = {
    "SOBRECUMPLIMIENTO": "el avance supera la banda verde (más de 110 %)",
    "SOBRECUMPLIMIENTO_CRITICO": "el avance supera el 130 %; se sugiere revisar la meta",
    "DESVIACION_POR_EXCESO": "indicador regular por encima de la banda",
    "DESVIACION_POR_EXCESO_CRITICO": "indicador regular muy por encima de la banda",
    "DATOS_INCOMPLETOS": "faltan capturas de periodos vencidos; el acumulado las excluye",
    "META_CERO": "la meta es cero; se muestra la diferencia en lugar del porcentaje",
    "SIN_CAPTURA": "sin valores capturados",
    "SIN_EVENTOS": "numerador y denominador en cero (no aplica)",
    "ERROR_DENOMINADOR_CERO": "denominador cero con numerador mayor que cero",
    "SIN_PERIODO_VENCIDO": "ningún periodo del indicador ha vencido",
}
LEVEL_SHORT = {"FIN": "Fin", "PROPOSITO": "Propósito", "COMPONENTE": "Componente", "ACTIVIDAD": "Actividad"}


def _pct(n: int, total: int) -> str:
    return fmt_pct_es(Decimal(n) * 100 / total if total else None, 1) if total else "0.0 %"


# the state profile's over-achievement colour of the document being built (issue 16; per thread)
_OVER_COLOUR: ContextVar[str] = ContextVar("over_colour", default="")


def _mark(row) -> Mark:
    from ..core.semaforo import OVERACHIEVEMENT_FLAGS

    note = ", ".join(LABELS.get(f, f) for f in row.flags)
    state = row.state
    if state == "gris" and not note and row.status and row.status != "OK":
        note = LABELS.get(row.status, row.status)
    colour = _OVER_COLOUR.get()
    over = bool(colour) and any(f in OVERACHIEVEMENT_FLAGS for f in row.flags)
    return Mark(state, LABELS.get(state, state), note, colour if over else "")


def _pct_cell(row) -> str:
    if row.progress_pct is None:
        if row.cumulative_value is not None and row.cumulative_target is not None:
            return "Dif. " + fmt_es(row.cumulative_value - row.cumulative_target)
        return "N/D"
    return fmt_pct_es(round2(row.progress_pct))


def _program_row(r, ind) -> list:
    """One indicator of a program table: name with unit, frequency, sentido, fórmula and línea base; the annual
    target (and the approved one when it was modified); the latest due own period's figures; the cumulative."""
    from ..core import periods as _periods
    from ..services.progress import last_period

    name = f"{r.indicator_key} {r.indicator_name}"
    if r.unit or r.frequency:
        name += f"\n{r.unit} · {LABELS.get(r.frequency, r.frequency)} · {LABELS.get(r.direction, r.direction)}"
    meta = TEXT["meta"].format(v=fmt_es(r.annual_target))
    extra = []
    if ind is not None:
        if ind.formula:
            name += "\n" + TEXT["formula"].format(f=ind.formula)
        if ind.baseline_value is not None:
            lb = fmt_es(ind.baseline_value) + (f" ({ind.baseline_year})" if ind.baseline_year else "")
            extra.append(TEXT["lb"].format(v=lb))
        orig = ind.annual_target_original
        if orig is not None and r.annual_target is not None and orig != r.annual_target:
            meta = TEXT["meta_mod"].format(v=fmt_es(r.annual_target), o=fmt_es(orig))
    name += "\n" + " · ".join(extra + [meta])
    per = last_period(r)
    if per is None:
        pcells = [LABELS.get("no_aplica") if r.state == "no_aplica" else "—", "—", "—", "—"]
    else:
        pct = "N/D" if per.progress is None else fmt_pct_es(round2(per.progress))
        pcells = [_periods.label(per.period), fmt_es(per.target) if per.target is not None else "—",
                  fmt_es(per.value) if per.value is not None else "Sin captura",
                  f"{pct}\n{LABELS.get(per.light, per.light)}"]
    return ([LEVEL_ABBR.get(r.level, r.level), name] + pcells
            + [fmt_es(r.cumulative_target), fmt_es(r.cumulative_value), _pct_cell(r), _mark(r)])


def _counts_cells(counts: dict[str, int], total: int) -> list[str]:
    return [f"{counts[k]} ({_pct(counts[k], total)})" for k in LIGHTS]


def build_document(data: ReportData, generated: datetime | None = None) -> Document:
    token = _OVER_COLOUR.set(data.overachievement_color)
    try:
        return _build_document(data, generated)
    finally:
        _OVER_COLOUR.reset(token)


def _build_document(data: ReportData, generated: datetime | None = None) -> Document:
    generated = generated or datetime.now()
    stamp = generated.strftime("%d/%m/%Y %H:%M")
    org = data.org_name or "Organización"
    doc = Document(title=f"{TEXT['title']} · {data.month_label}", org=org,
                   footer_left=TEXT["footer"].format(mes=data.month_label, fecha=stamp))
    doc.cover = _cover(data, stamp)
    t = data.total
    n = t.total
    doc.add(Heading(TEXT["s1"], 1))
    doc.add(Para(TEXT["s1_intro"].format(
        fecha=data.cutoff.strftime("%d/%m/%Y"), alcance=data.scope_label, n=n, p=t.programs,
        v=t.counts["verde"], vp=_pct(t.counts["verde"], n), a=t.counts["amarillo"], ap=_pct(t.counts["amarillo"], n),
        r=t.counts["rojo"], rp=_pct(t.counts["rojo"], n), g=t.counts["gris"], gp=_pct(t.counts["gris"], n),
        na=t.counts["no_aplica"], nap=_pct(t.counts["no_aplica"], n),
        done=data.done_captures, due=data.due_captures, cp=_pct(data.done_captures, data.due_captures)), 8.5))
    cols = [Col("Dependencia", 42), Col("Programas", 17, "r"), Col("Indicadores", 18, "r")] + [
        Col(LABELS[k], 20, "r") for k in LIGHTS]
    rows = [Row([f"{g.name} — {getattr(g, 'full_name', '')}" if getattr(g, "full_name", "") and g.name != getattr(g, "full_name", "") else g.name,
                 str(g.programs), str(g.total)] + _counts_cells(g.counts, g.total)) for g in data.agencies]
    rows.append(Row(["Total", str(t.programs), str(n)] + _counts_cells(t.counts, n), kind="total"))
    doc.add(Table(cols, rows, size=7.4))  # «13 (81.3 %)» on one line in every count column
    groups = [(g.name, g.counts) for g in data.agencies]
    for start in range(0, len(groups), 30):
        part = groups[start:start + 30]
        title = TEXT["s1_chart"] if start == 0 else ""
        doc.add(_stacked_block(part, title, normalize=False))
    # red indicators and over-achievements
    limit = EXEC_LIST_LIMIT if data.executive_only else None
    doc.add(Heading(TEXT["reds"], 3))
    if data.red_rows:
        _row_list(doc, data.red_rows, limit, key=lambda r: (r.progress_pct is None, r.progress_pct or 0))
    else:
        doc.add(Para(TEXT["none_red"], italic=True, color=MUTED))
    if data.over_rows:
        doc.add(Heading(TEXT["overs"], 3))
        _row_list(doc, data.over_rows, limit, key=lambda r: -(r.progress_pct or 0))
    # by eje
    doc.add(Heading(TEXT["s2"].format(plan=data.plan_name), 1))  # follows the summary when it fits
    doc.add(Para(TEXT["s2_intro"].format(plan=data.plan_name), 8, italic=True, color=MUTED))
    cols = [Col("Eje", 34), Col("Programas", 15, "r"), Col("Indicadores", 16, "r")] + [
        Col(LABELS[k], 15, "r") for k in LIGHTS] + [Col("% en verde", 13, "r")]
    rows = [Row([e.name, str(e.programs), str(e.total)] + _counts_cells(e.counts, e.total)
                + [fmt_pct_es(e.green_share_of_coloured, 1)]) for e in data.ejes]
    doc.add(Table(cols, rows))
    egroups = [(e.name, e.counts) for e in data.ejes]
    for start in range(0, len(egroups), 30):
        doc.add(_stacked_block(egroups[start:start + 30], TEXT["s2_chart"] if start == 0 else "", normalize=True))
    if not data.executive_only:
        _program_sections(doc, data)
        _justifications(doc, data)
    _notes(doc, data)
    doc.add(Spacer(4))
    doc.add(_signature_box(data))
    return doc


EXEC_LIST_LIMIT = 60


def _row_list(doc: Document, rows, limit: int | None, key) -> None:
    shown = rows if limit is None or len(rows) <= limit else sorted(rows, key=key)[:limit]
    # the semáforo column holds the longest flag («Sobrecumplimiento crítico») on one line
    doc.add(Table([Col("Clave", 16), Col("Indicador", 52), Col("Programa", 12), Col("% de avance", 14, "r"),
                   Col("Semáforo", 32)],
                  [Row([r.indicator_key, r.indicator_name, r.program_key, _pct_cell(r), _mark(r)]) for r in shown]))
    if len(shown) < len(rows):
        doc.add(Para(TEXT["more"].format(n=len(shown), total=len(rows)), 7.5, italic=True, color=MUTED))


def _stacked_block(groups, title: str, normalize: bool) -> Charts:
    h = ch.stacked_height_mm(len(groups)) + (5 if title else 0)
    holder: dict = {}

    def draw(p: QPainter, rect: QRectF) -> None:
        ctx = holder["ctx"]
        ch.draw_stacked_bars(p, rect, groups, ctx, normalize=normalize, title=title)

    block = Charts([draw], h, 1)
    block.holder = holder  # type: ignore[attr-defined]
    return block


def _program_sections(doc: Document, data: ReportData) -> None:
    first = True
    for s in data.sections:
        if first:
            doc.add(Heading(TEXT["s3"], 1, page_break_before=True))
        doc.add(Heading(f"{s.key} {s.name}", 2, page_break_before=not first))
        first = False
        doc.add(Para(TEXT["prog_info"].format(dep=s.agency_name or TEXT["sin_dependencia"], mod=s.modality or "—",
                                              resp=s.responsible or "sin registrar"), 8, color=MUTED,
                     space_after_mm=0.8))
        align = " › ".join(str(s.alignment.get(k)) for k in ("plan", "eje", "objetivo", "estrategia")
                           if s.alignment.get(k))
        if align:
            doc.add(Para(TEXT["alineacion"].format(txt=align), 8, color=MUTED))
        b = s.budget
        if b is not None and any(v is not None for v in (b.approved, b.modified, b.exercised)):
            doc.add(Table([Col("Aprobado", 25, "r"), Col("Modificado", 25, "r"), Col("Ejercido", 25, "r"),
                           Col("% ejercido del modificado", 25, "r")],
                          [Row([fmt_es(b.approved), fmt_es(b.modified), fmt_es(b.exercised),
                                fmt_pct_es(b.exercised_pct)])], size=8, zebra=False))
        else:
            doc.add(Para(TEXT["no_budget"], 8, italic=True, color=MUTED))
        rows = []
        for r in s.rows:
            rows.append(Row(_program_row(r, s.docs.get(r.indicator_key))))
        doc.add(Table(COLS_PROGRAM, rows, size=6.8))
        if data.include_charts:
            draws = []
            for r in s.rows:
                if r.result is None or not r.result.periods:
                    continue
                ser = ch.IndicatorSeries(
                    title=f"{r.indicator_key} {r.indicator_name}", unit=r.unit,
                    periods=[(pr.period, pr.target, pr.value) for pr in r.result.periods],
                    cumulative=list(data.cumulative_series.get(r.indicator_key, [])), light=r.light)
                draws.append(ser)
            if draws:
                doc.add(Heading(TEXT["charts_title"], 3))
                for i in range(0, len(draws), 2):
                    doc.add(_indicator_charts(draws[i:i + 2]))


def _indicator_charts(series: list) -> Charts:
    holder: dict = {}
    draws = []
    for ser in series:
        def draw(p: QPainter, rect: QRectF, ser=ser) -> None:
            ch.draw_indicator_chart(p, rect, ser, holder["ctx"])

        draws.append(draw)
    block = Charts(draws, 53, 2)  # four rows of two charts fit one page under the heading
    block.holder = holder  # type: ignore[attr-defined]
    return block


def _justifications(doc: Document, data: ReportData) -> None:
    doc.add(Heading(TEXT["s4"], 1, page_break_before=True))
    doc.add(Para(TEXT["s4_intro"], 8, italic=True, color=MUTED))
    if not data.justifications:
        doc.add(Para(TEXT["none_just"], italic=True, color=MUTED))
        return
    # all four parts always; a part nobody wrote gets a narrow column (its cells read «—»)
    used = [any(getattr(j, a) for j in data.justifications) for a in ("cause", "effect", "other", "actions")]
    used[0] = True
    room = 88 - sum(11 for u in used if not u)
    n_used = sum(used)
    cols = [Col("Indicador", 30), Col("Semáforo", 20), Col("% de avance", 12, "r")] + [
        Col(title, room / n_used if u else 11) for title, u in zip(
            ("Causa", "Efecto", "Otros motivos", "Acciones de mejora"), used)]
    rows = []
    for j in data.justifications:
        r = j.row
        when = periods.label(j.period) if j.period else ""
        ind = f"{r.indicator_key} {r.indicator_name}\n{r.program_key} · {when}"
        cells = [ind, _mark(r), _pct_cell(r), TEXT["no_just"] if j.missing else j.cause] + [
            x or "—" for x in (j.effect, j.other, j.actions)]
        rows.append(Row(cells))
    doc.add(Table(cols, rows, size=6.8))


def _notes(doc: Document, data: ReportData) -> None:
    doc.add(Heading(TEXT["notes"], 3))
    for key, name, formula, words in data.presets_used:
        doc.add(Para(TEXT["preset_note"].format(name=name, key=key, formula=formula, words=words), 7.5,
                     color=MUTED, space_after_mm=0.8))
    tot = data.done_captures
    validated = data.validated_captures
    key = "data_note_ok" if tot and validated >= tot else "data_note"
    doc.add(Para(TEXT[key].format(val=validated, tot=tot), 7.5, color=MUTED, space_after_mm=0.8))
    flags = data.flags_used or []
    if flags:
        txt = "; ".join(f"{LABELS.get(f, f)}: {FLAG_HELP.get(f, '')}".rstrip(": ") for f in flags)
        doc.add(Para(TEXT["flags_note"].format(txt=txt), 7.5, color=MUTED))


def _cover(data: ReportData, stamp: str):
    def draw(p: QPainter, rect: QRectF, c: Ctx) -> None:
        w = rect.width()
        y = c.mm(18)
        logo = QImage()
        if data.logo:
            logo.loadFromData(data.logo)
        if not logo.isNull():
            lh = c.mm(32)
            lw = lh * logo.width() / max(1, logo.height())
            p.drawImage(QRectF((w - lw) / 2, y, lw, lh), logo)
            y += lh + c.mm(8)
        else:
            # a neutral emblem when no coat of arms is configured
            d = c.mm(26)
            p.setPen(QPen(ACCENT2, c.mm(1.0)))
            p.drawEllipse(QRectF((w - d) / 2, y, d, d))
            p.setFont(font(20, True))
            p.setPen(ACCENT)
            initials = "".join(x[0] for x in (data.org_name or "SES").split()[:3] if x[0].isupper())[:3] or "SES"
            p.drawText(QRectF((w - d) / 2, y, d, d), int(Qt.AlignmentFlag.AlignCenter), initials)
            y += d + c.mm(8)

        def line(text: str, size: float, bold=False, color=INK, gap=3.0, italic=False):
            nonlocal y
            f = font(size, bold, italic)
            h = c.text_height(f, text, w * 0.86)
            p.setFont(f)
            p.setPen(color)
            p.drawText(QRectF(w * 0.07, y, w * 0.86, h), int(Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap), text)
            y += h + c.mm(gap)

        org = data.org_name or "Organización"
        if data.org_kind == "municipio" and data.org_name and not data.org_name.lower().startswith(("h. ", "gobierno")):
            line("H. Ayuntamiento", 12, color=MUTED, gap=1)
        line(org, 20, True, ACCENT, 2)
        if data.org_state:
            line(data.org_state, 11, color=MUTED, gap=1)
        if data.administration:
            line(TEXT["admin"].format(adm=data.administration), 10, color=MUTED, gap=1)
        if data.issuing_unit:
            line(TEXT["issuing"].format(unit=data.issuing_unit), 10, color=MUTED, gap=1)
        y += c.mm(16)
        p.setPen(QPen(ACCENT2, c.mm(0.8)))
        p.drawLine(int(w * 0.2), int(y), int(w * 0.8), int(y))
        y += c.mm(10)
        line(TEXT["title"], 26, True, INK, 3)
        line(TEXT["subtitle"], 12, color=MUTED, gap=8)
        line(data.month_label.capitalize(), 18, True, ACCENT, 2)
        line(TEXT["ejercicio"].format(anio=data.fiscal_year), 11, color=MUTED, gap=1)
        line(TEXT["corte"].format(fecha=data.cutoff.strftime("%d/%m/%Y")), 11, color=MUTED, gap=1)
        line(data.scope_label, 11, color=MUTED, gap=10)
        p.setPen(QPen(ACCENT2, c.mm(0.8)))
        p.drawLine(int(w * 0.2), int(y), int(w * 0.8), int(y))
        f = font(8, italic=True)
        p.setFont(f)
        p.setPen(MUTED)
        p.drawText(QRectF(0, rect.bottom() - c.mm(10), w, c.mm(6)), int(Qt.AlignmentFlag.AlignHCenter),
                   TEXT["emitido"].format(fecha=stamp))

    return draw


def _signature_box(data: ReportData) -> Box:
    sigs = data.signatures

    def measure(c: Ctx, width: float) -> float:
        return c.mm(44)

    def draw(p: QPainter, rect: QRectF, c: Ctx) -> None:
        p.setFont(font(9.5, True))
        p.setPen(ACCENT)
        p.drawText(QRectF(rect.left(), rect.top(), rect.width(), c.mm(6)), int(Qt.AlignmentFlag.AlignLeft),
                   TEXT["firmas"])
        n = len(sigs)
        gap = c.mm(8)
        w = (rect.width() - gap * (n - 1)) / n
        for i, s in enumerate(sigs):
            x = rect.left() + i * (w + gap)
            top = rect.top() + c.mm(8)
            p.setFont(font(8.5, True))
            p.setPen(INK)
            p.drawText(QRectF(x, top, w, c.mm(5)), int(Qt.AlignmentFlag.AlignHCenter), s.role)
            ly = top + c.mm(22)
            p.setPen(QPen(INK, c.mm(0.3)))
            p.drawLine(int(x + c.mm(4)), int(ly), int(x + w - c.mm(4)), int(ly))
            p.setFont(font(8))
            p.setPen(INK if s.title else MUTED)
            p.drawText(QRectF(x, ly + c.mm(1), w, c.mm(5)),
                       int(Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap), s.name)
            if s.title:
                p.setFont(font(7.5))
                p.setPen(MUTED)
                p.drawText(QRectF(x, ly + c.mm(5.5), w, c.mm(8)),
                           int(Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap), s.title)

    return Box(measure, draw)


def _bind(doc: Document, ctx_holder_device) -> None:
    """Charts need the device metrics; hand them the context used by the paginator."""
    from .layout import Ctx as _Ctx

    ctx = _Ctx(ctx_holder_device)
    for b in doc.blocks:
        holder = getattr(b, "holder", None)
        if holder is not None:
            holder["ctx"] = ctx


def render_report(doc: Document, device: QPagedPaintDevice, progress: Callable[[int, int], None] | None = None,
                  setup: bool = True) -> int:
    from .layout import setup_device

    if setup:
        setup_device(device)
    _bind(doc, device)
    return render(doc, device, progress, setup=False)


def write_pdf(doc: Document, path: str, progress: Callable[[int, int], None] | None = None) -> int:
    """The report as PDF at ``path`` (replaced only once it is whole); returns the number of pages."""
    from .layout import write_pdf_file

    return write_pdf_file(path, doc.title, lambda writer: render_report(doc, writer, progress))


def signature_warning(data: ReportData) -> str | None:
    """The warning to show before printing when signature names are empty in Configuración (None: all set)."""
    roles = data.missing_signatures
    if not roles:
        return None
    names = ", ".join(f"«{r}»" for r in roles[:-1]) + (" y " if len(roles) > 1 else "") + f"«{roles[-1]}»"
    return TEXT["sign_warning"].format(roles=names)


def make_pdf(db: Database, month: str, path: str, *, agency_key: str | None = None,
             program_key: str | None = None, include_charts: bool = True, executive_only: bool = False,
             progress: Callable[[int, str], None] | None = None, warnings: list[str] | None = None) -> int:
    """Assemble, lay out and write the report; returns the number of pages. ``warnings`` receives what a
    person should know before printing (empty signature names)."""
    data = build_report(db, month, agency_key=agency_key, program_key=program_key, include_charts=include_charts,
                        executive_only=executive_only, progress=progress)
    if warnings is not None:
        w = signature_warning(data)
        if w:
            warnings.append(w)
    if progress:
        progress(62, "Componiendo el documento…")
    doc = build_document(data)

    def pages(i: int, total: int) -> None:
        if progress:
            progress(65 + int(34 * i / max(1, total)), f"Escribiendo página {i + 1} de {total}…")

    return write_pdf(doc, path, pages)
