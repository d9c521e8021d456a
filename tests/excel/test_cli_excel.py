import json

from openpyxl import load_workbook

from sistema_seguimiento.cli import main
from sistema_seguimiento.excel.capture_workbook import FIRST_ROW, SHEET, VALUE_COL


def _demo(tmp_path):
    db = tmp_path / "demo.db"
    assert main(["demo", "--db", str(db)]) == 0
    return db


def test_exports_from_the_command(tmp_path, capsys):
    db = _demo(tmp_path)
    for args in (["mir", "--programa", "E001", "--programa", "S001"], ["fichas"], ["avance", "--periodo", "2026-10"],
                 ["captura", "--periodo", "2026-10", "--dependencia", "DSPM"]):
        out = tmp_path / f"{args[0]}.xlsx"
        assert main(["exportar"] + args + ["--db", str(db), "--salida", str(out)]) == 0
        assert load_workbook(out).sheetnames
    assert main(["exportar", "mir", "--db", str(db), "--programa", "X999", "--salida", str(tmp_path / "x.xlsx")]) == 2
    assert "X999" in capsys.readouterr().err


def test_importar_captura_preview_then_apply(tmp_path, capsys):
    db = _demo(tmp_path)
    # the demo's October is «Validado», read-only for capturistas: the validador returns 0301's first
    assert main(["periodo", "devolver", "--db", str(db), "--usuario", "validador", "--periodo", "2026-10",
                 "--dependencia", "0301", "--motivo", "Capture octubre"]) == 0
    cap = tmp_path / "cap.xlsx"
    assert main(["exportar", "captura", "--db", str(db), "--periodo", "2026-10", "--dependencia", "0301",
                 "--salida", str(cap)]) == 0
    wb = load_workbook(cap)
    wb[SHEET].cell(FIRST_ROW, VALUE_COL).value = 31
    wb.save(cap)
    capsys.readouterr()
    assert main(["importar", "captura", "--db", str(db), str(cap), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["modificados"] == 1 and data["applied"] is False
    assert main(["importar", "captura", "--db", str(db), str(cap), "--aplicar", "--json", "--usuario", "captura-0301"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["applied"] is True
    assert main(["importar", "captura", "--db", str(db), str(cap), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["modificados"] == 0
    assert main(["importar", "captura", "--db", str(db), str(cap), "--periodo", "2026-09"]) == 2


def test_importar_mir_preview_apply_and_refusal(tmp_path, capsys):
    db = _demo(tmp_path)
    mir = tmp_path / "mir.xlsx"
    assert main(["exportar", "mir", "--db", str(db), "--salida", str(mir)]) == 0
    target = tmp_path / "nueva.db"
    assert main(["init", "--db", str(target), "--ejercicio", "2026"]) == 0
    capsys.readouterr()
    assert main(["importar", "mir", "--db", str(target), str(mir), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["programas_nuevos"] == 2 and data["applied"] is False
    assert main(["importar", "mir", "--db", str(target), str(mir), "--aplicar", "--usuario", "admin"]) == 0
    assert "Aplicado" in capsys.readouterr().out
    assert main(["mir", "--db", str(target), "--programa", "S001"]) == 0
    bad = tmp_path / "malo.xlsx"
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["Nivel", "Indicador", "Método de cálculo"])
    wb.active.append(["Sub-actividad", "x", "A/B"])
    wb.save(bad)
    capsys.readouterr()
    assert main(["importar", "mir", "--db", str(target), str(bad), "--aplicar", "--ejercicio", "2026", "--usuario", "admin"]) == 1
    out = capsys.readouterr().out
    assert "No se importó nada" in out and "fila 2" in out
    txt = tmp_path / "no.xlsx"
    txt.write_text("hola")
    assert main(["importar", "mir", "--db", str(target), str(txt)]) == 2
