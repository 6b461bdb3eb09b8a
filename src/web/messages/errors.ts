/**
 * Spanish (Mexico) for the English error sentences the server produces: field messages (ajv's
 * messages as `src/validation.ts` rewrites them, and every literal field message of the engine,
 * signatures, passwords and routes) and the top-level `detail` of problem responses (including
 * the workflows' refusal reasons in `409 event_not_allowed`).
 *
 * Each rule is a whole-message pattern whose captures (numbers, dates, quoted values, ids) carry
 * over into the translation. A message no rule knows stays in English: the caller shows it as is.
 * Pure: no I/O.
 */
import { domainLabel } from './domain.js';

type Lang = 'en' | 'es';
type Rule = readonly [RegExp, (m: RegExpExecArray) => string];

/** Capture `i` of a match ('' when the group did not take part). */
const g = (m: RegExpExecArray, i: number): string => m[i] ?? '';

const ev = (type: string): string => `«${domainLabel('es', 'event', type)}»`;
const st = (path: string): string => `«${domainLabel('es', 'state', path)}»`;
const wf = (id: string): string => `«${domainLabel('es', 'workflow', id)}»`;
const role = (r: string): string => `«${domainLabel('es', 'role', r)}»`;
const doc = (kind: string): string => `«${domainLabel('es', 'dossier', kind)}»`;
/** A COFEPRIS route after "la vía": ordinaria, abreviada, de equivalencia, de tercero autorizado. */
const route = (r: string): string =>
  r === 'third-party' ? 'de tercero autorizado' : r === 'equivalence' ? 'de equivalencia' : domainLabel('es', 'input', r).toLowerCase();

// ---------------------------------------------------------------------------------------------
// Field messages

/** JSON Schema types as ajv names them in "must be string", "must be object,null". */
const TYPE_ES: Readonly<Record<string, string>> = {
  string: 'un texto',
  number: 'un número',
  integer: 'un número entero',
  boolean: 'verdadero o falso',
  object: 'un objeto',
  array: 'una lista',
  null: 'nulo',
};

/** ajv format names. */
const FORMAT_ES: Readonly<Record<string, string>> = {
  date: 'una fecha válida AAAA-MM-DD',
  'date-time': 'una fecha y hora RFC 3339 válida',
  time: 'una hora válida',
  uuid: 'un identificador UUID',
  uri: 'una URI válida',
  'uri-reference': 'una referencia URI válida',
  email: 'un correo electrónico válido',
  hostname: 'un nombre de host válido',
  ipv4: 'una dirección IPv4',
  ipv6: 'una dirección IPv6',
  regex: 'una expresión regular válida',
};

/** Patterns of the schemas, described in words. */
const PATTERN_ES: Readonly<Record<string, string>> = {
  '^K[0-9]{6}$': 'un número K: la letra K y 6 dígitos (p. ej., K261234)',
  '^DEN[0-9]{6}$': 'un número DEN: DEN y 6 dígitos (p. ej., DEN240001)',
  '^[A-Z]{3}$': 'tres letras mayúsculas (p. ej., LOX)',
  '^21 CFR [0-9]{3}\\.[0-9]{1,5}$': 'una cita de reglamento como «21 CFR 870.5100»',
  '^P[0-9]{6}(/S[0-9]{3})?$': 'un número P: P y 6 dígitos, con sufijo de suplemento opcional (p. ej., P240001 o P240001/S001)',
  '^P[0-9]{6}$': 'un número P: P y 6 dígitos (p. ej., P240001)',
  '^H[0-9]{6}$': 'un número H: H y 6 dígitos (p. ej., H240001)',
  '^Q[0-9]{6}$': 'un número Q: Q y 6 dígitos (p. ej., Q240001)',
  '^(K[0-9]{6}|DEN[0-9]{6}|P[0-9]{6}(/S[0-9]{3})?|H[0-9]{6})$': 'un número K, DEN, P o H de la FDA (p. ej., K261234, DEN240001, P240001, H240001)',
  '\\S': 'al menos un carácter que no sea espacio',
  '^[\\x21-\\x7E]{1,64}$': 'de 1 a 64 caracteres ASCII visibles, sin espacios',
  '^[A-Z][A-Z0-9_]{0,63}$': 'un tipo de evento en mayúsculas (p. ej., SUBMIT)',
  '^[0-9a-f]{64}$': '64 dígitos hexadecimales en minúsculas',
  '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$': 'un identificador UUID en minúsculas',
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]{1,9})?(?:[Zz]|[+-][0-9]{2}:[0-9]{2}))?$':
    'una fecha AAAA-MM-DD o una fecha y hora RFC 3339',
  '^[1-9][0-9]{0,14}$': 'un número entero positivo',
  '^(0|[1-9][0-9]{0,14})$': 'un número entero no negativo',
  '^[Hh][Tt][Tt][Pp][Ss]?://': 'una URL http:// o https://',
};

const COMPARE_ES: Readonly<Record<string, string>> = {
  '>=': 'mayor o igual que',
  '<=': 'menor o igual que',
  '>': 'mayor que',
  '<': 'menor que',
};

function typesEs(list: string): string {
  return list
    .split(',')
    .map((t) => TYPE_ES[t.trim()] ?? t.trim())
    .join(' o ');
}

/**
 * `"traditional", "special"` -> `«Tradicional» ("traditional"), «Especial» ("special")`: the
 * values stay (they are what the API takes), after their Spanish label where there is one.
 */
function allowedValuesEs(list: string): string {
  const values = list.split(', ');
  if (!values.every((v) => /^"(?:[^"\\]|\\.)*"$/.test(v))) return list;
  return values
    .map((quoted) => {
      let value: unknown;
      try {
        value = JSON.parse(quoted);
      } catch {
        return quoted;
      }
      if (typeof value !== 'string') return quoted;
      // An unknown value gets the same humanized fallback in both languages: nothing to add.
      const label = domainLabel('es', 'input', value);
      return label !== value && label !== domainLabel('en', 'input', value) ? `«${label}» (${quoted})` : quoted;
    })
    .join(', ');
}

function count(n: string, one: string, many: string): string {
  return `${n} ${n === '1' ? one : many}`;
}

const FIELD_RULES: readonly Rule[] = [
  // src/validation.ts toFieldError
  [/^is required$/, () => 'es obligatorio'],
  [/^is not a known field$/, () => 'no es un campo reconocido'],
  [/^must be one of (.+)$/s, (m) => `debe ser uno de: ${allowedValuesEs(g(m, 1))}`],
  [/^is invalid$/, () => 'no es válido'],
  // ajv default messages (node_modules/ajv/dist/vocabularies, compile/validate/dataType.js)
  [/^must be ((?:string|number|integer|boolean|object|array|null)(?:,(?:string|number|integer|boolean|object|array|null))*)$/, (m) => `debe ser ${typesEs(g(m, 1))}`],
  [/^must NOT have fewer than 1 characters$/, () => 'no debe estar vacío'],
  [/^must NOT have more than (\d+) characters$/, (m) => `debe tener como máximo ${count(g(m, 1), 'carácter', 'caracteres')}`],
  [/^must NOT have fewer than (\d+) characters$/, (m) => `debe tener al menos ${count(g(m, 1), 'carácter', 'caracteres')}`],
  [/^must NOT have fewer than 1 items$/, () => 'debe tener al menos un elemento'],
  [/^must NOT have more than (\d+) items$/, (m) => `debe tener como máximo ${count(g(m, 1), 'elemento', 'elementos')}`],
  [/^must NOT have fewer than (\d+) items$/, (m) => `debe tener al menos ${count(g(m, 1), 'elemento', 'elementos')}`],
  [/^must NOT have more than (\d+) properties$/, (m) => `debe tener como máximo ${count(g(m, 1), 'campo', 'campos')}`],
  [/^must NOT have fewer than (\d+) properties$/, (m) => `debe tener al menos ${count(g(m, 1), 'campo', 'campos')}`],
  [/^must match format "(.+)"$/, (m) => `debe ser ${FORMAT_ES[g(m, 1)] ?? `un valor con el formato «${g(m, 1)}»`}`],
  [/^must match pattern "(.*)"$/s, (m) => {
    const words = PATTERN_ES[g(m, 1)];
    return words ? `debe ser ${words}` : `debe coincidir con el patrón «${g(m, 1)}»`;
  }],
  [/^must be (>=|<=|>|<) (-?[\d.e+]+)$/, (m) => `debe ser ${COMPARE_ES[g(m, 1)] ?? g(m, 1)} ${g(m, 2)}`],
  [/^must be multiple of (-?[\d.e+]+)$/, (m) => `debe ser múltiplo de ${g(m, 1)}`],
  [/^must be equal to constant$/, () => 'debe ser igual al valor fijo que exige el esquema'],
  [/^must be equal to one of the allowed values$/, () => 'debe ser uno de los valores permitidos'],
  [/^must NOT have additional properties$/, () => 'no debe tener campos adicionales'],
  [/^must NOT have unevaluated properties$/, () => 'no debe tener campos adicionales'],
  [/^must have required property '(.+)'$/, (m) => `debe tener el campo obligatorio «${g(m, 1)}»`],
  [/^must NOT have duplicate items \(items ## (\d+) and (\d+) are identical\)$/, (m) => `no debe tener elementos repetidos (los elementos n.º ${g(m, 1)} y ${g(m, 2)} son idénticos)`],
  [/^must match "(then|else)" schema$/, (m) => `no cumple una regla que depende de otros campos (rama «${g(m, 1)}» del esquema)`],
  [/^must match exactly one schema in oneOf$/, () => 'debe coincidir exactamente con una de las formas admitidas'],
  [/^must match a schema in anyOf$/, () => 'debe coincidir con al menos una de las formas admitidas'],
  [/^must NOT be valid$/, () => 'no se admite en este caso'],
  [/^boolean schema is false$/, () => 'aquí no se admite ningún valor'],
  [/^property name must be valid$/, () => 'el nombre del campo no es válido'],
  [/^must contain at least (\d+) valid item\(s\)$/, (m) => `debe contener al menos ${count(g(m, 1), 'elemento válido', 'elementos válidos')}`],
  [/^must contain at least (\d+) and no more than (\d+) valid item\(s\)$/, (m) => `debe contener entre ${g(m, 1)} y ${g(m, 2)} elementos válidos`],
  [/^must have propert(?:y|ies) (.+) when property (.+) is present$/, (m) => `debe tener ${g(m, 1)} cuando está presente ${g(m, 2)}`],
  [/^must pass "(.+)" keyword validation$/, (m) => `no cumple la validación «${g(m, 1)}»`],
  // src/validation.ts checkJsonText
  [/^must be well-formed Unicode without U\+0000$/, () => 'debe ser Unicode bien formado, sin U+0000'],
  [/^nesting deeper than (\d+) levels$/, (m) => `anidamiento de más de ${g(m, 1)} niveles`],
  // src/engine/passwords.ts
  [/^must have at least (\d+) characters$/, (m) => `debe tener al menos ${count(g(m, 1), 'carácter', 'caracteres')}`],
  [/^must have at most (\d+) characters$/, (m) => `debe tener como máximo ${count(g(m, 1), 'carácter', 'caracteres')}`],
  [/^must mix at least (\d+) of: lowercase letters, uppercase letters, digits, other characters$/, (m) => `debe combinar al menos ${g(m, 1)} de: minúsculas, mayúsculas, dígitos, otros caracteres`],
  [/^must not begin or end with white space$/, () => 'no debe empezar ni terminar con espacios'],
  [/^must not contain control characters$/, () => 'no debe contener caracteres de control'],
  [/^must not be the user's name$/, () => 'no debe ser el nombre del usuario'],
  // src/errors.ts and src/engine/signatures.ts
  [/^is not your password$/, () => 'no es su contraseña'],
  [/^signing is locked for this user until an administrator unlocks it$/, () => 'la firma está bloqueada para este usuario hasta que un administrador la desbloquee'],
  [/^set a password first \(POST \/v1\/me\/password\)$/, () => 'primero establezca una contraseña (POST /v1/me/password)'],
  [/^is required: you already have a password$/, () => 'es obligatoria: usted ya tiene una contraseña'],
  [/^must differ from the current password$/, () => 'debe ser distinta de la contraseña actual'],
  [/^must be absent: you have no password yet$/, () => 'debe omitirse: usted aún no tiene contraseña'],
  [/^Idempotency-Key header reused with a different method, path or body$/, () => 'encabezado Idempotency-Key reutilizado con otro método, ruta o cuerpo'],
  // src/engine/engine.ts
  [/^must be an RFC 3339 date-time with offset, or YYYY-MM-DD$/, () => 'debe ser una fecha y hora RFC 3339 con desfase horario, o una fecha AAAA-MM-DD'],
  [/^must be an RFC 3339 date-time with offset \(seconds 00-59\), or YYYY-MM-DD$/, () => 'debe ser una fecha y hora RFC 3339 con desfase horario (segundos 00-59), o una fecha AAAA-MM-DD'],
  [/^must not be after the server time (.+)$/, (m) => `no debe ser posterior a la hora del servidor (${g(m, 1)})`],
  [/^must not be before the previous regulatory event \((.+)\)$/, (m) => `no debe ser anterior al evento regulatorio previo (${g(m, 1)})`],
  [/^is required for this event: (.+)$/s, (m) => `es obligatoria para este paso: ${g(m, 1)}`],
  [/^must be absent for the system actor$/, () => 'debe omitirse para el actor del sistema'],
  [/^is not a workflow id of GET \/v1\/workflows$/, () => 'no es un id de vía de GET /v1/workflows'],
  [/^must name an fda-\* submission of your organization$/, () => 'debe indicar un trámite fda-* de su organización'],
  [/^must name a (.+) submission of your organization$/, (m) => `debe indicar un trámite ${g(m, 1)} de su organización`],
  [/^must be a version of (.+)$/, (m) => `debe ser una versión de ${g(m, 1)}`],
  [/^must differ from --from$/, () => 'debe ser distinta de --from'],
  [/^must be a real calendar date YYYY-MM-DD$/, () => 'debe ser una fecha de calendario real AAAA-MM-DD'],
  [/^is not a cursor returned by this endpoint with the same sort$/, () => 'no es un cursor devuelto por este endpoint con el mismo orden'],
  [/^is not a cursor returned by this endpoint$/, () => 'no es un cursor devuelto por este endpoint'],
  [/^the request body must hold the document bytes$/, () => 'el cuerpo de la solicitud debe contener los bytes del documento'],
  // src/http
  [/^malformed request$/, () => 'solicitud mal formada'],
  [/^unsupported character$/, () => 'carácter no admitido'],
  [/^must be a positive integer$/, () => 'debe ser un número entero positivo'],
  [/^Content-Type must be application\/json$/, () => 'Content-Type debe ser application/json'],
  [/^must be a quoted version number, e\.g\. "(\d+)"$/, (m) => `debe ser un número de versión entre comillas, p. ej., "${g(m, 1)}"`],
  [/^must be 1-255 visible ASCII characters$/, () => 'debe tener de 1 a 255 caracteres ASCII visibles'],
  [/^URL must not contain %00$/, () => 'la URL no debe contener %00'],
  // src/webhooks/subscriptions.ts
  [/^is not a valid URL$/, () => 'no es una URL válida'],
  [/^must be an http: or https: URL$/, () => 'debe ser una URL http: o https:'],
  [/^must name a host$/, () => 'debe indicar un host'],
  [/^an empty list delivers nothing unless deadlineWarningDays is set$/, () => 'una lista vacía no entrega nada, salvo que se indique deadlineWarningDays'],
  [/^is not a known organization id$/, () => 'no es un id de organización conocido'],
];

// ---------------------------------------------------------------------------------------------
// Refusal reasons (workflows' explainRefusal, joined with "; " in a 409 detail)

/** `K261234 (fda-510k 0193…)`, `submission 0193…`, `K123456 (external FDA decision)`. */
function referenceLabel(label: string): string {
  let m = /^submission (\S+)$/.exec(label);
  if (m) return `trámite ${g(m, 1)}`;
  m = /^(.*) \(external (\S+) decision\)$/.exec(label);
  if (m) return `${g(m, 1)} (decisión externa de ${g(m, 2)})`;
  return label;
}

/** `ReferenceFacts.status`: why a reference is (not) favourable. */
function referenceStatus(status: string): string {
  let m = /^decision (.+) of (.+)$/.exec(status);
  if (m) return `decisión ${g(m, 1)} del ${g(m, 2)}`;
  m = /^it is in state (\S+)$/.exec(status);
  if (m) return `está en el estado ${st(g(m, 1))}`;
  m = /^the decision is (.+)$/.exec(status);
  if (m) return `la decisión es ${g(m, 1)}`;
  if (status === 'it does not exist') return 'no existe';
  return status;
}

const REASON_SOURCES: ReadonlyArray<readonly [string, (m: RegExpExecArray) => string]> = [
  // cofepris-registration (v1, v2)
  ['the reference authorization could not be checked', () => 'no se pudo verificar la autorización de referencia'],
  [
    'the reference (.+?) has no favourable (\\S+) decision \\((.+?)\\)',
    (m) => `la referencia ${referenceLabel(g(m, 1))} no tiene una decisión favorable de ${g(m, 2)} (${referenceStatus(g(m, 3))})`,
  ],
  [
    'the external reference (.+?) must be backed by an uploaded document of kind (\\S+)',
    (m) => `la referencia externa ${referenceLabel(g(m, 1))} debe respaldarse con un documento cargado del tipo ${doc(g(m, 2))}`,
  ],
  ['the decision date of the reference (.+?) is unknown', (m) => `se desconoce la fecha de la decisión de la referencia ${referenceLabel(g(m, 1))}`],
  [
    'the reference (.+?) was decided on (\\S+), more than (\\d+) years before (\\S+)',
    (m) => `la referencia ${referenceLabel(g(m, 1))} se resolvió el ${g(m, 2)}, más de ${g(m, 3)} años antes del ${g(m, 4)}`,
  ],
  [
    'the abbreviated route applies to applications from (\\S+); this one is dated (\\S+)',
    (m) => `la vía abreviada se aplica a solicitudes a partir del ${g(m, 1)}; esta tiene fecha ${g(m, 2)}`,
  ],
  ['the dossier could not be checked', () => 'no se pudo verificar el expediente'],
  [
    'the dossier is incomplete; missing: (.+?)',
    (m) => `el expediente está incompleto; faltan: ${g(m, 1).split(', ').map(doc).join(', ')}`,
  ],
  [
    'the equivalence acuerdos recognise FDA, HealthCanada and PMDA decisions, not (.+?)',
    (m) => `los acuerdos de equivalencia reconocen decisiones de la FDA, Health Canada y PMDA, no de ${g(m, 1)}`,
  ],
  [
    'the equivalence acuerdos recognise (\\S+) devices of class (.+?) only; the reference is class (.+?)',
    (m) => `los acuerdos de equivalencia solo reconocen dispositivos de ${g(m, 1)} de clase ${g(m, 2)}; la referencia es de clase ${g(m, 3) === 'unknown' ? 'desconocida' : g(m, 3)}`,
  ],
  [
    '(\\S+) is not a reference authority of the abbreviated route \\(accepted: (.+?)\\)',
    (m) => `${g(m, 1)} no es una autoridad de referencia de la vía abreviada (se aceptan: ${g(m, 2)})`,
  ],
  [
    'the abbreviated route requires the device to be identical to the one the reference authorized \\(identicalDevice\\)',
    () => 'la vía abreviada exige que el dispositivo sea idéntico al que autorizó la referencia (identicalDevice)',
  ],
  [
    'the reference (.+?) is an extraordinary \\((\\S+)\\) authorization; the abbreviated route requires an ordinary one',
    (m) => `la referencia ${referenceLabel(g(m, 1))} es una autorización extraordinaria (${domainLabel('es', 'input', g(m, 2)).toLowerCase()}); la vía abreviada exige una ordinaria`,
  ],
  [
    "on the third-party route the authorized third party's favourable report comes first \\(SEND_TO_TPR, then TPR_FAVORABLE_REPORT\\)",
    () => `en la vía de tercero autorizado primero se requiere el informe favorable del tercero (${ev('SEND_TO_TPR')}, luego ${ev('TPR_FAVORABLE_REPORT')})`,
  ],
  [
    "the third party's technical report must be uploaded first as a document of kind (\\S+)",
    (m) => `primero debe cargarse el informe técnico del tercero autorizado como documento del tipo ${doc(g(m, 1))}`,
  ],
  [
    'SEND_TO_TPR is for the third-party route; this registration is on the (\\S+) route',
    (m) => `${ev('SEND_TO_TPR')} es para la vía de tercero autorizado; este registro va por la vía ${route(g(m, 1))}`,
  ],
  ['the reference decision this registration relies on was invalidated', () => 'la decisión de referencia en que se apoya este registro fue invalidada'],
  ['the reference FDA decision this registration relies on was invalidated', () => 'la decisión de la FDA en que se apoya este registro fue invalidada'],
  ['the (\\S+) route relies on no reference authorization', (m) => `la vía ${route(g(m, 1))} no se apoya en ninguna autorización de referencia`],
  [
    'the registration expired on (\\S+); a prórroga must be filed before that date \\(LGS art\\. 376\\)',
    (m) => `el registro sanitario venció el ${g(m, 1)}; la prórroga debe solicitarse antes de esa fecha (LGS art. 376)`,
  ],
  ['the registration is valid until (\\S+)', (m) => `el registro sanitario es válido hasta el ${g(m, 1)}`],
  // fda-breakthrough
  ['submission (\\S+) could not be checked', (m) => `no se pudo verificar el trámite ${g(m, 1)}`],
  ['there is no submission (\\S+) you can see', (m) => `no existe ningún trámite ${g(m, 1)} que usted pueda ver`],
  ['submission (\\S+) belongs to another organization', (m) => `el trámite ${g(m, 1)} pertenece a otra organización`],
  [
    'submission (\\S+) is a (\\S+) submission; only (.+?) submissions can be prioritized',
    (m) => `el trámite ${g(m, 1)} es de la vía ${g(m, 2) === 'unknown' ? 'desconocida' : wf(g(m, 2))}; solo pueden priorizarse trámites ${g(m, 3)}`,
  ],
  ['submission (\\S+) is already linked', (m) => `el trámite ${g(m, 1)} ya está vinculado`],
  // fda-de-novo
  [
    'no Additional Information request is on record, so there is no AI response to find incomplete',
    () => 'no hay ninguna solicitud de información adicional registrada, así que no hay respuesta que declarar incompleta',
  ],
  // fda-hde
  ['the estimated annual US population is missing', () => 'falta la población anual estimada en EE. UU.'],
  [
    'a HUD serves at most (\\d+) individuals in the US per year \\(21st Century Cures Act §3052\\); this request estimates (\\d+)',
    (m) => `un HUD atiende como máximo a ${g(m, 1)} personas al año en EE. UU. (21st Century Cures Act §3052); esta solicitud estima ${g(m, 2)}`,
  ],
  // fda-pma
  ['the approval order must carry the PMA number', () => 'la orden de aprobación debe llevar el número de PMA'],
  [
    'an original PMA is approved under its P-number without a supplement suffix, not (\\S+)',
    (m) => `una PMA original se aprueba con su número P sin sufijo de suplemento, no ${g(m, 1)}`,
  ],
  ['this resubmitted PMA carries (\\S+), not (\\S+)', (m) => `esta PMA presentada de nuevo lleva el número ${g(m, 1)}, no ${g(m, 2)}`],
  [
    'a (\\S+) supplement is approved under a supplement number like (\\S+), not (\\S+)',
    (m) => `un suplemento ${domainLabel('es', 'input', g(m, 1)).toLowerCase()} se aprueba con un número de suplemento como ${g(m, 2)}, no ${g(m, 3)}`,
  ],
  [
    '(\\S+) is a supplement to (\\S+), but this supplement changes (\\S+)',
    (m) => `${g(m, 1)} es un suplemento de ${g(m, 2)}, pero este suplemento modifica ${g(m, 3)}`,
  ],
  [
    'there is no Major Deficiency Letter for real-time supplements; issue a not approvable letter or a denial instead',
    () => 'no existe carta de deficiencias mayores (MDL) para suplementos en tiempo real; emita en su lugar una carta de no aprobable o una denegación',
  ],
  // fda-presub
  [
    'the sponsor did not request a meeting \\(input meetingRequested is false\\)',
    () => 'el patrocinador no solicitó una reunión (el dato meetingRequested es falso)',
  ],
];

const REASON_RULES: readonly Rule[] = REASON_SOURCES.map(([source, fn]) => [new RegExp(`^(?:${source})(?=; |$)`, 's'), fn] as const);

/**
 * Translates a "; "-joined list of refusal reasons. Reasons may hold "; " themselves, so each is
 * matched from the current position up to a "; " or the end; one no rule knows stays in English
 * up to the next "; ".
 */
function translateReasons(text: string): string {
  const out: string[] = [];
  let rest = text;
  while (rest.length > 0) {
    let done = false;
    for (const [re, fn] of REASON_RULES) {
      const m = re.exec(rest);
      if (m) {
        out.push(fn(m));
        rest = rest.slice(m[0].length);
        done = true;
        break;
      }
    }
    if (!done) {
      const cut = rest.indexOf('; ');
      out.push(cut < 0 ? rest : rest.slice(0, cut));
      rest = cut < 0 ? '' : rest.slice(cut);
    }
    if (rest.startsWith('; ')) rest = rest.slice(2);
  }
  return out.join('; ');
}

// ---------------------------------------------------------------------------------------------
// Details

const WHAT_ES: readonly Rule[] = [
  [/^The request$/, () => 'La solicitud no es válida'],
  [/^The data of (\S+)$/, (m) => `Los datos de ${ev(g(m, 1))} no son válidos`],
  [/^The input of (\S+)$/, (m) => `Los datos de entrada de ${wf(g(m, 1))} no son válidos`],
  [/^The query string$/, () => 'La cadena de consulta no es válida'],
  [/^The configuration$/, () => 'La configuración no es válida'],
  [/^The webhook subscription$/, () => 'La suscripción de webhook no es válida'],
];

/** `"/data/kNumber is required"`: a pointer (possibly holding spaces) and a field message. */
function translatePointerAndMessage(tail: string): string | undefined {
  for (let i = tail.indexOf(' '); i >= 0; i = tail.indexOf(' ', i + 1)) {
    const message = applyRules(FIELD_RULES, tail.slice(i + 1));
    if (message !== undefined) return `${tail.slice(0, i)} ${message}`;
  }
  return undefined;
}

function rolesEs(list: string): string {
  return list
    .split(', ')
    .map((r) => domainLabel('es', 'role', r))
    .join(', ');
}

const CLASS_WORDS_ES: Readonly<Record<string, string>> = {
  'class I': 'clase I',
  'class II': 'clase II',
  'class III': 'clase III',
  unclassified: 'sin clasificar',
  'not classified': 'no clasificado',
  'a humanitarian use device (HDE)': 'un dispositivo de uso humanitario (HDE)',
};

/** `class II (21 CFR 870.5100)` as src/reference/product-classification.ts writes it. */
function classificationEs(text: string): string {
  const m = /^(class I{1,3}|unclassified|not classified|a humanitarian use device \(HDE\))(.*)$/.exec(text);
  return m ? `${CLASS_WORDS_ES[g(m, 1)] ?? g(m, 1)}${g(m, 2)}` : text;
}

const DETAIL_RULES: readonly Rule[] = [
  // src/validation.ts Validator.check: "<what> is invalid: <pointer> <message>"
  [/^(The request|The data of \S+|The input of \S+|The query string|The configuration|The webhook subscription) is invalid(?:: (.+))?$/s, (m) => {
    const what = applyRules(WHAT_ES, g(m, 1)) ?? g(m, 1);
    if (m[2] === undefined) return what;
    return `${what}: ${translatePointerAndMessage(g(m, 2)) ?? g(m, 2)}`;
  }],
  [/^A string holds a NUL character or a lone surrogate$/, () => 'Un texto contiene un carácter NUL o un sustituto (surrogate) aislado'],
  [/^A key holds a NUL character or a lone surrogate$/, () => 'Un nombre de campo contiene un carácter NUL o un sustituto (surrogate) aislado'],
  [/^The body is nested deeper than (\d+) levels$/, (m) => `El cuerpo tiene más de ${g(m, 1)} niveles de anidamiento`],
  // src/errors.ts
  [/^If-Match names version (\d+) but the submission is at version (\d+)$/, (m) => `If-Match indica la versión ${g(m, 1)}, pero el trámite está en la versión ${g(m, 2)}`],
  [/^This Idempotency-Key was already used for a different request$/, () => 'Esta Idempotency-Key ya se usó para otra solicitud'],
  [/^Not found$/, () => 'No encontrado'],
  [/^A valid bearer token is required$/, () => 'Se requiere un token bearer válido'],
  // src/engine/signatures.ts
  [/^No user (\S+)$/, (m) => `No existe el usuario ${g(m, 1)}`],
  [
    /^Signing is locked for this user since (\S+) after (\d+) consecutive wrong passwords; an administrator must unlock it$/,
    (m) => `La firma está bloqueada para este usuario desde ${g(m, 1)}, tras ${g(m, 2)} contraseñas incorrectas consecutivas; un administrador debe desbloquearla`,
  ],
  [
    /^Signing is locked for this user since (\S+); an administrator must unlock it \(and may set a new password\)$/,
    (m) => `La firma está bloqueada para este usuario desde ${g(m, 1)}; un administrador debe desbloquearla (y puede asignar una contraseña nueva)`,
  ],
  [/^You have no password to sign with$/, () => 'Usted no tiene contraseña con la cual firmar'],
  [
    /^The password is wrong; after (\d+) consecutive wrong passwords signing is now locked until an administrator unlocks it$/,
    (m) => `La contraseña es incorrecta; tras ${g(m, 1)} contraseñas incorrectas consecutivas, la firma queda bloqueada hasta que un administrador la desbloquee`,
  ],
  [
    /^The password is wrong \((\d+) of (\d+) consecutive failures before signing is locked\)$/,
    (m) => `La contraseña es incorrecta (${g(m, 1)} de ${g(m, 2)} fallas consecutivas antes de que se bloquee la firma)`,
  ],
  [/^The password does not meet the password rules$/, () => 'La contraseña no cumple las reglas de contraseñas'],
  [/^The system actor has no password$/, () => 'El actor del sistema no tiene contraseña'],
  [/^Give your current password to change it$/, () => 'Indique su contraseña actual para cambiarla'],
  [/^The new password is the current one$/, () => 'La contraseña nueva es igual a la actual'],
  [/^You have no password yet$/, () => 'Usted aún no tiene contraseña'],
  [/^Only admins unlock signing, not role (\S+)$/, (m) => `Solo los administradores desbloquean la firma, no el rol ${role(g(m, 1))}`],
  // src/engine/engine.ts
  [/^No submission (\S+)$/, (m) => `No existe el trámite ${g(m, 1)}`],
  [
    /^The submission changed (\d+) times while this command ran; read it again and retry$/,
    (m) => `El trámite cambió ${g(m, 1)} veces mientras se ejecutaba esta acción; vuelva a cargarlo e intente de nuevo`,
  ],
  [/^effectiveAt is not a date$/, () => 'La fecha efectiva (effectiveAt) no es una fecha'],
  [/^effectiveAt is in the future$/, () => 'La fecha efectiva (effectiveAt) está en el futuro'],
  [/^effectiveAt is before the previous regulatory event$/, () => 'La fecha efectiva (effectiveAt) es anterior al evento regulatorio previo'],
  [/^Unknown event (\S+) for (\S+?)@(\d+)$/, (m) => `El paso ${g(m, 1)} no existe en ${wf(g(m, 2))} (versión ${g(m, 3)})`],
  [
    /^(\S+) may be sent by only puente itself \(the system actor\), not by role (\S+)$/,
    (m) => `${ev(g(m, 1))} solo lo registra puente mismo (el actor del sistema), no el rol ${role(g(m, 2))}`,
  ],
  [/^(\S+) may be sent by only (.+), not by role (\S+)$/, (m) => `${ev(g(m, 1))} solo lo puede registrar: ${rolesEs(g(m, 2))}; no el rol ${role(g(m, 3))}`],
  [/^(\S+) is refused in state (\S+): (.+)$/s, (m) => `${ev(g(m, 1))} se rechaza en el estado ${st(g(m, 2))}: ${translateReasons(g(m, 3))}`],
  [/^(\S+) is not allowed in state (\S+) of (\S+)$/, (m) => `${ev(g(m, 1))} no está permitido en el estado ${st(g(m, 2))} de ${wf(g(m, 3))}`],
  [
    /^(\S+) must be signed: send signature \{ meaning, password \} \(21 CFR 11\.50, 11\.200\)$/,
    (m) => `${ev(g(m, 1))} requiere firma electrónica: indique su significado y su contraseña (21 CFR 11.50, 11.200)`,
  ],
  [/^The system actor does not sign$/, () => 'El actor del sistema no firma'],
  [/^Unknown workflow (.+)$/, (m) => `Vía desconocida: ${g(m, 1)}`],
  [/^Only manufacturers create submissions, not role (\S+)$/, (m) => `Solo los fabricantes crean trámites, no el rol ${role(g(m, 1))}`],
  [/^The reference submission is not an FDA submission of your organization$/, () => 'El trámite de referencia no es un trámite ante la FDA de su organización'],
  [/^The linked submission is not one this workflow can name$/, () => 'El trámite vinculado no es uno que esta vía pueda indicar'],
  [/^A migration stays within one workflow$/, () => 'Una migración no puede cambiar de vía'],
  [/^Nothing to migrate: same version$/, () => 'No hay nada que migrar: es la misma versión'],
  [/^dueBefore is not a date$/, () => 'dueBefore no es una fecha'],
  [/^The cursor is invalid$/, () => 'El cursor no es válido'],
  [/^The document is empty$/, () => 'El documento está vacío'],
  [/^Role (\S+) may not add documents to this submission$/, (m) => `El rol ${role(g(m, 1))} no puede agregar documentos a este trámite`],
  [/^No document (\S+) in submission (\S+)$/, (m) => `No existe el documento ${g(m, 1)} en el trámite ${g(m, 2)}`],
  [
    /^Document (\S+) failed its SHA-256 check; the stored bytes differ from what was uploaded$/,
    (m) => `El documento ${g(m, 1)} no pasó la verificación SHA-256; los bytes almacenados difieren de los que se cargaron`,
  ],
  // src/reference/product-classification.ts (refusal: detail and field message)
  [
    /^A 510\(k\) cannot be used for product code (.+?): FDA classifies it as (.+) and its premarket pathway is PMA\. Use the PMA workflow \(fda-pma\) instead, or check the product code\.$/s,
    (m) => `No se puede usar un 510(k) para el código de producto ${g(m, 1)}: la FDA lo clasifica como ${classificationEs(g(m, 2))} y su vía previa a la comercialización es la PMA. Use la vía PMA (fda-pma) o revise el código de producto.`,
  ],
  [
    /^A 510\(k\) cannot be used for product code (.+?): FDA lists it as a humanitarian use device and its premarket pathway is HDE\. Use the HDE workflow \(fda-hde\) instead, or check the product code\.$/s,
    (m) => `No se puede usar un 510(k) para el código de producto ${g(m, 1)}: la FDA lo registra como dispositivo de uso humanitario y su vía previa a la comercialización es la HDE. Use la vía HDE (fda-hde) o revise el código de producto.`,
  ],
  [
    /^Product code (\S+) is not in the FDA product classification file this server uses \((\d+) codes\)\. Check the code; a code FDA created after the file was downloaded is also missing until the file is updated\.$/,
    (m) => `El código de producto ${g(m, 1)} no está en el archivo de clasificación de productos de la FDA que usa este servidor (${g(m, 2)} códigos). Revise el código; un código que la FDA creó después de descargar el archivo también falta hasta que se actualice.`,
  ],
  // src/http
  [/^Too many failed authentications from this address$/, () => 'Demasiadas autenticaciones fallidas desde esta dirección'],
  [/^The Authorization header must be "Bearer <token>"$/, () => 'El encabezado Authorization debe ser "Bearer <token>"'],
  [/^Missing Authorization: Bearer <token>$/, () => 'Falta el encabezado Authorization: Bearer <token>'],
  [/^Unknown or disabled token$/, () => 'Token desconocido o deshabilitado'],
  [/^Unknown query parameter (.+)$/, (m) => `Parámetro de consulta desconocido: ${g(m, 1)}`],
  [/^No checkpoint has been made yet$/, () => 'Aún no se ha firmado ningún punto de control'],
  [/^No history record (\S+) in the log$/, (m) => `No existe el registro ${g(m, 1)} en el log`],
  [/^No workflow (\S+?)@(\S+)$/, (m) => `No existe la vía ${g(m, 1)} en la versión ${g(m, 2)}`],
  [/^No workflow (\S+)$/, (m) => `No existe la vía ${g(m, 1)}`],
  [/^version must be a positive integer$/, () => 'version debe ser un número entero positivo'],
  [/^Send the body as JSON with Content-Type: application\/json$/, () => 'Envíe el cuerpo como JSON con Content-Type: application/json'],
  [/^If-Match must be a version ETag such as "(\d+)"$/, (m) => `If-Match debe ser un ETag de versión, como "${g(m, 1)}"`],
  [/^Idempotency-Key must be 1-255 visible ASCII characters$/, () => 'Idempotency-Key debe tener de 1 a 255 caracteres ASCII visibles'],
  [/^The request body is not valid JSON$/, () => 'El cuerpo de la solicitud no es JSON válido'],
  [/^The request body is larger than the limit of (\S+) bytes$/, (m) => `El cuerpo de la solicitud excede el límite de ${g(m, 1)} bytes`],
  [/^The request body encoding or charset is not supported$/, () => 'No se admite la codificación o el juego de caracteres del cuerpo de la solicitud'],
  [/^The request body could not be read$/, () => 'No se pudo leer el cuerpo de la solicitud'],
  [/^The request could not be understood$/, () => 'No se pudo entender la solicitud'],
  [/^The request holds characters the database cannot store$/, () => 'La solicitud contiene caracteres que la base de datos no puede almacenar'],
  [/^The database is busy; retry shortly$/, () => 'La base de datos está ocupada; intente de nuevo en un momento'],
  [/^Internal error; quote request id (\S+) to the operator$/, (m) => `Error interno; indique al operador el id de solicitud ${g(m, 1)}`],
  [/^The URL holds a NUL character \(%00\)$/, () => 'La URL contiene un carácter NUL (%00)'],
  [/^No route (\S+) (.+)$/, (m) => `No existe la ruta ${g(m, 1)} ${g(m, 2)}`],
  // src/audit
  [/^(\S+) is not a date or date-time$/, (m) => `${g(m, 1)} no es una fecha ni una fecha y hora`],
  [/^The audit endpoints are for auditors and admins, not role (\S+)$/, (m) => `Las funciones de auditoría son para auditores y administradores, no para el rol ${role(g(m, 1))}`],
  [/^the log has no node (.+)$/, (m) => `el log no tiene el nodo ${g(m, 1)}`],
  [/^the log holds (\d+) records; (treeSize|to) (\d+) is beyond it$/, (m) => `el log tiene ${g(m, 1)} registros; ${g(m, 2)} ${g(m, 3)} queda fuera de él`],
  [/^record (\d+) is not in the first (\d+) records of the log$/, (m) => `el registro ${g(m, 1)} no está entre los primeros ${g(m, 2)} registros del log`],
  [/^from must not be greater than to$/, () => 'from no debe ser mayor que to'],
  [/^Role (\S+) may not make a checkpoint$/, (m) => `El rol ${role(g(m, 1))} no puede crear un punto de control`],
  [/^Role (\S+) may not read (checkpoints|proofs)$/, (m) => `El rol ${role(g(m, 1))} no puede leer ${g(m, 2) === 'proofs' ? 'pruebas' : 'puntos de control'}`],
  // src/webhooks/subscriptions.ts
  [/^Only manufacturers and admins have webhook subscriptions, not role (\S+)$/, (m) => `Solo los fabricantes y administradores tienen suscripciones de webhook, no el rol ${role(g(m, 1))}`],
  [/^No webhook subscription (\S+)$/, (m) => `No existe la suscripción de webhook ${g(m, 1)}`],
  [/^Manufacturers subscribe to their own organization only$/, () => 'Los fabricantes solo se suscriben a su propia organización'],
  [/^No organization (\S+)$/, (m) => `No existe la organización ${g(m, 1)}`],
];

function applyRules(rules: readonly Rule[], text: string): string | undefined {
  for (const [re, fn] of rules) {
    const m = re.exec(text);
    if (m) return fn(m);
  }
  return undefined;
}

/** A field error's message (`FieldError.message`) in `lang`; unknown ones stay in English. */
export function translateFieldMessage(lang: Lang, message: string): string {
  if (lang !== 'es') return message;
  return applyRules(FIELD_RULES, message) ?? applyRules(DETAIL_RULES, message) ?? message;
}

/** A problem's `detail` in `lang`; unknown ones stay in English. */
export function translateDetail(lang: Lang, detail: string): string {
  if (lang !== 'es') return detail;
  return applyRules(DETAIL_RULES, detail) ?? applyRules(FIELD_RULES, detail) ?? detail;
}
