"""Spanish template tables of the synthetic data generator (:mod:`.generator`).

Plain data, no logic. Placeholders resolved by the generator:
``{amb}`` → "municipio" / "estado", ``{adj}`` → "municipal" / "estatal", ``{adjp}`` → "municipales" /
"estatales"; ``{a}`` (generic components and activities) → the theme's area, e.g. "alumbrado público".

A *measure* string is ``texto|medido|hecho|base|Unidad``: the objective's sentence, what is counted
(plural, lower case), the participle of what is achieved, the participle of the reference (a leading ``@``
makes the reference a stock, accumulated with ``ultimo_valor``) and the unit (singular).
Examples: "Luminarias reparadas|luminarias|reparadas|reportadas|Luminaria" gives the indicator
"Porcentaje de luminarias reparadas" = Luminarias reparadas / Luminarias reportadas × 100.

A theme (one kind of budget program) is the tuple
``(modalidad, nombre, area, unidad_responsable, problema, poblacion, fin_objetivo, fin_medio,
propósito_sujeto, propósito_predicado, fin_indicador, proposito_indicador, componentes, actividades)``
with ``fin_indicador = "numerador|denominador|Unidad|sentido"`` (a percentage) and
``proposito_indicador = "numerador|denominador|Unidad|patrón"`` (patrón ``S`` stock/stock, ``F`` flow/flow,
``FS`` flow over a stock).
"""
from __future__ import annotations

EJES = (
    ("1", "Bienestar social incluyente"),
    ("2", "Seguridad y protección ciudadana"),
    ("3", "Servicios públicos e infraestructura de calidad"),
    ("4", "Desarrollo económico sostenible"),
    ("5", "Gobierno eficiente, transparente y con finanzas sanas"),
)

ESTRATEGIAS = (
    "Ampliar la cobertura de {a}",
    "Mejorar la calidad y oportunidad de {a}",
    "Fortalecer la coordinación institucional en materia de {a}",
)

REGIONES = ("Norte", "Sur", "Centro", "Oriente", "Poniente", "Altos", "Costa", "Sierra")

CALIFICADORES_MUNICIPIO = (" en localidades rurales", " en colonias populares", " en la cabecera municipal",
                           " para grupos prioritarios")
CALIFICADORES_ESTADO = (" para grupos prioritarios", " en zonas rurales", " en zonas metropolitanas",
                        " en municipios de alta marginación")
# for internal-facing programs (modalidades M, O, P)
CALIFICADORES_INTERNOS = (" en organismos descentralizados", " en dependencias centralizadas",
                          " en unidades desconcentradas")

MUNICIPIOS = ("San Miguel de las Flores", "Santa Rosa del Valle", "Villa de los Álamos", "San Andrés Tlaxcantla",
              "Ciudad Mirador", "San Juan de la Loma", "Valle Escondido", "Puerto Nuevo")
ESTADOS = ("Estado de Ejemplo (ficticio)", "Estado de Prueba (ficticio)")

NOMBRES_M = ("Jorge", "Luis", "Carlos", "José", "Miguel", "Juan", "Ricardo", "Fernando", "Alejandro", "Raúl",
             "Héctor", "Arturo", "Sergio", "Manuel", "Francisco", "Eduardo", "Roberto", "Óscar", "Javier", "Andrés")
NOMBRES_F = ("Laura", "María", "Ana", "Patricia", "Guadalupe", "Verónica", "Adriana", "Claudia", "Gabriela",
             "Mónica", "Alejandra", "Rocío", "Silvia", "Leticia", "Martha", "Elena", "Teresa", "Beatriz", "Sofía",
             "Lucía")
APELLIDOS = ("Méndez", "Ríos", "Ávila", "Cruz", "Hernández", "García", "Martínez", "López", "González",
             "Pérez",
             "Rodríguez", "Sánchez", "Ramírez", "Flores", "Gómez", "Torres", "Vázquez", "Morales", "Jiménez",
             "Reyes", "Castillo", "Ortiz", "Gutiérrez", "Chávez", "Ramos", "Mendoza", "Aguilar", "Medina",
             "Herrera", "Castro", "Vargas", "Romero", "Salazar", "Domínguez", "Navarro", "Orozco")
TITULOS_M = ("Lic.", "Ing.", "Mtro.", "C.P.", "Arq.", "Dr.")
TITULOS_F = ("Lic.", "Ing.", "Mtra.", "C.P.", "Arq.", "Dra.")

SUPUESTOS = {
    "FIN": (
        "Las condiciones económicas del país se mantienen estables.",
        "Las políticas estatales y federales en la materia se mantienen vigentes.",
        "La población mantiene su disposición a participar en los programas públicos.",
        "No se presentan contingencias sanitarias ni desastres naturales de gran magnitud.",
    ),
    "PROPOSITO": (
        "La población objetivo hace uso de los bienes y servicios que recibe.",
        "Las condiciones de seguridad permiten operar el programa en todas las localidades.",
        "Los beneficiarios cumplen con los requisitos y corresponsabilidades del programa.",
        "Las instancias estatales y federales mantienen los convenios de coordinación.",
    ),
    "COMPONENTE": (
        "Los proveedores entregan los bienes y servicios en los plazos contratados.",
        "La ciudadanía acude a los módulos y servicios en los horarios establecidos.",
        "Las condiciones climáticas permiten ejecutar los trabajos programados.",
        "Los recursos presupuestales se ministran conforme al calendario autorizado.",
    ),
    "ACTIVIDAD": (
        "El personal operativo asignado se mantiene estable durante el ejercicio.",
        "Los sistemas informáticos operan sin interrupciones prolongadas.",
        "Los insumos requeridos están disponibles en el almacén.",
        "Las solicitudes ciudadanas contienen la información completa.",
        "Las condiciones climáticas permiten realizar las actividades en campo.",
    ),
}

JUSTIFICACION_BAJO = (
    "Retraso en la entrega de insumos por parte del proveedor adjudicado; las acciones pendientes se "
    "reprogramaron para el siguiente periodo.",
    "La demanda ciudadana fue menor a la estimada en la programación; se reforzará la difusión del programa.",
    "Las lluvias atípicas del periodo impidieron concluir los trabajos programados en campo.",
    "Rotación de personal operativo en el área responsable; ya se contrató y capacitó al personal sustituto.",
    "El recurso presupuestal se liberó después de lo previsto; el rezago se atenderá en el siguiente periodo.",
    "Fallas en el sistema de registro impidieron documentar una parte de las acciones realizadas.",
    "El proceso de licitación se declaró desierto y se repitió; la contratación se formalizó con retraso.",
)
JUSTIFICACION_SOBRE = (
    "La demanda ciudadana superó la estimación de la programación anual; se propondrá la modificación de la "
    "meta.",
    "Se recibieron recursos adicionales de un convenio de coordinación que permitieron ampliar la cobertura.",
    "Se adelantaron acciones programadas para periodos posteriores aprovechando condiciones favorables.",
    "La coordinación con otras dependencias permitió atender más casos de los programados.",
    "La campaña de difusión generó una respuesta mayor a la prevista; se revisará la meta en el próximo ajuste.",
)
# descendente: "bajo" = the value went up (worse), "sobre" = it went down more than planned (better)
JUSTIFICACION_DESC_BAJO = (
    "El incremento en los precios de los insumos elevó el valor del indicador por encima de lo programado.",
    "La carga de trabajo extraordinaria del periodo incrementó los tiempos de atención.",
    "Se presentaron casos de mayor complejidad que requirieron más recursos que los previstos.",
)
JUSTIFICACION_DESC_SOBRE = (
    "La simplificación del procedimiento redujo el valor del indicador por debajo de lo programado; se "
    "revisará la meta para el siguiente ejercicio.",
    "La compra consolidada de insumos redujo los costos respecto de lo programado.",
    "La reorganización de rutas y turnos permitió un resultado mejor al programado.",
)
JUSTIFICACION_ACUMULADO = "El avance acumulado refleja el rezago de periodos anteriores. "

UBICACIONES = (
    "consultable en el archivo de la dependencia",
    "publicado en el portal de transparencia {adj}",
    "resguardado en el sistema de información de la dependencia",
)

DOCUMENTOS_FLUJO = ("Registro administrativo", "Bitácora", "Base de datos", "Reporte de actividades",
                    "Expedientes")

# generic components and activities, completed with the theme's area {a}
COMPONENTES_GENERICOS = (
    "Solicitudes ciudadanas en materia de {a} atendidas|solicitudes ciudadanas|atendidas|recibidas|Solicitud",
    "Campañas de difusión en materia de {a} realizadas|campañas de difusión|realizadas|programadas|Campaña",
    "Capacitaciones en materia de {a} impartidas|capacitaciones|impartidas|programadas|Capacitación",
    "Inspecciones en materia de {a} realizadas|inspecciones|realizadas|programadas|Inspección",
    "Servicios de atención en materia de {a} otorgados|servicios de atención|otorgados|solicitados|Servicio",
)
ACTIVIDADES_GENERICAS = (
    "Elaboración del programa anual de trabajo de {a}|informes de avance del programa anual|entregados|"
    "programados|Informe",
    "Capacitación del personal operativo en materia de {a}|servidores públicos|capacitados|@adscritos al área|"
    "Persona",
    "Supervisión de las acciones en materia de {a}|supervisiones|realizadas|programadas|Supervisión",
    "Adquisición de insumos para el programa de {a}|requisiciones de insumos|surtidas|solicitadas|Requisición",
    "Difusión de las acciones de {a} en medios digitales|publicaciones|difundidas|programadas|Publicación",
    "Integración de expedientes del programa de {a}|expedientes|integrados|programados|Expediente",
    "Recepción de solicitudes ciudadanas en materia de {a}|solicitudes|registradas|recibidas|Solicitud",
    "Seguimiento de los acuerdos del comité de {a}|acuerdos del comité|cumplidos|tomados|Acuerdo",
    "Mantenimiento del parque vehicular asignado a {a}|servicios de mantenimiento vehicular|realizados|"
    "programados|Servicio",
    "Validación de los reportes de avance de {a}|reportes de avance|validados|recibidos|Reporte",
    "Realización de reuniones de coordinación en materia de {a}|reuniones de coordinación|realizadas|"
    "programadas|Reunión",
    "Actualización de los manuales de procedimientos de {a}|manuales de procedimientos|actualizados|"
    "programados|Manual",
    "Atención de quejas ciudadanas sobre {a}|quejas ciudadanas|atendidas|recibidas|Queja",
    "Evaluación de la satisfacción de los usuarios de {a}|encuestas de satisfacción|aplicadas|programadas|"
    "Encuesta",
    "Gestión de recursos ante instancias estatales y federales para {a}|solicitudes de recursos|autorizadas|"
    "presentadas|Solicitud",
)

# administrative-support program any agency may have (modalidad M)
TEMA_APOYO = (
    "M", "Apoyo administrativo {de_dep}", "gestión administrativa", "Coordinación Administrativa",
    "Los procesos administrativos internos de la dependencia retrasan la operación de sus programas sustantivos.",
    "Unidades administrativas de la dependencia",
    "mejorar la eficiencia de la gestión pública", "la administración ordenada de los recursos de la dependencia",
    "Las unidades administrativas de la dependencia", "disponen oportunamente de los recursos para su operación",
    "Presupuesto ejercido conforme al calendario autorizado|Presupuesto calendarizado|Peso|ascendente",
    "Requisiciones de la dependencia surtidas en plazo|Requisiciones de la dependencia recibidas|Requisición|F",
    ("Requisiciones de bienes y servicios tramitadas|requisiciones|tramitadas|recibidas|Requisición",
     "Informes de gestión entregados|informes de gestión|entregados|programados|Informe"),
    ("Conciliación del presupuesto ejercido de la dependencia|conciliaciones presupuestales|realizadas|"
     "programadas|Conciliación",
     "Actualización del inventario de bienes muebles|bienes muebles|inventariados|@en resguardo|Bien"),
)

# (clave, eje, nombre municipal, nombre estatal, temas)
SECTORES = (
    ("OBR", "3", "Dirección de Obras Públicas", "Secretaría de Infraestructura y Obra Pública", (
        ("K", "Infraestructura vial", "infraestructura vial", "Departamento de Pavimentación y Vialidades",
         "Las vialidades del {amb} presentan deterioro, baches y falta de pavimento que dificultan la movilidad de "
         "la población.",
         "Habitantes que transitan por las vialidades primarias y secundarias del {amb}",
         "mejorar la movilidad de la población", "la construcción y conservación de vialidades en buen estado",
         "Las vialidades primarias y secundarias del {amb}", "se mantienen en buen estado de conservación",
         "Personas satisfechas con el estado de las vialidades|Personas encuestadas sobre el estado de las "
         "vialidades|Persona|ascendente",
         "Kilómetros de vialidades en buen estado|Kilómetros de vialidades registrados en el inventario vial|"
         "Kilómetro|S",
         ("Calles pavimentadas con concreto hidráulico|calles|pavimentadas|programadas para pavimentación|Calle",
          "Baches de la red vial reparados|baches|reparados|reportados|Bache",
          "Banquetas y guarniciones construidas|metros lineales de banqueta|construidos|programados|Metro lineal"),
         ("Elaboración de proyectos ejecutivos de pavimentación|proyectos ejecutivos|elaborados|programados|"
          "Proyecto",
          "Supervisión de obras de pavimentación en proceso|visitas de supervisión de obra|realizadas|programadas|"
          "Visita",
          "Atención de reportes ciudadanos de baches|reportes de baches|atendidos|recibidos|Reporte")),
        ("B", "Rehabilitación de espacios públicos", "espacios públicos", "Departamento de Imagen Urbana",
         "Los parques, plazas y unidades deportivas del {amb} presentan abandono y deterioro que limitan su uso.",
         "Habitantes de las colonias con espacios públicos deteriorados",
         "fortalecer la convivencia comunitaria", "la rehabilitación de espacios públicos seguros y funcionales",
         "Los habitantes de las colonias intervenidas", "disponen de espacios públicos rehabilitados",
         "Personas que utilizan los espacios públicos rehabilitados|Personas encuestadas en las colonias "
         "intervenidas|Persona|ascendente",
         "Espacios públicos en condiciones óptimas de uso|Espacios públicos registrados en el inventario {adj}|"
         "Espacio público|S",
         ("Parques y plazas públicas rehabilitados|parques y plazas|rehabilitados|programados para rehabilitación|"
          "Espacio público",
          "Juegos infantiles instalados en espacios públicos|módulos de juegos infantiles|instalados|programados|"
          "Módulo"),
         ("Levantamiento del diagnóstico físico de espacios públicos|diagnósticos físicos|levantados|programados|"
          "Diagnóstico",
          "Contratación de obras de rehabilitación de espacios públicos|contratos de obra|formalizados|programados|"
          "Contrato")),
    )),
    ("SPM", "3", "Dirección de Servicios Públicos Municipales", "Comisión Estatal de Servicios Urbanos", (
        ("E", "Alumbrado público", "alumbrado público", "Jefatura de Alumbrado Público",
         "La población del {amb} transita de noche por vías con alumbrado insuficiente o inoperante.",
         "Habitantes del {amb} que transitan por la vía pública en horario nocturno",
         "mejorar la seguridad de las personas en la vía pública en horario nocturno",
         "un servicio de alumbrado público suficiente y funcional",
         "Las vialidades y espacios públicos del {amb}", "cuentan con luminarias en funcionamiento",
         "Personas que se sienten seguras al transitar de noche|Personas encuestadas sobre percepción de "
         "seguridad nocturna|Persona|ascendente",
         "Luminarias del padrón en funcionamiento|Luminarias registradas en el padrón de alumbrado público|"
         "Luminaria|S",
         ("Reportes ciudadanos de fallas en luminarias atendidos|reportes de fallas en luminarias|atendidos|"
          "recibidos|Reporte",
          "Mantenimiento preventivo a luminarias realizado|luminarias|con mantenimiento preventivo|"
          "@registradas en el padrón|Luminaria",
          "Luminarias convencionales sustituidas por tecnología LED|luminarias convencionales|sustituidas por "
          "tecnología LED|programadas para sustitución|Luminaria"),
         ("Realización de recorridos nocturnos de inspección de luminarias|recorridos nocturnos de inspección|"
          "realizados|programados|Recorrido",
          "Adquisición de materiales eléctricos para reparación de luminarias|requisiciones de material eléctrico|"
          "surtidas|solicitadas|Requisición",
          "Sustitución de luminarias convencionales por luminarias LED|luminarias|sustituidas|programadas|"
          "Luminaria")),
        ("E", "Recolección de residuos sólidos", "limpia y recolección de residuos", "Departamento de Limpia",
         "La recolección irregular de residuos sólidos genera tiraderos clandestinos y riesgos sanitarios en las "
         "colonias del {amb}.",
         "Viviendas habitadas del {amb}",
         "preservar la salud pública y el medio ambiente",
         "la recolección oportuna y la disposición adecuada de residuos sólidos",
         "Las colonias y localidades del {amb}", "reciben el servicio de recolección con la frecuencia establecida",
         "Personas satisfechas con el servicio de recolección de residuos|Personas encuestadas sobre el servicio "
         "de recolección|Persona|ascendente",
         "Colonias con servicio de recolección regular|Colonias registradas en el catálogo de rutas|Colonia|S",
         ("Rutas de recolección domiciliaria cubiertas|rutas de recolección|cubiertas|programadas|Ruta",
          "Tiraderos clandestinos saneados|tiraderos clandestinos|saneados|detectados|Tiradero"),
         ("Programación semanal de rutas de recolección|programas semanales de rutas|emitidos|programados|"
          "Programa",
          "Realización del barrido manual de calles del primer cuadro|kilómetros de barrido manual|realizados|"
          "programados|Kilómetro",
          "Mantenimiento de vehículos recolectores|servicios de mantenimiento a vehículos recolectores|realizados|"
          "programados|Servicio")),
        ("B", "Parques y jardines", "parques y jardines", "Departamento de Parques y Jardines",
         "Las áreas verdes del {amb} carecen de mantenimiento, poda y riego suficientes.",
         "Habitantes que utilizan las áreas verdes públicas del {amb}",
         "mejorar la calidad del entorno urbano", "el mantenimiento permanente de áreas verdes públicas",
         "Las áreas verdes públicas del {amb}", "presentan condiciones adecuadas de mantenimiento",
         "Personas satisfechas con el estado de las áreas verdes|Personas encuestadas sobre áreas verdes|Persona|"
         "ascendente",
         "Metros cuadrados de áreas verdes con mantenimiento vigente|Metros cuadrados de áreas verdes registrados "
         "en el inventario|Metro cuadrado|S",
         ("Áreas verdes con mantenimiento integral atendidas|metros cuadrados de áreas verdes|atendidos|"
          "programados|Metro cuadrado",
          "Árboles plantados en camellones y parques|árboles|plantados|programados|Árbol"),
         ("Ejecución de la poda de árboles en vía pública|árboles|podados|programados para poda|Árbol",
          "Producción de planta en el vivero {adj}|plantas|producidas|programadas|Planta")),
    )),
    ("SEG", "2", "Dirección de Seguridad Pública y Tránsito Municipal", "Secretaría de Seguridad Ciudadana", (
        ("E", "Seguridad pública y prevención del delito", "seguridad pública",
         "Subdirección Operativa de Seguridad Pública",
         "La incidencia de delitos del fuero común afecta el patrimonio y la integridad de los habitantes del "
         "{amb}.",
         "Habitantes del {amb}",
         "reducir la incidencia delictiva", "la vigilancia preventiva y la proximidad policial",
         "Los habitantes del {amb}", "perciben condiciones de seguridad en sus colonias",
         "Personas de 18 años y más que se sienten inseguras en su colonia|Personas de 18 años y más "
         "encuestadas|Persona|descendente",
         "Colonias con patrullaje preventivo permanente|Colonias registradas en la cartografía delictiva|"
         "Colonia|S",
         ("Recorridos de vigilancia preventiva realizados|recorridos de vigilancia|realizados|programados|"
          "Recorrido",
          "Llamadas de emergencia atendidas por la policía preventiva|llamadas de emergencia|atendidas|recibidas|"
          "Llamada",
          "Comités vecinales de seguridad conformados|comités vecinales|conformados|programados|Comité"),
         ("Capacitación de elementos policiales en proximidad social|elementos policiales|capacitados|@en activo|"
          "Elemento",
          "Aplicación de evaluaciones de control de confianza|evaluaciones de control de confianza|aplicadas|"
          "programadas|Evaluación",
          "Instalación de cámaras de videovigilancia|cámaras de videovigilancia|instaladas|programadas|Cámara")),
        ("E", "Tránsito y seguridad vial", "seguridad vial", "Departamento de Tránsito y Vialidad",
         "Los accidentes de tránsito en las vialidades del {amb} provocan lesiones, pérdidas humanas y daños "
         "materiales.",
         "Conductores, peatones y ciclistas que transitan por el {amb}",
         "disminuir los hechos de tránsito con víctimas",
         "la educación vial y la vigilancia del reglamento de tránsito",
         "Los usuarios de las vialidades del {amb}", "respetan las normas de seguridad vial",
         "Hechos de tránsito con personas lesionadas|Hechos de tránsito registrados|Hecho de tránsito|"
         "descendente",
         "Conductores revisados que cumplen el reglamento de tránsito|Conductores revisados en operativos|"
         "Persona|F",
         ("Operativos de alcoholimetría realizados|operativos de alcoholimetría|realizados|programados|Operativo",
          "Pláticas de educación vial impartidas en escuelas|pláticas de educación vial|impartidas|programadas|"
          "Plática"),
         ("Instalación de señalamiento vertical en cruceros conflictivos|señales verticales|instaladas|"
          "programadas|Señal",
          "Balizamiento de pasos peatonales|pasos peatonales|balizados|programados|Paso peatonal")),
    )),
    ("PCV", "2", "Coordinación Municipal de Protección Civil y Bomberos",
     "Coordinación Estatal de Protección Civil", (
        ("E", "Protección civil y gestión integral de riesgos", "protección civil",
         "Departamento de Gestión de Riesgos",
         "La población del {amb} está expuesta a inundaciones, incendios y otros fenómenos perturbadores sin "
         "medidas suficientes de prevención.",
         "Población asentada en zonas de riesgo del {amb}",
         "salvaguardar la vida y el patrimonio de la población", "la prevención y atención oportuna de emergencias",
         "La población asentada en zonas de riesgo", "cuenta con medidas de prevención y atención de emergencias",
         "Emergencias con pérdida de vidas humanas|Emergencias atendidas|Emergencia|descendente",
         "Inmuebles de concentración masiva con programa interno de protección civil vigente|Inmuebles de "
         "concentración masiva registrados|Inmueble|S",
         ("Emergencias atendidas por el cuerpo de bomberos|servicios de emergencia|atendidos|solicitados|Servicio",
          "Inspecciones de protección civil a establecimientos realizadas|inspecciones a establecimientos|"
          "realizadas|programadas|Inspección",
          "Simulacros de evacuación realizados en escuelas y oficinas públicas|simulacros|realizados|programados|"
          "Simulacro"),
         ("Actualización del atlas de riesgos|capas del atlas de riesgos|actualizadas|programadas|Capa",
          "Capacitación de brigadas comunitarias de protección civil|brigadistas|capacitados|programados|Persona",
          "Revisión de programas internos de protección civil|programas internos|dictaminados|recibidos|"
          "Programa")),
    )),
    ("DIF", "1", "Sistema Municipal para el Desarrollo Integral de la Familia",
     "Sistema Estatal para el Desarrollo Integral de la Familia", (
        ("S", "Asistencia alimentaria a grupos vulnerables", "asistencia alimentaria",
         "Coordinación de Asistencia Alimentaria",
         "Familias en situación de vulnerabilidad del {amb} presentan inseguridad alimentaria.",
         "Personas en situación de vulnerabilidad con carencia por acceso a la alimentación",
         "reducir la inseguridad alimentaria de los grupos vulnerables",
         "la entrega de apoyos alimentarios y la orientación nutricional",
         "Las personas en situación de vulnerabilidad inscritas en el padrón",
         "mejoran su acceso a una alimentación nutritiva",
         "Hogares con inseguridad alimentaria moderada o severa|Hogares encuestados|Hogar|descendente",
         "Beneficiarios que mejoran su estado nutricional|Beneficiarios valorados|Persona|F",
         ("Apoyos alimentarios entregados a familias vulnerables|apoyos alimentarios|entregados|programados|Apoyo",
          "Desayunos escolares calientes servidos|raciones de desayuno escolar|servidas|programadas|Ración",
          "Pláticas de orientación alimentaria impartidas|pláticas de orientación alimentaria|impartidas|"
          "programadas|Plática"),
         ("Integración del padrón de beneficiarios del programa alimentario|expedientes de beneficiarios|"
          "validados|recibidos|Expediente",
          "Adquisición de insumos alimentarios|contratos de adquisición de insumos|formalizados|programados|"
          "Contrato",
          "Supervisión de comedores comunitarios|supervisiones a comedores|realizadas|programadas|Supervisión")),
        ("E", "Atención a personas con discapacidad", "inclusión de personas con discapacidad",
         "Unidad Básica de Rehabilitación",
         "Las personas con discapacidad del {amb} enfrentan barreras para acceder a servicios de rehabilitación.",
         "Personas con discapacidad residentes en el {amb}",
         "favorecer la inclusión social de las personas con discapacidad",
         "servicios de rehabilitación física accesibles",
         "Las personas con discapacidad del {amb}", "acceden a servicios de rehabilitación",
         "Personas con discapacidad que concluyen su plan de rehabilitación|Personas con discapacidad que "
         "iniciaron un plan de rehabilitación|Persona|ascendente",
         "Personas con discapacidad registradas que reciben terapia|Personas con discapacidad registradas en el "
         "padrón|Persona|FS",
         ("Sesiones de terapia física otorgadas|sesiones de terapia física|otorgadas|programadas|Sesión",
          "Credenciales de discapacidad expedidas|credenciales de discapacidad|expedidas|solicitadas|Credencial"),
         ("Valoración médica de personas con discapacidad|valoraciones médicas|realizadas|solicitadas|Valoración",
          "Gestión de aparatos funcionales|aparatos funcionales|entregados|solicitados|Aparato")),
        ("E", "Protección de niñas, niños y adolescentes", "protección de la niñez",
         "Procuraduría de Protección de Niñas, Niños y Adolescentes",
         "Niñas, niños y adolescentes del {amb} se encuentran en situación de riesgo por violencia familiar y "
         "abandono.",
         "Niñas, niños y adolescentes en situación de riesgo",
         "garantizar el ejercicio de los derechos de niñas, niños y adolescentes",
         "la atención oportuna de casos de vulneración de derechos",
         "Las niñas, niños y adolescentes en situación de riesgo", "reciben atención para la restitución de sus "
         "derechos",
         "Casos de vulneración de derechos restituidos|Casos de vulneración de derechos registrados|Caso|"
         "ascendente",
         "Niñas, niños y adolescentes con plan de restitución de derechos en ejecución|"
         "Niñas, niños y adolescentes "
         "con medida de protección|Persona|S",
         ("Reportes de maltrato infantil investigados|reportes de maltrato infantil|investigados|recibidos|Reporte",
          "Asesorías jurídicas en materia familiar otorgadas|asesorías jurídicas|otorgadas|solicitadas|Asesoría"),
         ("Realización de visitas de trabajo social|visitas de trabajo social|realizadas|programadas|Visita",
          "Atención psicológica a menores en situación de riesgo|sesiones de atención psicológica|otorgadas|"
          "programadas|Sesión")),
    )),
    ("DSO", "1", "Dirección de Desarrollo Social", "Secretaría de Bienestar Social", (
        ("S", "Mejoramiento de la vivienda", "mejoramiento de la vivienda", "Coordinación de Programas de Vivienda",
         "Hogares del {amb} habitan viviendas con piso de tierra, techos precarios o sin baño.",
         "Hogares con carencia por calidad y espacios de la vivienda",
         "reducir la carencia por calidad y espacios de la vivienda",
         "la entrega de apoyos para el mejoramiento de vivienda",
         "Los hogares con carencia por calidad de la vivienda", "mejoran las condiciones de su vivienda",
         "Viviendas con piso de tierra|Viviendas particulares habitadas|Vivienda|descendente",
         "Hogares beneficiados que concluyen la mejora de su vivienda|Hogares beneficiados con apoyo de vivienda|"
         "Hogar|F",
         ("Cuartos adicionales construidos|cuartos adicionales|construidos|programados|Cuarto",
          "Techos firmes instalados|techos firmes|instalados|programados|Techo",
          "Pisos firmes colocados|pisos firmes|colocados|programados|Piso"),
         ("Recepción de solicitudes de apoyo para vivienda|solicitudes de apoyo para vivienda|dictaminadas|"
          "recibidas|Solicitud",
          "Verificación física de viviendas solicitantes|verificaciones físicas|realizadas|programadas|"
          "Verificación",
          "Entrega de materiales de construcción|paquetes de materiales|entregados|programados|Paquete")),
        ("U", "Apoyos sociales a personas adultas mayores", "atención a personas adultas mayores",
         "Coordinación de Atención a Personas Adultas Mayores",
         "Las personas adultas mayores del {amb} enfrentan abandono, pobreza y falta de espacios de convivencia.",
         "Personas de 65 años y más en situación de pobreza",
         "mejorar la calidad de vida de las personas adultas mayores",
         "apoyos económicos y actividades de integración social",
         "Las personas adultas mayores en situación de pobreza", "reciben apoyos para su bienestar",
         "Personas adultas mayores que reportan mejora en su bienestar|Personas adultas mayores encuestadas|"
         "Persona|ascendente",
         "Personas adultas mayores del padrón con apoyo vigente|Personas adultas mayores registradas en el "
         "padrón|Persona|S",
         ("Apoyos económicos a personas adultas mayores entregados|apoyos económicos|entregados|programados|Apoyo",
          "Talleres de integración social impartidos en casas de día|talleres de integración social|impartidos|"
          "programados|Taller"),
         ("Actualización del padrón de personas adultas mayores|registros del padrón|actualizados|"
          "@registrados en el padrón|Registro",
          "Organización de jornadas de salud para personas adultas mayores|jornadas de salud|realizadas|"
          "programadas|Jornada")),
        ("F", "Participación ciudadana y organización comunitaria", "participación ciudadana",
         "Departamento de Organización Social",
         "La población del {amb} participa poco en la planeación y vigilancia de las obras y acciones públicas.",
         "Habitantes de las colonias y comunidades del {amb}",
         "fortalecer la gobernanza democrática", "la organización y participación de comités ciudadanos",
         "Las colonias y comunidades del {amb}", "participan en la planeación y vigilancia de las acciones "
         "públicas",
         "Obras públicas con comité de contraloría social|Obras públicas ejecutadas|Obra|ascendente",
         "Colonias con comité de participación ciudadana en funciones|Colonias registradas en el catálogo {adj}|"
         "Colonia|S",
         ("Comités de participación ciudadana constituidos|comités de participación ciudadana|constituidos|"
          "programados|Comité",
          "Asambleas comunitarias realizadas|asambleas comunitarias|realizadas|programadas|Asamblea"),
         ("Capacitación de integrantes de comités ciudadanos|integrantes de comités|capacitados|programados|"
          "Persona",
          "Difusión de convocatorias para integrar comités|convocatorias|publicadas|programadas|Convocatoria")),
    )),
    ("DEC", "4", "Dirección de Desarrollo Económico", "Secretaría de Desarrollo Económico", (
        ("F", "Fomento al empleo", "fomento al empleo", "Oficina de Vinculación Laboral",
         "Personas desempleadas del {amb} tienen dificultades para vincularse con vacantes formales.",
         "Personas desempleadas o subempleadas en edad de trabajar",
         "incrementar el empleo formal", "la vinculación laboral y la capacitación para el trabajo",
         "Las personas buscadoras de empleo del {amb}", "se colocan en empleos formales",
         "Personas ocupadas en el sector formal|Población ocupada|Persona|ascendente",
         "Personas vinculadas que obtienen empleo|Personas vinculadas a una vacante|Persona|F",
         ("Ferias de empleo realizadas|ferias de empleo|realizadas|programadas|Feria",
          "Cursos de capacitación para el trabajo impartidos|cursos de capacitación|impartidos|programados|Curso"),
         ("Registro de vacantes de empresas locales|vacantes|registradas|ofertadas|Vacante",
          "Vinculación de buscadores de empleo con empresas|buscadores de empleo|canalizados|registrados|Persona")),
        ("F", "Apoyo a micro, pequeñas y medianas empresas", "apoyo a la micro y pequeña empresa",
         "Departamento de Apoyo Empresarial",
         "Las micro y pequeñas empresas del {amb} tienen bajo acceso a financiamiento y capacitación empresarial.",
         "Micro, pequeñas y medianas empresas establecidas en el {amb}",
         "fortalecer la economía local", "el financiamiento y la capacitación de las micro y pequeñas empresas",
         "Las micro y pequeñas empresas del {amb}", "incrementan sus ventas",
         "Unidades económicas apoyadas que permanecen en operación|Unidades económicas apoyadas el año anterior|"
         "Unidad económica|ascendente",
         "Empresas apoyadas que incrementan sus ventas|Empresas apoyadas|Empresa|F",
         ("Microcréditos otorgados a emprendedores|microcréditos|otorgados|solicitados|Crédito",
          "Asesorías empresariales brindadas|asesorías empresariales|brindadas|solicitadas|Asesoría"),
         ("Evaluación de solicitudes de microcrédito|solicitudes de microcrédito|evaluadas|recibidas|Solicitud",
          "Impartición de talleres de educación financiera|talleres de educación financiera|impartidos|"
          "programados|Taller")),
        ("G", "Mejora regulatoria y apertura de empresas", "mejora regulatoria",
         "Ventanilla Única de Gestión Empresarial",
         "Los trámites de apertura de empresas en el {amb} son lentos y costosos.",
         "Personas emprendedoras que solicitan licencias de funcionamiento",
         "mejorar el clima de negocios", "trámites empresariales simples y rápidos",
         "Las personas emprendedoras del {amb}", "obtienen su licencia de funcionamiento en tiempo",
         "Trámites empresariales resueltos en menos de 72 horas|Trámites empresariales ingresados|Trámite|"
         "ascendente",
         "Licencias de funcionamiento emitidas en plazo|Licencias de funcionamiento solicitadas|Licencia|F",
         ("Licencias de funcionamiento de bajo riesgo expedidas|licencias de bajo riesgo|expedidas|solicitadas|"
          "Licencia",
          "Trámites empresariales digitalizados|trámites empresariales|digitalizados|programados|Trámite"),
         ("Revisión documental de solicitudes de licencia|solicitudes de licencia|revisadas|recibidas|Solicitud",
          "Actualización del catálogo de trámites y servicios|fichas de trámite|actualizadas|programadas|Ficha")),
    )),
    ("DRU", "4", "Dirección de Desarrollo Rural", "Secretaría de Desarrollo Agropecuario", (
        ("S", "Apoyo a la producción agrícola", "producción agrícola", "Departamento de Fomento Agrícola",
         "Los pequeños productores agrícolas del {amb} obtienen bajos rendimientos por falta de insumos y "
         "asistencia técnica.",
         "Productores agrícolas de pequeña escala",
         "incrementar el ingreso de los productores rurales", "la entrega de insumos y la asistencia técnica "
         "agrícola",
         "Los pequeños productores agrícolas del {amb}", "incrementan el rendimiento de sus cultivos",
         "Productores apoyados que incrementan su ingreso|Productores apoyados encuestados|Productor|ascendente",
         "Hectáreas apoyadas con rendimiento superior a la media regional|Hectáreas apoyadas|Hectárea|F",
         ("Paquetes de semilla mejorada entregados|paquetes de semilla mejorada|entregados|programados|Paquete",
          "Asistencia técnica a productores otorgada|visitas de asistencia técnica|otorgadas|programadas|Visita",
          "Fertilizante entregado a productores|toneladas de fertilizante|entregadas|programadas|Tonelada"),
         ("Integración de expedientes de productores solicitantes|expedientes de productores|integrados|recibidos|"
          "Expediente",
          "Verificación de predios agrícolas|predios agrícolas|verificados|programados|Predio")),
        ("S", "Fomento pecuario", "fomento pecuario", "Departamento de Fomento Pecuario",
         "Los productores pecuarios del {amb} tienen baja productividad por problemas sanitarios y genéticos del "
         "hato.",
         "Productores pecuarios de pequeña escala",
         "mejorar la productividad pecuaria", "el mejoramiento genético y la sanidad animal",
         "Los productores pecuarios del {amb}", "mejoran la productividad de su hato",
         "Unidades de producción pecuaria con productividad mejorada|Unidades de producción pecuaria apoyadas|"
         "Unidad de producción|ascendente",
         "Cabezas de ganado vacunadas|Cabezas de ganado registradas en el inventario|Cabeza|FS",
         ("Sementales con registro genealógico entregados|sementales|entregados|solicitados|Semental",
          "Campañas de vacunación del ganado realizadas|campañas de vacunación|realizadas|programadas|Campaña"),
         ("Aplicación de vacunas al hato ganadero|dosis de vacuna|aplicadas|programadas|Dosis",
          "Capacitación de productores en manejo sanitario|productores|capacitados|programados|Productor")),
    )),
    ("MAM", "3", "Dirección de Medio Ambiente y Ecología",
     "Secretaría del Medio Ambiente y Ordenamiento Territorial", (
        ("G", "Regulación y protección ambiental", "protección ambiental", "Departamento de Normatividad Ambiental",
         "Establecimientos del {amb} operan sin cumplir la normatividad ambiental, lo que deteriora la calidad del "
         "aire y del suelo.",
         "Establecimientos comerciales, industriales y de servicios del {amb}",
         "mejorar la calidad ambiental", "la regulación y vigilancia de la normatividad ambiental",
         "Los establecimientos regulados del {amb}", "cumplen la normatividad ambiental vigente",
         "Días con calidad del aire aceptable|Días monitoreados|Día|ascendente",
         "Establecimientos regulados que cumplen la normatividad ambiental|Establecimientos registrados en el "
         "padrón ambiental|Establecimiento|S",
         ("Licencias ambientales dictaminadas|licencias ambientales|dictaminadas|solicitadas|Licencia",
          "Denuncias ambientales atendidas|denuncias ambientales|atendidas|recibidas|Denuncia"),
         ("Inspección de establecimientos generadores de emisiones|inspecciones ambientales|realizadas|"
          "programadas|Inspección",
          "Dictaminación de estudios de impacto ambiental|estudios de impacto ambiental|dictaminados|recibidos|"
          "Estudio")),
        ("E", "Educación ambiental y reforestación", "educación ambiental", "Departamento de Educación Ambiental",
         "La población del {amb} tiene escasa cultura ambiental y la cobertura forestal disminuye año con año.",
         "Habitantes y estudiantes del {amb}",
         "conservar los recursos naturales", "la educación ambiental y la reforestación de zonas degradadas",
         "La población del {amb}", "participa en acciones de cuidado del medio ambiente",
         "Hectáreas reforestadas con sobrevivencia de planta|Hectáreas reforestadas|Hectárea|ascendente",
         "Personas que participan en acciones ambientales|Personas convocadas a acciones ambientales|Persona|F",
         ("Jornadas de reforestación realizadas|jornadas de reforestación|realizadas|programadas|Jornada",
          "Talleres de educación ambiental impartidos en escuelas|talleres de educación ambiental|impartidos|"
          "programados|Taller"),
         ("Producción de árboles en el vivero {adj}|árboles|producidos|programados|Árbol",
          "Organización de campañas de acopio de residuos reciclables|campañas de acopio|realizadas|programadas|"
          "Campaña")),
    )),
    ("MUJ", "1", "Instituto Municipal de la Mujer", "Instituto Estatal de las Mujeres", (
        ("E", "Prevención y atención de la violencia contra las mujeres",
         "atención a mujeres en situación de violencia", "Centro de Atención Integral a las Mujeres",
         "Las mujeres del {amb} sufren violencia familiar y de género sin acceso oportuno a servicios de atención.",
         "Mujeres de 15 años y más en situación de violencia",
         "garantizar el derecho de las mujeres a una vida libre de violencia",
         "servicios integrales de atención y prevención de la violencia de género",
         "Las mujeres en situación de violencia", "reciben atención integral oportuna",
         "Mujeres atendidas que concluyen su proceso de atención|Mujeres que iniciaron un proceso de atención|"
         "Mujer|ascendente",
         "Mujeres atendidas en menos de 24 horas|Mujeres que solicitaron atención|Mujer|F",
         ("Asesorías jurídicas a mujeres otorgadas|asesorías jurídicas|otorgadas|solicitadas|Asesoría",
          "Atenciones psicológicas a mujeres brindadas|sesiones psicológicas|brindadas|solicitadas|Sesión",
          "Pláticas de prevención de la violencia de género impartidas|pláticas de prevención|impartidas|"
          "programadas|Plática"),
         ("Canalización de mujeres a refugios y servicios especializados|canalizaciones|concretadas|solicitadas|"
          "Canalización",
          "Capacitación de servidores públicos en perspectiva de género|servidores públicos|capacitados|"
          "programados|Persona")),
        ("F", "Empoderamiento económico de las mujeres", "empoderamiento económico de las mujeres",
         "Coordinación de Proyectos Productivos",
         "Las mujeres jefas de familia del {amb} tienen ingresos bajos y poco acceso a actividades productivas.",
         "Mujeres jefas de familia en situación de pobreza",
         "reducir la brecha económica de género", "el apoyo a proyectos productivos encabezados por mujeres",
         "Las mujeres jefas de familia apoyadas", "generan ingresos propios",
         "Mujeres apoyadas con ingresos propios|Mujeres apoyadas|Mujer|ascendente",
         "Proyectos productivos de mujeres en operación|Proyectos productivos apoyados|Proyecto|S",
         ("Proyectos productivos de mujeres financiados|proyectos productivos|financiados|solicitados|Proyecto",
          "Talleres de oficios para mujeres impartidos|talleres de oficios|impartidos|programados|Taller"),
         ("Dictaminación de proyectos productivos|proyectos productivos|dictaminados|recibidos|Proyecto",
          "Seguimiento de proyectos financiados|visitas de seguimiento|realizadas|programadas|Visita")),
    )),
    ("JUV", "1", "Instituto Municipal de la Juventud", "Instituto Estatal de la Juventud", (
        ("F", "Atención integral a la juventud", "atención a la juventud", "Coordinación de Programas para Jóvenes",
         "Las personas jóvenes del {amb} tienen pocas oportunidades de desarrollo y están expuestas a conductas "
         "de riesgo.",
         "Personas jóvenes de 12 a 29 años",
         "ampliar las oportunidades de desarrollo de las personas jóvenes",
         "programas de prevención de riesgos y desarrollo de habilidades",
         "Las personas jóvenes del {amb}", "participan en programas de desarrollo integral",
         "Jóvenes participantes que continúan sus estudios|Jóvenes participantes|Persona|ascendente",
         "Jóvenes que concluyen un programa de desarrollo de habilidades|Jóvenes inscritos en programas de "
         "desarrollo|Persona|F",
         ("Talleres de prevención de adicciones impartidos|talleres de prevención de adicciones|impartidos|"
          "programados|Taller",
          "Becas de transporte para estudiantes otorgadas|becas de transporte|otorgadas|solicitadas|Beca"),
         ("Realización de brigadas juveniles en colonias|brigadas juveniles|realizadas|programadas|Brigada",
          "Difusión de convocatorias juveniles en redes sociales|publicaciones de convocatorias|difundidas|"
          "programadas|Publicación")),
    )),
    ("DEP", "1", "Instituto Municipal del Deporte", "Comisión Estatal de Cultura Física y Deporte", (
        ("F", "Activación física y deporte", "cultura física y deporte", "Coordinación de Activación Física",
         "La población del {amb} presenta altos niveles de sedentarismo y sobrepeso.",
         "Habitantes de 6 años y más del {amb}",
         "mejorar la salud física de la población", "la práctica regular de actividad física y deporte",
         "La población del {amb}", "practica actividad física de manera regular",
         "Personas físicamente activas|Personas encuestadas de 6 años y más|Persona|ascendente",
         "Personas inscritas en ligas y escuelas deportivas activas|Personas registradas en el padrón deportivo|"
         "Persona|S",
         ("Eventos de activación física realizados en espacios públicos|eventos de activación física|realizados|"
          "programados|Evento",
          "Ligas deportivas comunitarias organizadas|ligas deportivas|organizadas|programadas|Liga"),
         ("Mantenimiento de unidades deportivas|acciones de mantenimiento|realizadas|programadas|Acción",
          "Contratación de promotores deportivos|promotores deportivos|contratados|programados|Persona")),
    )),
    ("CUL", "1", "Dirección de Cultura", "Secretaría de Cultura", (
        ("F", "Promoción cultural y artística", "promoción cultural", "Casa de la Cultura",
         "La población del {amb} tiene acceso limitado a bienes y servicios culturales.",
         "Habitantes del {amb}",
         "fortalecer la identidad y el desarrollo cultural", "la oferta de actividades artísticas y culturales "
         "accesibles",
         "Los habitantes del {amb}", "acceden a actividades artísticas y culturales",
         "Personas que asistieron a una actividad cultural en el año|Personas encuestadas|Persona|ascendente",
         "Alumnos de talleres artísticos que concluyen su ciclo|Alumnos inscritos en talleres artísticos|"
         "Persona|F",
         ("Eventos artísticos y culturales realizados|eventos culturales|realizados|programados|Evento",
          "Talleres artísticos impartidos en la casa de la cultura|talleres artísticos|impartidos|programados|"
          "Taller"),
         ("Programación de la cartelera cultural mensual|carteleras|publicadas|programadas|Cartelera",
          "Contratación de instructores de talleres artísticos|instructores|contratados|programados|Persona")),
        ("E", "Bibliotecas públicas", "servicios bibliotecarios", "Coordinación de Bibliotecas",
         "Las bibliotecas públicas del {amb} registran baja afluencia y acervos desactualizados.",
         "Estudiantes y población lectora del {amb}",
         "fomentar el hábito de la lectura", "servicios bibliotecarios modernos y accesibles",
         "La población lectora del {amb}", "utiliza los servicios de las bibliotecas públicas",
         "Personas con hábito de lectura|Personas encuestadas|Persona|ascendente",
         "Usuarios atendidos en bibliotecas públicas|Usuarios programados|Persona|F",
         ("Círculos de lectura realizados|círculos de lectura|realizados|programados|Círculo",
          "Acervo bibliográfico actualizado|volúmenes|adquiridos|programados|Volumen"),
         ("Catalogación de nuevos volúmenes|volúmenes|catalogados|recibidos|Volumen",
          "Organización de visitas guiadas escolares|visitas guiadas|realizadas|programadas|Visita")),
    )),
    ("EDU", "1", "Dirección de Educación", "Secretaría de Educación", (
        ("U", "Becas escolares", "becas escolares", "Departamento de Becas",
         "Estudiantes de familias de bajos ingresos del {amb} abandonan sus estudios por falta de recursos.",
         "Estudiantes de educación básica y media superior de familias de bajos ingresos",
         "reducir el abandono escolar", "el otorgamiento de becas a estudiantes de bajos ingresos",
         "Los estudiantes becados del {amb}", "permanecen en el sistema educativo",
         "Alumnos que abandonan la educación media superior|Alumnos inscritos al inicio del ciclo|Alumno|"
         "descendente",
         "Estudiantes becados que concluyen el ciclo escolar|Estudiantes becados|Alumno|F",
         ("Becas económicas entregadas a estudiantes|becas económicas|entregadas|programadas|Beca",
          "Paquetes de útiles escolares entregados|paquetes de útiles escolares|entregados|programados|Paquete"),
         ("Publicación de la convocatoria de becas|convocatorias|publicadas|programadas|Convocatoria",
          "Validación de expedientes de estudiantes solicitantes|expedientes de solicitantes|validados|recibidos|"
          "Expediente")),
        ("B", "Mantenimiento de escuelas públicas", "infraestructura escolar", "Departamento de Infraestructura "
         "Escolar",
         "Las escuelas públicas del {amb} presentan instalaciones deterioradas que afectan el aprendizaje.",
         "Escuelas públicas de educación básica del {amb}",
         "mejorar las condiciones de aprendizaje", "el mantenimiento de la infraestructura escolar",
         "Las escuelas públicas de educación básica del {amb}", "cuentan con instalaciones en condiciones "
         "adecuadas",
         "Alumnos en escuelas con instalaciones adecuadas|Alumnos de educación básica|Alumno|ascendente",
         "Escuelas con instalaciones en buen estado|Escuelas públicas registradas|Escuela|S",
         ("Escuelas con mantenimiento menor atendidas|escuelas|atendidas|programadas|Escuela",
          "Sanitarios escolares rehabilitados|módulos sanitarios|rehabilitados|programados|Módulo"),
         ("Levantamiento de necesidades de mantenimiento escolar|diagnósticos escolares|levantados|programados|"
          "Diagnóstico",
          "Entrega de material de mantenimiento a escuelas|paquetes de material|entregados|programados|Paquete")),
    )),
    ("SAL", "1", "Dirección de Salud Municipal", "Secretaría de Salud", (
        ("E", "Salud preventiva", "salud preventiva", "Coordinación de Salud Preventiva",
         "La población del {amb} presenta alta prevalencia de enfermedades crónicas no detectadas a tiempo.",
         "Población sin seguridad social del {amb}",
         "mejorar las condiciones de salud de la población", "la detección oportuna de enfermedades crónicas",
         "La población sin seguridad social del {amb}", "accede a servicios de detección oportuna",
         "Casos de diabetes detectados en etapa temprana|Casos de diabetes detectados|Caso|ascendente",
         "Personas con tamizaje de enfermedades crónicas|Población objetivo sin seguridad social|Persona|FS",
         ("Jornadas de salud realizadas en comunidades|jornadas de salud|realizadas|programadas|Jornada",
          "Detecciones de diabetes e hipertensión aplicadas|pruebas de detección|aplicadas|programadas|Prueba"),
         ("Aplicación de vacunas en campañas comunitarias|dosis de vacuna|aplicadas|programadas|Dosis",
          "Adquisición de pruebas rápidas de detección|pruebas rápidas|adquiridas|programadas|Prueba")),
        ("G", "Control sanitario", "control sanitario", "Departamento de Regulación Sanitaria",
         "Establecimientos de alimentos del {amb} operan sin condiciones sanitarias adecuadas.",
         "Establecimientos que expenden alimentos y bebidas",
         "prevenir enfermedades transmitidas por alimentos", "la vigilancia sanitaria de establecimientos",
         "Los establecimientos que expenden alimentos", "cumplen las condiciones sanitarias",
         "Brotes de enfermedades transmitidas por alimentos atendidos oportunamente|Brotes notificados|Brote|"
         "ascendente",
         "Establecimientos verificados que cumplen las condiciones sanitarias|Establecimientos verificados|"
         "Establecimiento|F",
         ("Verificaciones sanitarias realizadas|verificaciones sanitarias|realizadas|programadas|Verificación",
          "Muestras de agua y alimentos analizadas|muestras|analizadas|programadas|Muestra"),
         ("Capacitación de manejadores de alimentos|manejadores de alimentos|capacitados|programados|Persona",
          "Expedición de tarjetas de control sanitario|tarjetas de control sanitario|expedidas|solicitadas|"
          "Tarjeta")),
    )),
    ("AGU", "3", "Organismo Operador de Agua Potable y Alcantarillado", "Comisión Estatal del Agua", (
        ("E", "Agua potable", "agua potable", "Gerencia de Operación Hidráulica",
         "Viviendas del {amb} reciben agua potable de manera intermitente o carecen de conexión a la red.",
         "Viviendas habitadas del {amb}",
         "garantizar el derecho humano al agua", "un servicio de agua potable continuo y de calidad",
         "Las viviendas del {amb}", "reciben agua potable de manera continua",
         "Viviendas con servicio continuo de agua potable|Viviendas con toma registrada|Vivienda|ascendente",
         "Tomas domiciliarias con servicio continuo|Tomas domiciliarias registradas en el padrón de usuarios|"
         "Toma|S",
         ("Fugas en la red de distribución reparadas|fugas|reparadas|reportadas|Fuga",
          "Tomas domiciliarias nuevas instaladas|tomas nuevas|instaladas|solicitadas|Toma",
          "Análisis de cloro residual realizados|análisis de cloro residual|realizados|programados|Análisis"),
         ("Rehabilitación de pozos de extracción|pozos|rehabilitados|programados|Pozo",
          "Cloración de tanques de almacenamiento|cloraciones|realizadas|programadas|Cloración",
          "Sustitución de medidores domiciliarios|medidores|sustituidos|programados|Medidor")),
        ("K", "Drenaje y saneamiento", "drenaje y saneamiento", "Gerencia de Saneamiento",
         "Las aguas residuales del {amb} se descargan sin tratamiento y la red de drenaje presenta saturación.",
         "Viviendas habitadas del {amb}",
         "proteger la salud pública y los cuerpos de agua",
         "la ampliación del drenaje y el tratamiento de aguas residuales",
         "Las aguas residuales generadas en el {amb}", "reciben tratamiento antes de su descarga",
         "Metros cúbicos de aguas residuales tratadas|Metros cúbicos de aguas residuales colectadas|Metro cúbico|"
         "ascendente",
         "Metros cúbicos de agua residual tratada conforme a la norma|Metros cúbicos de agua residual colectada|"
         "Metro cúbico|F",
         ("Redes de drenaje sanitario ampliadas|metros lineales de red de drenaje|construidos|programados|"
          "Metro lineal",
          "Desazolve de la red de drenaje realizado|kilómetros de red|desazolvados|programados|Kilómetro"),
         ("Mantenimiento de plantas de tratamiento|servicios de mantenimiento|realizados|programados|Servicio",
          "Atención de reportes de drenaje obstruido|reportes de drenaje|atendidos|recibidos|Reporte")),
    )),
    ("TES", "5", "Tesorería Municipal", "Secretaría de Finanzas", (
        ("E", "Recaudación de ingresos propios", "recaudación de ingresos propios", "Dirección de Ingresos",
         "El {amb} depende en exceso de las participaciones federales por la baja recaudación de ingresos propios.",
         "Contribuyentes del impuesto predial y de derechos {adjp}",
         "fortalecer las finanzas públicas", "el incremento de la recaudación de ingresos propios",
         "Los contribuyentes del {amb}", "cumplen oportunamente con el pago de sus contribuciones",
         "Ingresos propios recaudados|Ingresos totales del ejercicio|Peso|ascendente",
         "Contribuyentes cumplidos del impuesto predial|Contribuyentes registrados en el padrón predial|"
         "Contribuyente|FS",
         ("Campañas de regularización de contribuyentes realizadas|campañas de regularización|realizadas|"
          "programadas|Campaña",
          "Requerimientos de pago a contribuyentes morosos notificados|requerimientos de pago|notificados|"
          "programados|Requerimiento"),
         ("Actualización del padrón de contribuyentes|registros del padrón de contribuyentes|actualizados|"
          "programados|Registro",
          "Instalación de módulos de cobro en comunidades|módulos de cobro|instalados|programados|Módulo")),
        ("M", "Gestión presupuestal y contable", "gestión presupuestal", "Dirección de Egresos",
         "El ejercicio del presupuesto del {amb} presenta retrasos y observaciones de los órganos de "
         "fiscalización.",
         "Dependencias y entidades de la administración pública {adj}",
         "consolidar finanzas públicas sanas", "el ejercicio ordenado y transparente del presupuesto",
         "Las dependencias de la administración pública {adj}", "ejercen su presupuesto conforme al calendario "
         "autorizado",
         "Observaciones de auditoría solventadas|Observaciones de auditoría notificadas|Observación|ascendente",
         "Presupuesto ejercido conforme al calendario|Presupuesto calendarizado|Peso|F",
         ("Estados financieros emitidos en tiempo|estados financieros|emitidos|programados|Estado financiero",
          "Pagos a proveedores realizados en plazo|pagos a proveedores|realizados|programados|Pago"),
         ("Conciliación de cuentas bancarias|conciliaciones bancarias|realizadas|programadas|Conciliación",
          "Revisión de comprobantes fiscales de gasto|comprobantes fiscales|revisados|recibidos|Comprobante")),
    )),
    ("CON", "5", "Contraloría Municipal", "Secretaría de la Contraloría", (
        ("O", "Control interno y auditoría", "control interno", "Dirección de Auditoría",
         "Las dependencias del {amb} presentan debilidades de control interno y observaciones recurrentes de "
         "auditoría.",
         "Dependencias y entidades de la administración pública {adj}",
         "mejorar la eficacia de la gestión pública", "la fiscalización y el fortalecimiento del control interno",
         "Las dependencias de la administración pública {adj}", "atienden las recomendaciones de control interno",
         "Recomendaciones de control interno atendidas|Recomendaciones de control interno emitidas|"
         "Recomendación|ascendente",
         "Dependencias con sistema de control interno implementado|Dependencias de la administración pública|"
         "Dependencia|S",
         ("Auditorías internas concluidas|auditorías internas|concluidas|programadas|Auditoría",
          "Declaraciones patrimoniales de servidores públicos recibidas|servidores públicos obligados|con "
          "declaración patrimonial presentada|@registrados en el padrón de obligados|Persona"),
         ("Revisión de procesos de adquisiciones|procesos de adquisición|revisados|programados|Proceso",
          "Atención de quejas y denuncias ciudadanas|quejas y denuncias|resueltas|recibidas|Queja")),
    )),
    ("PLA", "5", "Instituto Municipal de Planeación", "Coordinación General de Planeación y Evaluación", (
        ("P", "Planeación y evaluación del desempeño", "planeación y evaluación",
         "Dirección de Evaluación del Desempeño",
         "Los programas presupuestarios del {amb} carecen de seguimiento y evaluación sistemáticos de sus "
         "resultados.",
         "Programas presupuestarios de la administración pública {adj}",
         "mejorar los resultados de la gestión pública",
         "la planeación estratégica y la evaluación del desempeño",
         "Los programas presupuestarios del {amb}", "cuentan con seguimiento y evaluación de resultados",
         "Programas presupuestarios con resultados satisfactorios|Programas presupuestarios evaluados|Programa|"
         "ascendente",
         "Programas presupuestarios con matriz de indicadores validada|Programas presupuestarios vigentes|"
         "Programa|S",
         ("Informes trimestrales de avance de indicadores publicados|informes de avance|publicados|programados|"
          "Informe",
          "Evaluaciones externas de programas concluidas|evaluaciones externas|concluidas|programadas|Evaluación"),
         ("Revisión de matrices de indicadores para resultados|matrices de indicadores|revisadas|recibidas|Matriz",
          "Capacitación de enlaces en metodología de marco lógico|enlaces de planeación|capacitados|"
          "@designados por las dependencias|Persona",
          "Seguimiento de aspectos susceptibles de mejora|aspectos susceptibles de mejora|atendidos|comprometidos|"
          "Aspecto")),
    )),
    ("DUR", "3", "Dirección de Desarrollo Urbano y Ordenamiento Territorial",
     "Secretaría de Desarrollo Urbano y Vivienda", (
        ("G", "Ordenamiento territorial y control urbano", "control urbano",
         "Departamento de Licencias de Construcción",
         "El crecimiento urbano del {amb} ocurre de forma desordenada y en zonas no aptas.",
         "Propietarios de predios y desarrolladores del {amb}",
         "promover un desarrollo urbano ordenado y sustentable", "la regulación del uso de suelo y de las "
         "construcciones",
         "Las construcciones y fraccionamientos del {amb}", "cumplen la normatividad urbana",
         "Hectáreas urbanas con uso de suelo regularizado|Hectáreas urbanas|Hectárea|ascendente",
         "Obras inspeccionadas que cuentan con licencia vigente|Obras inspeccionadas|Obra|F",
         ("Licencias de construcción expedidas|licencias de construcción|expedidas|solicitadas|Licencia",
          "Inspecciones a obras en proceso realizadas|inspecciones de obra|realizadas|programadas|Inspección"),
         ("Revisión de planos arquitectónicos|expedientes de planos|revisados|recibidos|Expediente",
          "Actualización del programa de desarrollo urbano|capítulos del programa|actualizados|programados|"
          "Capítulo")),
        ("E", "Regularización de la tenencia de la tierra", "regularización de la tenencia de la tierra",
         "Departamento de Regularización",
         "Familias del {amb} habitan predios sin certeza jurídica sobre su propiedad.",
         "Familias poseedoras de predios irregulares",
         "brindar certeza jurídica al patrimonio de las familias", "la regularización de la tenencia de la tierra",
         "Las familias poseedoras de predios irregulares", "obtienen certeza jurídica sobre su patrimonio",
         "Predios irregulares regularizados|Predios irregulares identificados|Predio|ascendente",
         "Familias que reciben su título de propiedad|Familias con expediente de regularización|Familia|F",
         ("Títulos de propiedad entregados|títulos de propiedad|entregados|programados|Título",
          "Asesorías legales sobre tenencia de la tierra brindadas|asesorías legales|brindadas|solicitadas|"
          "Asesoría"),
         ("Integración de expedientes de regularización|expedientes de regularización|integrados|recibidos|"
          "Expediente",
          "Medición topográfica de predios|levantamientos topográficos|realizados|programados|Levantamiento")),
    )),
    ("MOV", "3", "Dirección de Movilidad y Transporte", "Secretaría de Movilidad", (
        ("G", "Regulación del transporte público", "transporte público", "Departamento de Transporte Público",
         "El transporte público del {amb} presenta unidades en mal estado y rutas que no cubren la demanda.",
         "Usuarios del transporte público del {amb}",
         "mejorar la movilidad urbana", "un transporte público seguro, regulado y eficiente",
         "Los usuarios del transporte público del {amb}", "viajan en unidades que cumplen las condiciones de "
         "seguridad",
         "Usuarios satisfechos con el transporte público|Usuarios encuestados|Persona|ascendente",
         "Unidades de transporte público que aprueban la revista vehicular|Unidades de transporte público "
         "registradas|Unidad|S",
         ("Revistas vehiculares a unidades de transporte público aplicadas|revistas vehiculares|aplicadas|"
          "programadas|Revista",
          "Operativos de verificación al transporte público realizados|operativos de verificación|realizados|"
          "programados|Operativo"),
         ("Actualización del registro de concesiones|concesiones|actualizadas|@registradas|Concesión",
          "Capacitación de operadores del transporte público|operadores|capacitados|programados|Persona")),
        ("E", "Movilidad no motorizada", "movilidad no motorizada", "Departamento de Movilidad Activa",
         "Las personas que se desplazan a pie o en bicicleta en el {amb} carecen de infraestructura segura.",
         "Peatones y ciclistas del {amb}",
         "promover una movilidad sustentable", "infraestructura segura para peatones y ciclistas",
         "Los peatones y ciclistas del {amb}", "se desplazan por infraestructura segura",
         "Viajes realizados a pie o en bicicleta|Viajes registrados en la encuesta origen-destino|Viaje|"
         "ascendente",
         "Kilómetros de ciclovía en buen estado|Kilómetros de ciclovía existentes|Kilómetro|S",
         ("Ciclovías construidas|kilómetros de ciclovía|construidos|programados|Kilómetro",
          "Cruces peatonales seguros habilitados|cruces peatonales|habilitados|programados|Cruce"),
         ("Realización de paseos ciclistas dominicales|paseos ciclistas|realizados|programados|Paseo",
          "Instalación de biciestacionamientos|biciestacionamientos|instalados|programados|Biciestacionamiento")),
    )),
    ("TUR", "4", "Dirección de Turismo", "Secretaría de Turismo", (
        ("F", "Promoción turística", "promoción turística", "Departamento de Promoción Turística",
         "La afluencia turística al {amb} es baja y se concentra en pocos días del año.",
         "Prestadores de servicios turísticos y visitantes del {amb}",
         "incrementar la derrama económica del turismo", "la promoción de los atractivos turísticos",
         "Los atractivos turísticos del {amb}", "reciben un mayor número de visitantes",
         "Cuartos noche ocupados|Cuartos noche disponibles|Cuarto noche|ascendente",
         "Visitantes atendidos en módulos de información turística|Visitantes esperados|Persona|F",
         ("Ferias y festivales turísticos realizados|ferias y festivales|realizados|programados|Evento",
          "Campañas de promoción turística difundidas|campañas de promoción|difundidas|programadas|Campaña"),
         ("Capacitación de prestadores de servicios turísticos|prestadores de servicios|capacitados|programados|"
          "Persona",
          "Participación en tianguis y exposiciones turísticas|exposiciones turísticas|atendidas|programadas|"
          "Exposición")),
    )),
    ("ADM", "5", "Oficialía Mayor", "Secretaría de Administración", (
        ("M", "Administración de recursos humanos y materiales", "administración de recursos",
         "Dirección de Recursos Humanos",
         "Las dependencias del {amb} operan con procesos administrativos lentos y personal sin capacitación.",
         "Servidores públicos de la administración pública {adj}",
         "mejorar la eficiencia de la administración pública",
         "la gestión eficiente de los recursos humanos y materiales",
         "Las dependencias de la administración pública {adj}", "disponen oportunamente de los recursos humanos y "
         "materiales que requieren",
         "Trámites internos resueltos en el plazo establecido|Trámites internos recibidos|Trámite|ascendente",
         "Requisiciones de compra surtidas en plazo|Requisiciones de compra recibidas|Requisición|F",
         ("Cursos de capacitación para servidores públicos impartidos|cursos de capacitación|impartidos|"
          "programados|Curso",
          "Procedimientos de adquisición concluidos|procedimientos de adquisición|concluidos|programados|"
          "Procedimiento",
          "Nóminas quincenales pagadas en tiempo|nóminas|pagadas|programadas|Nómina"),
         ("Elaboración del programa anual de adquisiciones|etapas del programa anual de adquisiciones|concluidas|"
          "programadas|Etapa",
          "Mantenimiento preventivo del parque vehicular|servicios de mantenimiento vehicular|realizados|"
          "programados|Servicio",
          "Actualización de expedientes de personal|expedientes de personal|actualizados|@en resguardo|"
          "Expediente")),
        ("M", "Tecnologías de la información y gobierno digital", "gobierno digital",
         "Dirección de Tecnologías de la Información",
         "Los trámites y servicios del {amb} se realizan de forma presencial y con sistemas informáticos "
         "obsoletos.",
         "Ciudadanos usuarios de trámites y servicios {adjp}",
         "acercar los servicios públicos a la ciudadanía", "la digitalización de trámites y servicios",
         "Los ciudadanos del {amb}", "realizan trámites y servicios en línea",
         "Trámites realizados en línea|Trámites realizados|Trámite|ascendente",
         "Trámites disponibles en línea|Trámites inscritos en el catálogo|Trámite|S",
         ("Trámites digitalizados en la plataforma de servicios en línea|trámites|digitalizados|programados|"
          "Trámite",
          "Incidencias de soporte técnico resueltas|incidencias de soporte técnico|resueltas|reportadas|"
          "Incidencia"),
         ("Actualización de equipos de cómputo|equipos de cómputo|actualizados|programados|Equipo",
          "Implementación de la firma electrónica en trámites|trámites con firma electrónica|habilitados|"
          "programados|Trámite")),
    )),
    ("SAY", "5", "Secretaría del Ayuntamiento", "Secretaría General de Gobierno", (
        ("E", "Registro civil", "registro civil", "Oficialía del Registro Civil",
         "La población del {amb} enfrenta tiempos de espera prolongados para obtener actas del estado civil.",
         "Personas que solicitan actos y actas del registro civil",
         "garantizar el derecho a la identidad", "servicios de registro civil oportunos y accesibles",
         "Las personas que acuden al registro civil", "obtienen sus actas y registros el mismo día",
         "Nacimientos registrados en el primer año de vida|Nacimientos ocurridos|Nacimiento|ascendente",
         "Actas expedidas el mismo día de la solicitud|Actas solicitadas|Acta|F",
         ("Actas del estado civil expedidas|actas del estado civil|expedidas|solicitadas|Acta",
          "Campañas de registro extemporáneo realizadas|campañas de registro|realizadas|programadas|Campaña"),
         ("Digitalización de libros del registro civil|libros|digitalizados|programados|Libro",
          "Atención de solicitudes de corrección de actas|solicitudes de corrección|resueltas|recibidas|"
          "Solicitud")),
        ("G", "Gobernación y atención a la ciudadanía", "atención ciudadana", "Dirección de Gobierno",
         "Los conflictos vecinales y las demandas ciudadanas del {amb} no reciben atención oportuna.",
         "Habitantes del {amb}",
         "fortalecer la gobernabilidad y la paz social", "la atención oportuna de las demandas ciudadanas",
         "Las demandas ciudadanas presentadas ante el gobierno", "se resuelven en tiempo",
         "Conflictos sociales resueltos mediante el diálogo|Conflictos sociales registrados|Conflicto|ascendente",
         "Demandas ciudadanas resueltas en plazo|Demandas ciudadanas recibidas|Demanda|F",
         ("Audiencias públicas realizadas|audiencias públicas|realizadas|programadas|Audiencia",
          "Mediaciones de conflictos vecinales concluidas|mediaciones|concluidas|solicitadas|Mediación"),
         ("Recepción de peticiones ciudadanas|peticiones ciudadanas|turnadas|recibidas|Petición",
          "Expedición de constancias de residencia|constancias de residencia|expedidas|solicitadas|Constancia")),
    )),
    ("TRA", "5", "Unidad de Transparencia y Acceso a la Información",
     "Coordinación Estatal de Transparencia y Gobierno Abierto", (
        ("O", "Transparencia y acceso a la información", "transparencia",
         "Coordinación de Solicitudes de Información",
         "La información pública del {amb} no se publica de forma completa ni oportuna.",
         "Personas solicitantes de información pública",
         "consolidar un gobierno abierto y transparente", "el cumplimiento de las obligaciones de transparencia",
         "Las personas solicitantes de información", "obtienen respuesta completa y oportuna",
         "Obligaciones de transparencia cumplidas en la verificación del órgano garante|Obligaciones de "
         "transparencia verificadas|Obligación|ascendente",
         "Solicitudes de información respondidas en plazo|Solicitudes de información recibidas|Solicitud|F",
         ("Solicitudes de acceso a la información atendidas|solicitudes de acceso|atendidas|recibidas|Solicitud",
          "Fracciones de transparencia actualizadas en la plataforma nacional|fracciones de transparencia|"
          "actualizadas|@aplicables|Fracción"),
         ("Capacitación de enlaces de transparencia|enlaces de transparencia|capacitados|programados|Persona",
          "Revisión de la información publicada por las dependencias|formatos de transparencia|revisados|"
          "programados|Formato")),
    )),
    ("CAT", "5", "Dirección de Catastro", "Instituto Registral y Catastral", (
        ("E", "Modernización catastral", "catastro", "Departamento de Cartografía Catastral",
         "El padrón catastral del {amb} está desactualizado y subvalúa los predios.",
         "Predios urbanos y rústicos del {amb}",
         "fortalecer la hacienda pública", "un padrón catastral actualizado y confiable",
         "Los predios del {amb}", "cuentan con registro catastral actualizado",
         "Predios con valor catastral actualizado|Predios registrados en el padrón catastral|Predio|ascendente",
         "Predios con cartografía digital vigente|Predios registrados|Predio|S",
         ("Avalúos catastrales emitidos|avalúos catastrales|emitidos|solicitados|Avalúo",
          "Levantamientos cartográficos realizados|levantamientos cartográficos|realizados|programados|"
          "Levantamiento"),
         ("Verificación de predios en campo|predios|verificados|programados|Predio",
          "Digitalización de expedientes catastrales|expedientes catastrales|digitalizados|programados|"
          "Expediente")),
    )),
    ("COM", "5", "Coordinación de Comunicación Social", "Coordinación General de Comunicación Social", (
        ("M", "Comunicación social e información pública", "comunicación social", "Departamento de Información",
         "La población del {amb} desconoce los programas, trámites y servicios que ofrece el gobierno.",
         "Habitantes del {amb}",
         "fortalecer la comunicación entre el gobierno y la ciudadanía", "la difusión oportuna de programas y "
         "servicios",
         "Los habitantes del {amb}", "conocen los programas y servicios del gobierno",
         "Personas que conocen al menos tres programas del gobierno|Personas encuestadas|Persona|ascendente",
         "Publicaciones con interacción ciudadana|Publicaciones realizadas|Publicación|F",
         ("Boletines informativos publicados|boletines informativos|publicados|programados|Boletín",
          "Campañas institucionales difundidas|campañas institucionales|difundidas|programadas|Campaña"),
         ("Elaboración de reportes de monitoreo de medios|reportes de monitoreo|elaborados|programados|Reporte",
          "Producción de material audiovisual|materiales audiovisuales|producidos|programados|Material")),
    )),
    ("FIS", "4", "Dirección de Fiscalización y Reglamentos",
     "Coordinación Estatal de Verificación Administrativa", (
        ("G", "Regulación del comercio", "regulación comercial", "Departamento de Inspección y Vigilancia",
         "Establecimientos y comercio en vía pública del {amb} operan sin permiso ni apego a los reglamentos.",
         "Establecimientos comerciales y comerciantes en vía pública",
         "propiciar un entorno comercial ordenado y seguro", "la regulación y verificación de la actividad "
         "comercial",
         "Los establecimientos comerciales del {amb}", "operan con permiso vigente",
         "Establecimientos comerciales con permiso vigente|Establecimientos comerciales censados|Establecimiento|"
         "ascendente",
         "Comerciantes en vía pública regularizados|Comerciantes en vía pública censados|Persona|S",
         ("Visitas de verificación a establecimientos realizadas|visitas de verificación|realizadas|programadas|"
          "Visita",
          "Permisos para comercio en vía pública expedidos|permisos|expedidos|solicitados|Permiso"),
         ("Actualización del censo de comercio en vía pública|registros del censo|actualizados|programados|"
          "Registro",
          "Notificación de infracciones a establecimientos|infracciones|notificadas|determinadas|Infracción")),
    )),
)
