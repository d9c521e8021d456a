"""A «método de cálculo» written in words, as other offices' MIR workbooks do, turned into a formula with named
variables: «(Escuelas rehabilitadas / Escuelas programadas) x 100» → ``(ER / EP) * 100`` with ER = «Escuelas
rehabilitadas» and EP = «Escuelas programadas»; «((Visitantes en el año t / Visitantes en el año t-1) − 1) × 100»
→ ``((VA_t / VA_t1) - 1) * 100``; «Número de becas entregadas» → ``NBE``. The importer shows the result in its
preview for the person to accept (and keeps the original text in Observaciones)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..core.formula import parse_formula

STOP = {"de", "del", "la", "las", "el", "los", "en", "y", "a", "al", "por", "para", "con", "que", "un", "una", "o",
        "e", "se", "su", "sus", "total"}
# an operator is «/», «*», «+», or a «-» with spaces (a «t-1» inside a name is part of the name); «x»/«×» times a
# number is a multiplication
_TIMES = re.compile(r"\s*(?:×|\*|\bx\b|\bX\b|\bpor\b(?=\s*\d))\s*")
_TOKEN = re.compile(r"(\(|\)|/|\*|\+|\s[-−–]\s|(?<=\))\s*[-−–])")


@dataclass(frozen=True)
class WordVariable:
    symbol: str
    description: str


def _plain(text: str) -> str:
    s = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in s if not unicodedata.combining(ch))


def _symbol(phrase: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+(?:-\d+)?", _plain(phrase))
    suffix = ""
    if words and re.fullmatch(r"t(?:-\d+)?", words[-1].lower()):
        suffix = "_" + words.pop().lower().replace("-", "")
    initials = "".join(w[0].upper() for w in words if w.lower() not in STOP and not w.isdigit())
    return (initials or "V") + suffix


def _is_number(text: str) -> bool:
    return re.fullmatch(r"\d+(?:\.\d+)?", text.replace(",", "")) is not None


def formula_from_words(text: str) -> tuple[str, list[WordVariable]] | None:
    """(expression, variables) for a método de cálculo in words, or None when it is not one."""
    if not text or not text.strip() or len(text) > 400:
        return None
    s = " ".join(text.split())
    if s.count("=") == 1:
        s = s.split("=", 1)[1].strip()  # «Porcentaje = (A / B) x 100»: the right-hand side
    s = _TIMES.sub(" * ", s)
    parts = [p for p in _TOKEN.split(s) if p is not None]
    out: list[str] = []
    variables: dict[str, WordVariable] = {}
    by_phrase: dict[str, str] = {}
    for raw in parts:
        piece = raw.strip()
        if not piece:
            continue
        if piece in ("(", ")", "/", "*", "+"):
            out.append(piece)
        elif piece in ("-", "−", "–"):
            out.append("-")
        elif _is_number(piece):
            out.append(piece.replace(",", ""))
        else:
            phrase = piece.strip(" .;:")
            if not re.search(r"[A-Za-zÁÉÍÓÚÑáéíóúñ]{3}", phrase) or re.search(r"[^\w\s.,%\-−–]", phrase):
                return None
            key = phrase.lower()
            if key not in by_phrase:
                sym = base = _symbol(phrase)
                n = 2
                while sym in variables:
                    sym = f"{base}{n}"
                    n += 1
                variables[sym] = WordVariable(sym, phrase[:1].upper() + phrase[1:])
                by_phrase[key] = sym
            out.append(by_phrase[key])
    if not variables:
        return None
    expr = " ".join(out)
    expr = re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", expr))
    try:
        f = parse_formula(expr)
    except Exception:  # noqa: BLE001 - not a formula after all
        return None
    if set(f.names) != set(variables):
        return None
    return f.text, list(variables.values())
