from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from sistema_seguimiento.excel import common as c
from sistema_seguimiento.services.errors import ServiceError


@pytest.mark.parametrize("text,level,comp,num", [
    ("FIN", "FIN", None, None), ("Fin", "FIN", None, None), ("Propósito", "PROPOSITO", None, None),
    ("PROPOSITO", "PROPOSITO", None, None), ("C1", "COMPONENTE", 1, None), ("Componente 2", "COMPONENTE", 2, None),
    ("componente", "COMPONENTE", None, None), ("Componente C3", "COMPONENTE", 3, None),
    ("A1.1", "ACTIVIDAD", 1, 1), ("Actividad 2.3", "ACTIVIDAD", 2, 3), ("a 1-2", "ACTIVIDAD", 1, 2),
    ("Actividad", "ACTIVIDAD", None, None), ("ACTIVIDAD A1.2", "ACTIVIDAD", 1, 2),
])
def test_level_names(text, level, comp, num):
    lv = c.parse_level(text)
    assert (lv.level, lv.component, lv.number) == (level, comp, num)


@pytest.mark.parametrize("text", ["Objetivo prioritario 1", "Seguimiento", "Meta", "", None, "Final"])
def test_not_levels(text):
    assert c.parse_level(text) is None


@pytest.mark.parametrize("header,field", [
    ("Método de cálculo", "formula"), ("METODO_CALCULO", "formula"), ("Fórmula", "formula"),
    ("metodo de calculo", "formula"), ("Periodicidad", "frecuencia"), ("Frecuencia de Medición", "frecuencia"),
    ("Objetivo", "resumen"), ("RESUMEN_NARRATIVO", "resumen"), ("Fuentes de información", "medios"),
    ("Medios de Verificación", "medios"), ("Nombre del Indicador", "indicador"), ("NIVEL", "nivel"),
    ("UNIDAD_MEDIDA", "unidad"), ("LINEA_BASE", "linea_base"), ("META_ANUAL", "meta"), ("Supuestos", "supuestos"),
    ("Clave Pp", "clave_pp"),
])
def test_header_synonyms(header, field):
    assert c.header_field(header) == field


@pytest.mark.parametrize("value,fmt,expected", [
    ("85.3%", "General", Decimal("85.3")), ("1,234", "General", Decimal("1234")),
    ("1 234.5", "General", Decimal("1234.5")), (0.9, "0%", Decimal("90")), (0.9722, "0.0%", Decimal("97.22")),
    (85, "General", Decimal("85")), ("N/D", "General", None), ("-", "General", None), (None, "General", None),
    ("10", "General", Decimal("10")), (85.71, "General", Decimal("85.71")),
])
def test_cell_numbers(value, fmt, expected):
    assert c.cell_number(value, fmt) == expected


def test_cell_number_error_in_spanish():
    with pytest.raises(c.CellNumberError, match="no es un número"):
        c.cell_number("abc")


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tcmd", "\r=1"])
def test_risky_text_is_written_as_text(tmp_path, text):
    wb = Workbook()
    ws = wb.active
    c.set_text(ws["A1"], text)
    p = tmp_path / "t.xlsx"
    wb.save(p)
    ws2 = load_workbook(p).active
    assert ws2["A1"].data_type == "s"
    assert ws2["A1"].value == text.replace("\r", "\n")  # XML stores a carriage return as a line feed
    assert ws2["A1"].quotePrefix


def test_bad_files(tmp_path):
    empty = tmp_path / "vacio.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(ServiceError, match="vacío"):
        c.open_user_workbook(empty)
    text = tmp_path / "texto.xlsx"
    text.write_text("Nivel,Indicador\n")
    with pytest.raises(ServiceError, match="no es un libro de Excel"):
        c.open_user_workbook(text)
    ole = tmp_path / "protegido.xlsx"
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(ServiceError, match="contraseña"):
        c.open_user_workbook(ole)
    import zipfile

    z = tmp_path / "zip.xlsx"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("hola.txt", "no soy excel")
    with pytest.raises(ServiceError, match="xl/workbook.xml"):
        c.open_user_workbook(z)
    with pytest.raises(ServiceError, match="No existe"):
        c.open_user_workbook(tmp_path / "no.xlsx")


def test_enormous_file_refused(tmp_path, monkeypatch):
    big = tmp_path / "grande.xlsx"
    wb = Workbook()
    wb.active["A1"] = "x"
    wb.save(big)
    monkeypatch.setattr(c, "MAX_FILE_MB", 0)
    with pytest.raises(ServiceError, match="máximo"):
        c.open_user_workbook(big)


def test_too_many_rows_refused(tmp_path, monkeypatch):
    p = tmp_path / "filas.xlsx"
    wb = Workbook()
    ws = wb.active
    for i in range(1, 30):
        ws.cell(i, 1, i)
    wb.save(p)
    monkeypatch.setattr(c, "MAX_ROWS", 10)
    with pytest.raises(ServiceError, match="filas"):
        c.open_user_workbook(p)
