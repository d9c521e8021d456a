"""Feeds ``core.format_checks`` from what the formats print (issue 16): the 01d and 08b quarter calendars are
the engine's figures of ``reports.formats_data`` over the approved and the current targets; the metas come from
``activity_goal`` / ``activity_goal_quarter``. Only under a profile that offers state formats."""
from __future__ import annotations

from ..core.format_checks import GoalCalendar, IndicatorCalendar, check_formats
from ..core.types import Finding
from ..db.database import Database
from . import profiles


def format_findings(db: Database, year: int, program_key: str | None = None) -> list[Finding]:
    from ..reports.formats_data import QUARTERS, IndicatorFigures, _Source, quarter_id

    with db.reading() as s:
        if not profiles.current(s).formats:
            return []
        src = _Source(None, quarter_id(year, 4), None, session=s,
                      program_keys=[program_key] if program_key else None)
    recon_ind = {r.indicator_id for r in src.reconductions if r.kind == "indicador" and r.status == "autorizada"}
    recon_goal = {r.goal_id for r in src.reconductions if r.kind == "meta" and r.status == "autorizada"}
    indicators, goals = [], []
    for prog in src.pset.programs:
        for ind in prog.indicators:
            try:
                ind.spec()
            except ValueError:
                continue
            fig = IndicatorFigures(src, prog, ind)
            if not fig.original:
                continue
            design, follow = {}, {}
            for n in range(1, 5):
                d = fig.quarter_figures(n, fig.original)
                f = fig.quarter_figures(n)
                if d.applies:
                    design[quarter_id(year, n)] = dict(d.target_vars or {})
                    follow[quarter_id(year, n)] = dict(f.target_vars or {})
            indicators.append(IndicatorCalendar(prog.key, ind.key, [(v.key, v.name) for v in ind.variables],
                                                design, follow, src.indicator_ids.get(ind.key) in recon_ind))
        for pr in src.projects.get(prog.key, []):
            for g in src.goals.get(pr.id, []):
                qs = src.quarters.get(g.id, {})
                ids = [quarter_id(year, n) for n in range(1, len(QUARTERS) + 1)]
                goals.append(GoalCalendar(
                    prog.key, pr.key, g.key, g.name, g.annual_target,
                    g.annual_target_original if g.annual_target_original is not None else g.annual_target,
                    {q: qs[q].programmed for q in ids if q in qs},
                    {q: qs[q].programmed_original for q in ids if q in qs}, g.id in recon_goal))
    return check_formats(indicators, goals)
