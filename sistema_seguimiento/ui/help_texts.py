"""Help texts of the window, in plain Spanish: one explanation and one example per ficha field, a longer
lesson per topic of the Metodología de Marco Lógico (linked from validation messages), and the «Guía rápida»."""
from __future__ import annotations

# field code -> (title, explanation, example)
FIELD_HELP: dict[str, tuple[str, str, str]] = {
    "program": ("Programa presupuestario",
                "El programa al que pertenece el indicador. Cada programa tiene una MIR por ejercicio fiscal.",
                "E001 Alumbrado público"),
    "level": ("Nivel de la MIR",
              "La fila de la matriz que mide el indicador: Fin (a qué contribuye el programa), Propósito (qué logra la "
              "población), Componente (qué bienes o servicios entrega) o Actividad (qué tareas los producen). "
              "Para cambiar el indicador de objetivo, elija otro en la lista.",
              "Componente C1: Reportes ciudadanos de fallas en luminarias atendidos."),
    "objective": ("Resumen narrativo (objetivo)",
                  "La oración que describe el objetivo de la fila. Se edita en la MIR.",
                  "Luminarias del padrón municipal mantenidas."),
    "name": ("Nombre del indicador",
             "Nombre corto que dice qué se mide. Debe reflejar el método de cálculo: un porcentaje empieza con "
             "«Porcentaje de…», una tasa con «Tasa de variación de…», un promedio con «Promedio de…».",
             "Porcentaje de reportes de fallas atendidos en 72 horas o menos"),
    "definition": ("Definición",
                   "Una o dos oraciones que explican qué mide el indicador y para qué sirve, sin repetir el nombre.",
                   "Mide la proporción de reportes ciudadanos de luminarias apagadas que se resuelven en el plazo "
                   "comprometido."),
    "formula_type": ("Tipo de fórmula",
                     "La familia del método de cálculo. Porcentaje: (A / B) × 100. Tasa de variación: ((A_t / A_t−1) − 1) "
                     "× 100. Razón o promedio: A / B. Valor absoluto: una sola variable (solo para Actividades).",
                     "Porcentaje"),
    "formula": ("Método de cálculo",
                "La expresión algebraica con los símbolos de las variables. Use + − × / y paréntesis; el punto es el "
                "separador decimal. Cada símbolo debe estar en la tabla de variables.",
                "(RA / RR) * 100"),
    "variables": ("Variables",
                  "Cada dato que entra en la fórmula: símbolo, nombre, descripción, unidad, fuente y acumulación. "
                  "«Suma» es para flujos del periodo (reportes recibidos, pesos ejercidos); «Último valor» para "
                  "existencias a una fecha (luminarias en el padrón, beneficiarias activas).",
                  "RA = Reportes atendidos en 72 h (Reporte, Sistema de reportes ciudadanos, Suma)"),
    "unit": ("Unidad de medida",
             "La unidad del resultado del indicador, no de las variables. Un porcentaje se mide en «Porcentaje».",
             "Porcentaje; Días; Habitantes por luminaria"),
    "type": ("Tipo de indicador",
             "Estratégico: mide resultados (Fin, Propósito y algunos Componentes). De gestión: mide procesos y "
             "entregas (Componentes y Actividades).", "Estratégico"),
    "dimension": ("Dimensión",
                  "El aspecto del desempeño que mide. Eficacia: se logró el objetivo. Eficiencia: resultados en "
                  "relación con recursos o tiempo. Calidad: oportunidad, satisfacción, accesibilidad. Economía: "
                  "capacidad de ejercer o recuperar recursos.", "Eficacia"),
    "direction": ("Sentido",
                  "Hacia dónde se desea que se mueva el valor. Ascendente: más es mejor. Descendente: menos es mejor "
                  "(delitos, días de espera). Regular: se busca un valor dentro de un rango.", "Descendente"),
    "frequency": ("Frecuencia de medición",
                  "Cada cuánto se mide. Debe ser congruente con el nivel: Fin anual o mayor, Propósito semestral o "
                  "anual, Componente trimestral a anual, Actividad mensual a semestral.", "Trimestral"),
    "reporting_mode": ("Acumulado o periódico",
                       "Acumulado: el valor reportado suma (o toma el último valor de) todos los periodos hasta el "
                       "corte. Periódico: solo lo del periodo.", "Acumulado"),
    "baseline": ("Línea base",
                 "El valor del indicador antes de la intervención, con el año al que corresponde. Si no existe, "
                 "marque «No disponible» y explique cómo se construirá.", "85.00 (2025)"),
    "baseline_value": ("Valor de la línea base", "El valor inicial del indicador, con punto decimal.", "85.00"),
    "baseline_year": ("Año de la línea base", "Año al que corresponde el valor de la línea base.", "2025"),
    "baseline_period": ("Periodo de la línea base", "Periodo exacto, si no es el año completo (AAAA-MM, AAAA-T1…).",
                        "2025-T4"),
    "baseline_note": ("Nota de la línea base", "Cómo se obtuvo o por qué no está disponible.",
                      "Promedio del padrón 2025 según censo de diciembre."),
    "annual_target": ("Meta anual",
                      "El valor del indicador que se compromete al cierre del ejercicio. Debe coincidir con el "
                      "resultado de aplicar la fórmula a las metas calendarizadas de las variables (regla MET-002).",
                      "95.00"),
    "period_targets": ("Metas calendarizadas",
                       "Lo que se programa para cada variable en cada periodo de la frecuencia. SES calcula el "
                       "total anual y avisa si no coincide con la meta anual.", "Enero: RA = 90, RR = 100"),
    "preset_key": ("Parámetros de semaforización",
                   "Los rangos que deciden el color del semáforo. Si se deja vacío, se usa el de la organización.",
                   "Banda 90–110 %"),
    "verification_sources": ("Medios de verificación",
                             "Dónde puede cualquier persona comprobar los valores: documento, área que lo genera y "
                             "ubicación. Uno por renglón. Evite «registros internos».",
                             "Bitácora de reportes ciudadanos, Dirección de Servicios Públicos, www.municipio.gob.mx"),
    "disaggregation": ("Nivel de desagregación", "Cómo puede dividirse el dato (sexo, colonia, edad…).",
                       "Por colonia y por sexo"),
    "geographic_coverage": ("Cobertura geográfica", "El territorio que cubre la medición.", "Cabecera municipal"),
    "data_availability": ("Disponibilidad de la información", "Cuándo está disponible el dato de cada periodo.",
                          "Dentro de los 10 días hábiles siguientes al cierre del mes"),
    "measurement_owner": ("Responsable de la medición", "Área y persona que calcula y reporta el indicador.",
                          "Jefatura de Alumbrado, Ing. Ana López"),
    "benchmark": ("Factor de comparación", "Una referencia externa con la cual comparar el resultado.",
                  "Promedio estatal 2025: 88 %"),
    "interpretation": ("Interpretación", "Qué significa que el valor suba o baje.",
                       "A mayor porcentaje, más reportes atendidos a tiempo."),
    "notes": ("Observaciones", "Cualquier aclaración útil para quien revise la ficha.", ""),
    "natural_cap": ("Tope natural", "El valor máximo posible (100 en porcentajes acotados). Déjelo vacío si no "
                    "aplica.", "100"),
    "base_year": ("Año base", "Para frecuencias multianuales (bienal, trienal…): primer año de medición.", "2024"),
    "history": ("Serie histórica", "Valores de años anteriores, uno por renglón como «año: valor».",
                "2023: 80.5\n2024: 83.0"),
    "multi_year_targets": ("Metas intermedias / sexenales", "Metas de años futuros, una por renglón como "
                           "«año: valor».", "2027: 97"),
    "created_on": ("Fecha de alta", "Fecha en que se registró la ficha.", "2026-01-15"),
    "version": ("Versión", "Aumenta sola cuando se modifica una ficha aprobada.", "2"),
    "status": ("Estado", "Borrador mientras se trabaja; Aprobada cuando la unidad de planeación la valida.",
               "Aprobada"),
    "formula_check": ("Revisión de la fórmula",
                      "SES revisa la fórmula mientras escribe: que sea válida, que use solo variables definidas y "
                      "que corresponda al tipo de fórmula.", ""),
    "probar": ("Probar la fórmula",
               "Escriba valores de ejemplo para cada variable y vea el resultado, como lo calcularía SES.",
               "RA = 90, RR = 100 → 90.00"),
}

# where a text names the development plan: replaced by the name chosen in Configuración (ui.help.plan_text)
PLAN_MARK = "[plan]"

# topic -> (title, html lesson)
TOPICS: dict[str, tuple[str, str]] = {
    "fin": ("Cómo redactar el Fin",
            "<p>El Fin responde: <b>¿a qué objetivo superior contribuye el programa?</b> Normalmente es un objetivo "
            "del [plan]. El programa no lo logra solo: contribuye.</p>"
            "<p>Fórmula: <b>Contribuir a</b> + objetivo superior (en infinitivo) + <b>mediante</b> / <b>a través "
            "de</b> + la solución que aporta el programa.</p>"
            "<p><i>Ejemplo:</i> «Contribuir a mejorar la seguridad de las personas en la vía pública mediante un "
            "servicio de alumbrado público suficiente y funcional.»</p>"),
    "proposito": ("Cómo redactar el Propósito",
                  "<p>El Propósito es <b>el cambio que logra la población objetivo</b> gracias al programa: un solo "
                  "resultado, para una sola población.</p><p>Fórmula: sujeto (población o área de enfoque) + verbo "
                  "en <b>presente</b> + resultado logrado.</p><p><i>Ejemplo:</i> «Las vialidades y espacios "
                  "públicos del municipio <b>cuentan</b> con luminarias en funcionamiento.»</p>"
                  "<p>Error común: describir lo que entrega el programa («Se entregan apoyos…»): eso es un "
                  "Componente.</p>"),
    "componente": ("Por qué un Componente se escribe en participio",
                   "<p>Los Componentes son <b>los bienes o servicios que el programa entrega</b>, ya terminados. "
                   "Por eso se redactan como algo <b>hecho</b>: sustantivo + verbo en participio pasado "
                   "(-ado, -ido, -to, -cho).</p><p><i>Ejemplos:</i> «Reportes ciudadanos de fallas <b>atendidos</b>», "
                   "«Apoyos alimentarios <b>entregados</b>».</p><p>Error común: «Entregar despensas» (es una acción, "
                   "no un producto).</p>"),
    "actividad": ("Cómo redactar una Actividad",
                  "<p>Las Actividades son <b>las tareas que producen cada Componente</b>, en orden cronológico. Se "
                  "redactan con un <b>sustantivo derivado de un verbo</b> (-ción, -sión, -miento…) + complemento."
                  "</p><p><i>Ejemplo:</i> «<b>Sustitución</b> de luminarias convencionales por luminarias LED».</p>"
                  "<p>Error común: usar infinitivo («Realizar visitas» → «Realización de visitas»).</p>"),
    "sintaxis": ("Un objetivo por oración",
                 "<p>Cada fila de la MIR tiene un solo objetivo. Si la oración une dos objetivos con «y» o «así "
                 "como», divídalos: cada uno necesita su indicador.</p><p>Mínimo 20 caracteres: el objetivo debe "
                 "entenderse sin contexto.</p>"),
    "estructura": ("La estructura de la MIR",
                   "<p>Una MIR tiene exactamente un Fin y un Propósito, al menos un Componente, y cada Componente "
                   "al menos una Actividad. Cada objetivo lleva uno o más indicadores y sus supuestos.</p>"
                   "<p>Lógica vertical: si se realizan las Actividades y se cumplen sus supuestos, se producen los "
                   "Componentes; si se entregan los Componentes, se logra el Propósito; y así se contribuye al Fin."
                   "</p>"),
    "supuestos": ("Supuestos",
                  "<p>Los supuestos son <b>condiciones externas</b> al programa que deben cumplirse para alcanzar el "
                  "nivel superior: clima, participación ciudadana, entrega de recursos federales. No repiten un "
                  "objetivo de la propia MIR.</p><p><i>Ejemplo:</i> «La ciudadanía reporta las fallas.»</p>"),
    "indicador": ("Cómo construir un indicador",
                  "<p>Un buen indicador mide el factor clave del objetivo, no un insumo. Relacione al menos dos "
                  "variables en Fin y Propósito (un porcentaje, una tasa).</p><p>El nombre refleja la fórmula, el "
                  "tipo corresponde al nivel (Fin y Propósito: estratégico; Actividad: de gestión) y la frecuencia "
                  "también.</p>"),
    "ficha": ("La ficha técnica completa",
              "<p>La ficha técnica documenta el indicador para que cualquiera pueda reproducirlo: definición, "
              "método de cálculo, variables con su fuente, unidad, línea base, metas, semáforo y medios de "
              "verificación. Los campos marcados como obligatorios se revisan con la regla FT-001.</p>"),
    "metas": ("Metas anuales y calendarizadas",
              "<p>Las metas se programan por variable en cada periodo. La meta anual es el resultado de aplicar la "
              "fórmula a las variables acumuladas del año (suma para flujos, último valor para existencias), "
              "nunca el promedio de los porcentajes.</p><p>Una vez cerrado un mes del ejercicio, cambiar una "
              "meta es una <b>modificación de metas</b>: requiere motivo y queda registrada; los periodos "
              "cerrados no se pueden modificar.</p>"),
    "avances": ("Avances y justificaciones",
                "<p>Los avances se capturan por variable al terminar cada periodo. Cuando el semáforo no está en "
                "verde se debe capturar la justificación: causa, efecto y acciones de mejora.</p>"),
    "programa": ("El programa presupuestario",
                 "<p>Cada programa tiene clave (letra de modalidad CONAC + número, p. ej. E001), unidad "
                 "responsable y, si su modalidad lo requiere, una MIR.</p>"),
}

RULE_TOPIC = {
    "MIR-001": "fin", "MIR-002": "proposito", "MIR-003": "componente", "MIR-004": "actividad",
    "MIR-005": "estructura", "MIR-006": "indicador", "MIR-007": "ficha", "MIR-008": "supuestos",
    "MIR-009": "supuestos", "SIN-001": "fin", "SIN-002": "proposito", "SIN-003": "componente",
    "SIN-004": "actividad", "SIN-005": "sintaxis", "SIN-006": "sintaxis",
}
_PREFIX_TOPIC = {"PP": "programa", "IND": "indicador", "FT": "ficha", "MET": "metas", "AV": "avances",
                 "PER": "avances", "MIR": "estructura", "SIN": "sintaxis", "PRF": "ficha"}


def topic_for_rule(rule_id: str) -> str:
    return RULE_TOPIC.get(rule_id) or _PREFIX_TOPIC.get(rule_id.split("-")[0], "estructura")


GUIA_RAPIDA = """
<h2>Guía rápida: de un problema a indicadores con metas</h2>
<p>SES sigue la <b>Metodología de Marco Lógico</b> (MML). Estos son los pasos y dónde se hace cada uno.</p>
<h3>1. Árbol de problemas</h3>
<p>Escriba el problema central que enfrenta la población (en negativo: «Las vialidades del municipio tienen
luminarias apagadas»), sus <b>causas</b> (abajo) y sus <b>efectos</b> (arriba). En SES, anote el problema y la
población objetivo en la ficha del programa (panel <i>Programa</i>).</p>
<h3>2. Árbol de objetivos</h3>
<p>Convierta cada situación negativa en positiva: el problema central se vuelve el <b>Propósito</b>, las causas
se vuelven <b>Componentes</b> y <b>Actividades</b>, y los efectos apuntan al <b>Fin</b>.</p>
<h3><a name="mir"></a>3. La MIR</h3>
<p>Abra el programa en el árbol de la izquierda y elija <i>MIR</i>. Escriba el resumen narrativo de cada fila
(doble clic o F2 para editar en su lugar): Fin («Contribuir a … mediante …»), Propósito (población + verbo en
presente), Componentes (bien o servicio + participio: «entregados») y Actividades (sustantivo: «Entrega de…»).
Agregue los supuestos (condiciones externas), un renglón por supuesto. Use los botones para agregar, quitar,
reordenar o mover Actividades entre Componentes.</p>
<h3>4. Fichas técnicas</h3>
<p>En cada fila de la MIR agregue un indicador y complete su ficha: nombre, definición, tipo de fórmula,
método de cálculo y variables. El botón <i>Probar</i> calcula la fórmula con valores de ejemplo. Cada campo
tiene una explicación en el panel de la derecha.</p>
<h3>5. Metas</h3>
<p>En la sección <i>Metas</i> de la ficha, programe el valor de cada variable en cada periodo. SES calcula el
total anual y avisa si no coincide con la meta anual.</p>
<h3>6. Revisión</h3>
<p>El panel <i>Validación</i> (abajo) lista cada regla incumplida con su clave (MIR-004, SIN-003…). Doble clic
lleva al campo; el enlace «¿Por qué?» explica la regla. Todo cambio se guarda al instante y puede deshacerse
con Ctrl+Z.</p>
<h3><a name="captura"></a>7. Captura de avances</h3>
<p>En la página <i>Captura</i> (Ctrl+5) elija el mes y la dependencia. Escriba el valor de cada variable en la
columna <i>Valor</i> como en una hoja de cálculo: Intro baja a la siguiente variable, Supr borra, Ctrl+C / Ctrl+V
copian y pegan bloques desde Excel. Cada valor se guarda al instante y el avance se recalcula mientras escribe.
Un valor no válido («abc», un negativo donde no se permite) deja la celda abierta con el motivo al lado: corríjalo
o pulse Esc. Un mes que aún no termina, o un periodo cerrado, no se puede capturar.</p>
<h3><a name="semaforo"></a>8. Semáforo</h3>
<p>Cada indicador se compara con su meta al corte: <b>Verde</b> dentro del rango aceptable, <b>Amarillo</b> con
riesgo, <b>Rojo</b> fuera del rango (o sobrecumplimiento excesivo), <b>Sin dato</b> cuando falta la captura. Los
rangos dependen del sentido del indicador (ascendente o descendente) y de los parámetros de semaforización del
programa (Archivo → Configuración). El color siempre va acompañado de la palabra.</p>
<h3><a name="justificacion"></a>9. Justificación</h3>
<p>Un resultado en rojo o con sobrecumplimiento necesita una justificación (regla AV-006): causa, efecto y, si la
dependencia lo requiere, evidencia (PDF o imagen, hasta 20 MB). En la captura, la columna <i>Justificación</i> dice
«Falta (requerida)»; el botón <i>Justificación y evidencia…</i> la abre. Sin ella, el periodo no se puede enviar.</p>
<h3><a name="flujo"></a>10. Enviar, validar y cerrar</h3>
<p>Cada mes y dependencia pasa por: <b>Capturando</b> → <i>Enviar</i> (capturista) → <b>Enviado</b> →
<i>Validar</i> (validador) → <b>Validado</b> → <i>Cerrar</i> (administrador) → <b>Cerrado</b>. El validador puede
<i>Devolver</i> con un comentario; la dependencia corrige y envía de nuevo. En un periodo Enviado o Validado el
capturista ya no cambia valores; si el validador o el administrador corrige uno, SES pregunta antes, el periodo
vuelve a Capturando y el cambio queda en el historial. Un periodo cerrado solo se reabre con un motivo escrito.</p>
<h3>Atajos</h3>
<table cellpadding="3">
<tr><td>Ctrl+1 … Ctrl+5</td><td>Tablero, Programa, MIR, Ficha técnica, Captura</td></tr>
<tr><td>Ctrl+Tab / Ctrl+Mayús+Tab</td><td>Página siguiente / anterior</td></tr>
<tr><td>Tab</td><td>Siguiente control (sale de las tablas; dentro de ellas use las flechas)</td></tr>
<tr><td>Ctrl+Q</td><td>Salir</td></tr>
<tr><td>Ctrl+F</td><td>Buscar programas e indicadores</td></tr>
<tr><td>Ctrl+Z / Ctrl+Y</td><td>Deshacer / rehacer</td></tr>
<tr><td>F2</td><td>Editar la celda de la MIR</td></tr>
<tr><td>Supr</td><td>Eliminar el elemento seleccionado (pregunta antes)</td></tr>
<tr><td>F1</td><td>Esta guía, abierta en el tema de la página visible</td></tr>
</table>
"""

# F1 topics: anchor in GUIA_RAPIDA
GUIDE_TOPICS = {"mir": "La MIR", "captura": "Captura de avances", "semaforo": "Semáforo",
                "justificacion": "Justificación", "flujo": "Enviar, validar y cerrar"}

ABOUT = ("<h3>SES — Sistema Estratégico de Seguimiento</h3><p>Diseño de la MIR, fichas técnicas de indicadores, "
         "metas y seguimiento del avance para unidades de planeación municipales.</p>")


def field_tooltip(field: str) -> str:
    title, text, example = FIELD_HELP.get(field, ("", "", ""))
    if not title:
        return ""
    tip = f"<b>{title}</b><br>{text}"
    if example:
        tip += f"<br><i>Ejemplo:</i> {example}"
    return tip


def field_html(field: str) -> str:
    title, text, example = FIELD_HELP.get(field, ("", "", ""))
    if not title:
        return ""
    html = f"<h3>{title}</h3><p>{text}</p>"
    if example:
        html += "<p><b>Ejemplo:</b><br>" + example.replace("\n", "<br>") + "</p>"
    return html


def rule_html(rule_id: str) -> str:
    from ..core.validation import RULES

    sev, template, short = RULES.get(rule_id, ("", "", ""))
    sev_label = {"error": "Error", "warning": "Advertencia", "info": "Aviso"}.get(sev, "")
    title, lesson = TOPICS[topic_for_rule(rule_id)]
    return (f"<h3>{rule_id} ({sev_label})</h3><p>{short}</p><hr><h3>{title}</h3>{lesson}")
