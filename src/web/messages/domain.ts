/**
 * Workflow vocabulary in English and Spanish (Mexico, as COFEPRIS writes it): event types, state
 * nodes, payload and input fields, dossier kinds, goals, deadlines, workflows, roles, signature
 * meanings, statuses, jurisdictions, goal statuses and input enum values.
 *
 * Plain tables a translator can review. Pure data: no I/O, no import of the workflow catalog
 * (`tests/unit/web-messages.test.ts` checks that every word the catalog uses has an entry here).
 * An id missing from a table gets a readable fallback (the id humanized), never an exception.
 */

export type DomainKind =
  'event' | 'state' | 'field' | 'dossier' | 'goal' | 'deadline' | 'workflow' | 'role' | 'meaning' | 'status' | 'jurisdiction' | 'goalStatus' | 'input';

type Label = { readonly en: string; readonly es: string };
type Table = Readonly<Record<string, Label>>;

/** Event types: short, action-like labels for buttons and history rows. */
const EVENTS: Table = {
  // Shared and FDA 510(k)
  SUBMIT: { en: 'Submit', es: 'Presentar' },
  FEE_VERIFIED: { en: 'Confirm user fee paid and submission valid', es: 'Confirmar pago de la tarifa de usuario y validez de la solicitud' },
  FEE_UNPAID: { en: 'Put on user-fee hold (fee not received)', es: 'Suspender por falta de pago de la tarifa de usuario' },
  FEE_PAID: { en: 'Record user fee paid', es: 'Registrar el pago de la tarifa de usuario' },
  SCREEN_PASS: { en: 'Pass eSTAR technical screening', es: 'Aprobar la revisión técnica preliminar del eSTAR' },
  SCREEN_FAIL: { en: 'Fail eSTAR technical screening (incomplete)', es: 'No aprobar la revisión técnica preliminar del eSTAR (incompleto)' },
  REPLACEMENT_SUBMITTED: { en: 'Submit replacement eSTAR', es: 'Presentar eSTAR de reemplazo' },
  ACCEPT: { en: 'Accept (acceptance review passed)', es: 'Aceptar (revisión de aceptación aprobada)' },
  REFUSE_TO_ACCEPT: { en: 'Refuse to accept (RTA)', es: 'Rechazar la aceptación (RTA)' },
  RTA_RESPONSE: { en: 'Respond to the refusal to accept (RTA)', es: 'Responder al rechazo de aceptación (RTA)' },
  RTA_TIMEOUT: { en: 'RTA response period expired', es: 'Venció el plazo de respuesta al rechazo de aceptación (RTA)' },
  SUBSTANTIVE_INTERACTION: { en: 'Send Substantive Interaction', es: 'Enviar la interacción sustantiva (Substantive Interaction)' },
  REQUEST_AI: { en: 'Request additional information (AI hold)', es: 'Solicitar información adicional (AI hold)' },
  AI_RESPONSE: { en: 'Respond to the additional information request', es: 'Responder a la solicitud de información adicional' },
  AI_TIMEOUT: { en: 'Additional information response period expired', es: 'Venció el plazo de respuesta a la información adicional' },
  DECIDE_SE: { en: 'Decide: substantially equivalent', es: 'Decidir: sustancialmente equivalente' },
  DECIDE_NSE: { en: 'Decide: not substantially equivalent', es: 'Decidir: no sustancialmente equivalente' },
  WITHDRAW: { en: 'Withdraw', es: 'Retirar la solicitud' },
  RESCIND_SE: { en: 'Rescind the SE decision', es: 'Rescindir la decisión SE' },
  // De Novo
  SCREENING_TIMEOUT: { en: 'Technical screening period expired', es: 'Venció el plazo de la revisión técnica preliminar' },
  ESTAR_HOLD_TIMEOUT: { en: 'Replacement eSTAR period expired', es: 'Venció el plazo para presentar el eSTAR de reemplazo' },
  ACCEPTANCE_TIMEOUT: { en: 'Acceptance review period expired', es: 'Venció el plazo de la revisión de aceptación' },
  AI_RESPONSE_INCOMPLETE: { en: 'Find the AI response incomplete', es: 'Declarar incompleta la respuesta de información adicional' },
  DECIDE_GRANT: { en: 'Decide: grant (classify)', es: 'Decidir: otorgar (clasificar)' },
  DECIDE_DECLINE: { en: 'Decide: decline (stays class III)', es: 'Decidir: rechazar (permanece en clase III)' },
  // PMA
  FILE: { en: 'File (filing review passed)', es: 'Admitir a revisión (filing)' },
  REFUSE_TO_FILE: { en: 'Refuse to file', es: 'No admitir a revisión (refuse to file)' },
  ISSUE_MDL: { en: 'Issue major deficiency letter (MDL)', es: 'Emitir carta de deficiencias mayores (MDL)' },
  EXTEND_MDL_RESPONSE: { en: 'Extend the MDL response window', es: 'Ampliar el plazo de respuesta a la MDL' },
  MAJOR_AMENDMENT: { en: 'Submit major amendment (MDL response)', es: 'Presentar enmienda mayor (respuesta a la MDL)' },
  MDL_TIMEOUT: { en: 'MDL response period expired', es: 'Venció el plazo de respuesta a la MDL' },
  UNSOLICITED_MAJOR_AMENDMENT: { en: 'Submit unsolicited major amendment', es: 'Presentar enmienda mayor no solicitada' },
  REFER_TO_PANEL: { en: 'Refer to an advisory panel', es: 'Remitir a un panel asesor' },
  PANEL_RECOMMENDATION: { en: 'Record the panel recommendation', es: 'Registrar la recomendación del panel' },
  ISSUE_APPROVAL_ORDER: { en: 'Issue approval order', es: 'Emitir orden de aprobación' },
  ISSUE_APPROVABLE: { en: 'Issue approvable letter', es: 'Emitir carta de aprobable' },
  APPROVABLE_RESPONSE: { en: 'Respond to the approvable letter', es: 'Responder a la carta de aprobable' },
  ISSUE_NOT_APPROVABLE: { en: 'Issue not approvable letter', es: 'Emitir carta de no aprobable' },
  AMENDMENT: { en: 'Submit amendment', es: 'Presentar enmienda' },
  NOT_APPROVABLE_TIMEOUT: { en: 'Not approvable response period expired', es: 'Venció el plazo de respuesta a la carta de no aprobable' },
  ISSUE_DENIAL: { en: 'Issue denial order', es: 'Emitir orden de denegación' },
  FDA_OBJECTS: { en: 'Object to the 30-day notice', es: 'Objetar el aviso de 30 días' },
  NOTICE_PERIOD_TIMEOUT: { en: '30-day notice period ended without objection', es: 'Concluyó sin objeción el periodo del aviso de 30 días' },
  WITHDRAW_APPROVAL: { en: 'Withdraw approval', es: 'Retirar la aprobación' },
  // HDE
  REQUEST_HUD: { en: 'Request HUD designation', es: 'Solicitar la designación HUD' },
  HUD_DESIGNATED: { en: 'Designate as HUD', es: 'Designar como HUD' },
  HUD_DENIED: { en: 'Deny HUD designation', es: 'Negar la designación HUD' },
  SUBMIT_HDE: { en: 'Submit HDE application', es: 'Presentar la solicitud HDE' },
  REQUEST_AMENDMENT: { en: 'Request HDE amendment', es: 'Solicitar enmienda a la HDE' },
  AMENDMENT_TIMEOUT: { en: 'Amendment period expired', es: 'Venció el plazo para presentar la enmienda' },
  // Pre-Sub
  RESPONSE: { en: 'Complete the Pre-Sub', es: 'Completar la Pre-Sub' },
  SCHEDULE_MEETING: { en: 'Schedule the meeting', es: 'Programar la reunión' },
  SEND_WRITTEN_FEEDBACK: { en: 'Send written feedback', es: 'Enviar retroalimentación por escrito' },
  CANCEL_MEETING: { en: 'Cancel the meeting', es: 'Cancelar la reunión' },
  CLOSE: { en: 'Close the Q-Sub', es: 'Cerrar la Q-Sub' },
  HOLD_MEETING: { en: 'Record meeting held', es: 'Registrar la reunión celebrada' },
  SUBMIT_MINUTES: { en: 'Submit draft minutes', es: 'Enviar el borrador de la minuta' },
  FINALIZE_MINUTES: { en: 'Finalize the minutes', es: 'Finalizar la minuta' },
  // Breakthrough
  REQUEST_DESIGNATION: { en: 'Request Breakthrough designation', es: 'Solicitar la designación Breakthrough' },
  REQUEST_INFO: { en: 'Request more information', es: 'Solicitar más información' },
  INFO_RESPONSE: { en: 'Answer the information request', es: 'Responder a la solicitud de información' },
  GRANT: { en: 'Grant', es: 'Otorgar' },
  DENY: { en: 'Deny', es: 'Negar' },
  WITHDRAW_DESIGNATION: { en: 'Withdraw the designation', es: 'Retirar la designación' },
  LINK_SUBMISSION: { en: 'Link a marketing submission', es: 'Vincular un trámite de comercialización' },
  // COFEPRIS
  START_REVIEW: { en: 'Start the review', es: 'Iniciar la revisión' },
  ISSUE_PREVENCION: { en: 'Issue prevención (missing information)', es: 'Emitir prevención' },
  RESPOND_PREVENCION: { en: 'Answer the prevención', es: 'Desahogar la prevención' },
  PREVENCION_TIMEOUT: { en: 'Prevención not answered in time (desechado)', es: 'Venció el plazo de la prevención (desechado)' },
  DESIST: { en: 'Desist (withdraw the application)', es: 'Desistirse de la solicitud' },
  REVOKE: { en: 'Revoke the registration', es: 'Revocar el registro sanitario' },
  REFERENCE_INVALIDATED: { en: 'Reference decision invalidated', es: 'Decisión de referencia invalidada' },
  SEND_TO_TPR: { en: 'Send to the authorized third party', es: 'Enviar al tercero autorizado' },
  TPR_FINDINGS: { en: "Record the third party's findings", es: 'Registrar observaciones del tercero autorizado' },
  TPR_FAVORABLE_REPORT: { en: "Record the third party's favourable report (ITF)", es: 'Registrar el informe técnico favorable (ITF)' },
  RENEWAL_WINDOW_OPENS: { en: 'Prórroga window opens', es: 'Se abre el periodo de prórroga' },
  SUBMIT_PRORROGA: { en: 'Request prórroga (renewal)', es: 'Solicitar prórroga' },
  GRANT_PRORROGA: { en: 'Grant the prórroga', es: 'Otorgar la prórroga' },
  DENY_PRORROGA: { en: 'Deny the prórroga', es: 'Negar la prórroga' },
  EXPIRE: { en: 'Registration expired', es: 'Venció el registro sanitario' },
  SUBMIT_MODIFICATION: { en: 'Request a modification', es: 'Solicitar una modificación' },
  APPROVE_MODIFICATION: { en: 'Approve the modification', es: 'Aprobar la modificación' },
  REJECT_MODIFICATION: { en: 'Reject the modification', es: 'Rechazar la modificación' },
  // Bookkeeping rows every workflow writes to the history
  CREATED: { en: 'Submission created', es: 'Trámite creado' },
  DOCUMENT_ADDED: { en: 'Document added', es: 'Documento agregado' },
  MIGRATED: { en: 'Moved to a new workflow version', es: 'Migrado a una nueva versión de la vía' },
  GOAL_MISSED: { en: 'Goal missed', es: 'Meta incumplida' },
  DEADLINE_PASSED: { en: 'Deadline passed: a decision is needed', es: 'Plazo vencido: se requiere una decisión' },
  MMD_DUE: { en: 'Missed MDUFA Decision communication due', es: 'Corresponde comunicación por decisión MDUFA incumplida (MMD)' },
  // PMA, fda-pma@4 (domain.md §7.2)
  ACCEPTANCE_REVIEW_TIMEOUT: {
    en: 'Acceptance review not done in 15 days: considered accepted',
    es: 'Revisión de aceptación no concluida en 15 días: se considera aceptada',
  },
  FILING_AMENDMENT: { en: 'Amend the PMA refused for filing', es: 'Modificar la PMA no admitida a trámite' },
  REQUEST_INFORMAL_CONFERENCE: {
    en: 'Request an informal conference on the refusal to file',
    es: 'Solicitar una conferencia informal sobre la negativa de admisión a trámite',
  },
  FILE_AFTER_CONFERENCE: { en: 'File after the informal conference', es: 'Admitir a trámite tras la conferencia informal' },
  UPHOLD_REFUSAL_TO_FILE: { en: 'Uphold the refusal to file', es: 'Mantener la negativa de admisión a trámite' },
  CLOSE_NOT_FILED: { en: 'Close: not filed', es: 'Cerrar: no admitida a trámite' },
  APPROVABLE_TIMEOUT: { en: 'Approvable letter response period expired', es: 'Venció el plazo de respuesta a la carta de aprobable' },
  REQUEST_RESPONSE_EXTENSION: { en: 'Request more time to respond', es: 'Solicitar más tiempo para responder' },
  GRANT_RESPONSE_EXTENSION: { en: 'Grant more time to respond', es: 'Conceder más tiempo para responder' },
  DENY_RESPONSE_EXTENSION: { en: 'Refuse more time to respond', es: 'Negar más tiempo para responder' },
  CONSIDER_WITHDRAWN: { en: 'Consider withdrawn (no timely response)', es: 'Considerar retirada (sin respuesta a tiempo)' },
  // 510(k), fda-510k@4
  ECOPY_HOLD: { en: 'Put on eCopy hold (no valid eCopy)', es: 'Suspender por falta de eCopy válida (eCopy hold)' },
  ECOPY_RECEIVED: { en: 'Send a valid eCopy', es: 'Enviar una eCopy válida' },
  ECOPY_HOLD_TIMEOUT: { en: 'eCopy hold period expired (deleted)', es: 'Venció el plazo para enviar la eCopy (solicitud eliminada)' },
  ACCEPTANCE_DEEMED: {
    en: 'Acceptance review not done in time: considered under substantive review',
    es: 'Revisión de aceptación no concluida a tiempo: se considera en revisión sustantiva',
  },
  CONVERT_TO_TRADITIONAL: { en: 'Convert to a Traditional 510(k)', es: 'Convertir a 510(k) tradicional' },
  THIRD_PARTY_RECOMMENDATION: {
    en: "Record the accredited third party's recommendation",
    es: 'Registrar la recomendación del tercero acreditado (Third Party Review)',
  },
  // HDE, fda-hde@4
  HUD_RETURNED: { en: 'Return the HUD request for more information', es: 'Devolver la solicitud de designación HUD para pedir más información' },
  HUD_INFO_RESPONSE: { en: 'Answer the HUD information request', es: 'Responder a la solicitud de información sobre la designación HUD' },
  // Pre-Sub, fda-presub@4
  EDIT_MINUTES: { en: 'Send edits to the draft minutes', es: 'Enviar correcciones al borrador de la minuta' },
  MINUTES_DISAGREEMENT: { en: 'Disagree with the edited minutes', es: 'Manifestar desacuerdo con la minuta corregida' },
  RESOLVE_MINUTES: { en: 'Resolve the disagreement on the minutes', es: 'Resolver el desacuerdo sobre la minuta' },
  MINUTES_FINAL_TIMEOUT: {
    en: 'No disagreement in time: the edited minutes are final',
    es: 'Sin desacuerdo en el plazo: la minuta corregida queda como definitiva',
  },
  // COFEPRIS, cofepris-registration@6
  AFIRMATIVA_FICTA: {
    en: 'Afirmativa ficta (term passed without a resolution: deemed granted)',
    es: 'Afirmativa ficta (venció el plazo de resolución sin respuesta)',
  },
  RECORD_FICTA_CERTIFICATE: { en: 'Record the afirmativa ficta certificate (constancia)', es: 'Registrar la constancia de afirmativa ficta' },
};

/** State node ids (one segment of a dotted state path). */
const STATES: Table = {
  draft: { en: 'Draft', es: 'Borrador' },
  received: { en: 'Received', es: 'Recibido' },
  userFeeHold: { en: 'User-fee hold', es: 'En espera del pago de la tarifa de usuario' },
  technicalScreening: { en: 'eSTAR technical screening', es: 'Revisión técnica preliminar del eSTAR' },
  eStarHold: { en: 'eSTAR hold (incomplete)', es: 'En espera: eSTAR incompleto' },
  acceptanceReview: { en: 'Acceptance review', es: 'Revisión de aceptación' },
  rtaHold: { en: 'Refused to accept (RTA hold)', es: 'Rechazo de aceptación (RTA): en espera' },
  review: { en: 'Review', es: 'Revisión' },
  substantive: { en: 'Substantive', es: 'Sustantiva' },
  interactive: { en: 'Interactive', es: 'Interactiva' },
  aiHold: { en: 'Additional information hold (AI)', es: 'En espera de información adicional (AI)' },
  cleared: { en: 'Cleared (SE)', es: 'Autorizado (SE)' },
  closed: { en: 'Closed', es: 'Cerrado' },
  nse: { en: 'Not substantially equivalent (NSE)', es: 'No sustancialmente equivalente (NSE)' },
  withdrawn: { en: 'Withdrawn', es: 'Retirado' },
  deleted: { en: 'Deleted', es: 'Eliminado' },
  rescinded: { en: 'SE decision rescinded', es: 'Decisión SE rescindida' },
  granted: { en: 'Granted', es: 'Otorgado' },
  declined: { en: 'Declined', es: 'Rechazado' },
  filingReview: { en: 'Filing review', es: 'Revisión de admisión (filing)' },
  postPanel: { en: 'After the advisory panel', es: 'Posterior al panel asesor' },
  final: { en: 'Final review', es: 'Revisión final' },
  mdlHold: { en: 'Major deficiency letter hold (MDL)', es: 'En espera por carta de deficiencias mayores (MDL)' },
  responseWindow: { en: 'Response window', es: 'Plazo de respuesta' },
  extendedWindow: { en: 'Extended response window', es: 'Plazo de respuesta ampliado' },
  advisoryPanel: { en: 'Advisory panel', es: 'Panel asesor' },
  approvable: { en: 'Approvable', es: 'Aprobable' },
  notApprovable: { en: 'Not approvable', es: 'No aprobable' },
  noticePeriod: { en: '30-day notice period', es: 'Periodo del aviso de 30 días' },
  inEffect: { en: 'In effect', es: 'En vigor' },
  approved: { en: 'Approved', es: 'Aprobado' },
  notFiled: { en: 'Not filed', es: 'No admitido' },
  denied: { en: 'Denied', es: 'Denegado' },
  noticeInadequate: { en: 'Notice inadequate', es: 'Aviso insuficiente' },
  approvalWithdrawn: { en: 'Approval withdrawn', es: 'Aprobación retirada' },
  hudReview: { en: 'HUD designation review', es: 'Revisión de la designación HUD' },
  hudDesignated: { en: 'HUD designated', es: 'Designado como HUD' },
  amendmentHold: { en: 'Amendment hold', es: 'En espera de enmienda' },
  hudDenied: { en: 'HUD designation denied', es: 'Designación HUD negada' },
  hold: { en: 'On hold', es: 'En espera' },
  accepted: { en: 'Accepted', es: 'Aceptado' },
  meetingScheduled: { en: 'Meeting scheduled', es: 'Reunión programada' },
  feedbackIssued: { en: 'Feedback sent', es: 'Retroalimentación enviada' },
  noMeetingRequested: { en: 'No meeting requested', es: 'Sin reunión solicitada' },
  meetingUnscheduled: { en: 'Meeting not yet scheduled', es: 'Reunión aún sin fecha' },
  meetingHeld: { en: 'Meeting held', es: 'Reunión celebrada' },
  minutesUnderReview: { en: 'Minutes under review', es: 'Minuta en revisión' },
  feedbackOnly: { en: 'Written feedback only', es: 'Solo retroalimentación por escrito' },
  minutesFinal: { en: 'Final minutes', es: 'Minuta final' },
  underReview: { en: 'Under review', es: 'En revisión' },
  designated: { en: 'Designated', es: 'Designado' },
  designationWithdrawn: { en: 'Designation withdrawn', es: 'Designación retirada' },
  preparing: { en: 'Preparing the dossier', es: 'Integración del expediente' },
  submitted: { en: 'Filed', es: 'Ingresado' },
  prevencion: { en: 'Prevención issued', es: 'Prevención emitida' },
  registered: { en: 'Registered', es: 'Registrado' },
  desechado: { en: 'Desechado (prevención not answered)', es: 'Desechado (prevención sin desahogar)' },
  expired: { en: 'Expired', es: 'Vencido' },
  revoked: { en: 'Revoked', es: 'Revocado' },
  thirdPartyReview: { en: 'Third-party review', es: 'Revisión por tercero autorizado' },
  readyToSubmit: { en: 'Ready to file', es: 'Listo para ingresar' },
  current: { en: 'Current', es: 'Vigente' },
  renewalDue: { en: 'Prórroga window open', es: 'Periodo de prórroga abierto' },
  renewalUnderReview: { en: 'Prórroga under review', es: 'Prórroga en revisión' },
  renewalPrevencion: { en: 'Prevención on the prórroga', es: 'Prevención sobre la prórroga' },
  modificationUnderReview: { en: 'Modification under review', es: 'Modificación en revisión' },
  // PMA, fda-pma@4
  refusedToFile: { en: 'Refused to file', es: 'No admitida a trámite' },
  extensionRequested: { en: 'More time requested', es: 'Más tiempo solicitado' },
  extensionDenied: { en: 'More time refused', es: 'Más tiempo negado' },
  informalConference: { en: 'Informal conference', es: 'Conferencia informal' },
  // fda-510k@4, fda-hde@4, fda-presub@4, cofepris-registration@6
  eCopyHold: { en: 'eCopy hold (no valid eCopy)', es: 'En espera: eCopy no válida' },
  hudInfoHold: { en: 'HUD request returned for more information', es: 'Solicitud de designación HUD devuelta: en espera de información' },
  minutesEdited: { en: 'Minutes edited by FDA', es: 'Minuta corregida por la FDA' },
  minutesDisagreement: { en: 'Disagreement on the minutes', es: 'Desacuerdo sobre la minuta' },
  ficta: { en: 'By afirmativa ficta', es: 'Por afirmativa ficta' },
};

/** Property names of event payloads, creation inputs, the device, commands and history rows. */
const FIELDS: Table = {
  // Top-level command and creation fields
  type: { en: 'Step', es: 'Paso' },
  effectiveAt: { en: 'Effective date', es: 'Fecha efectiva' },
  comment: { en: 'Comment', es: 'Comentario' },
  signature: { en: 'Electronic signature', es: 'Firma electrónica' },
  meaning: { en: 'Signature meaning', es: 'Significado de la firma' },
  password: { en: 'Password', es: 'Contraseña' },
  currentPassword: { en: 'Current password', es: 'Contraseña actual' },
  newPassword: { en: 'New password', es: 'Contraseña nueva' },
  title: { en: 'Title', es: 'Título' },
  workflow: { en: 'Pathway', es: 'Vía' },
  organization: { en: 'Organization', es: 'Organización' },
  device: { en: 'Device', es: 'Dispositivo' },
  input: { en: 'Pathway details', es: 'Datos de la vía' },
  data: { en: 'Details', es: 'Detalles' },
  // Device (schemas/device.json)
  name: { en: 'Name', es: 'Nombre' },
  model: { en: 'Model', es: 'Modelo' },
  productCode: { en: 'Product code', es: 'Código de producto' },
  udiDi: { en: 'UDI device identifier (UDI-DI)', es: 'Identificador del dispositivo UDI (UDI-DI)' },
  // Event payloads and creation inputs
  receipt: { en: 'Payment receipt', es: 'Comprobante de pago' },
  reasons: { en: 'Reasons', es: 'Motivos' },
  summary: { en: 'Summary', es: 'Resumen' },
  documents: { en: 'Attached documents', es: 'Documentos adjuntos' },
  deficiencies: { en: 'Deficiencies', es: 'Deficiencias' },
  kNumber: { en: 'K number', es: 'Número K' },
  decisionDate: { en: 'Decision date', es: 'Fecha de la decisión' },
  reason: { en: 'Reason', es: 'Motivo' },
  format: { en: 'Format', es: 'Formato' },
  variant: { en: '510(k) type', es: 'Tipo de 510(k)' },
  denNumber: { en: 'DEN number', es: 'Número DEN' },
  deviceClass: { en: 'Device class', es: 'Clase del dispositivo' },
  regulation: { en: 'Classification regulation', es: 'Reglamento de clasificación' },
  panel: { en: 'Advisory panel', es: 'Panel asesor' },
  requestedBySponsor: { en: 'Requested by the sponsor', es: 'Solicitado por el patrocinador' },
  recommendation: { en: 'Recommendation', es: 'Recomendación' },
  meetingDate: { en: 'Meeting date', es: 'Fecha de la reunión' },
  pmaNumber: { en: 'PMA number', es: 'Número de PMA' },
  conditions: { en: 'Conditions', es: 'Condiciones' },
  supplementType: { en: 'Supplement type', es: 'Tipo de suplemento' },
  estimatedAnnualPopulation: { en: 'Estimated annual US population', es: 'Población anual estimada en EE. UU.' },
  condition: { en: 'Disease or condition', es: 'Enfermedad o condición' },
  designationNumber: { en: 'Designation number', es: 'Número de designación' },
  grounds: { en: 'Grounds', es: 'Causales' },
  detail: { en: 'Detail', es: 'Detalle' },
  major: { en: 'Major amendment', es: 'Enmienda mayor' },
  hNumber: { en: 'H number', es: 'Número H' },
  qNumber: { en: 'Q number', es: 'Número Q' },
  meetingRequested: { en: 'Meeting requested', es: 'Reunión solicitada' },
  secondaryCriteria: { en: 'Secondary criteria', es: 'Criterios secundarios' },
  questions: { en: 'Questions', es: 'Preguntas' },
  submissionId: { en: 'Submission', es: 'Trámite' },
  linkedSubmissionId: { en: 'Linked submission', es: 'Trámite vinculado' },
  folio: { en: 'Folio (filing number)', es: 'Folio' },
  items: { en: 'Items', es: 'Puntos' },
  registrationNumber: { en: 'Registration number', es: 'Número de registro sanitario' },
  grantedOn: { en: 'Granted on', es: 'Otorgado el' },
  validUntil: { en: 'Valid until', es: 'Vigente hasta' },
  referenceSubmissionId: { en: 'Reference submission', es: 'Trámite de referencia' },
  referenceState: { en: 'State of the reference', es: 'Estado de la referencia' },
  route: { en: 'Route', es: 'Vía de registro' },
  reference: { en: 'Reference authorization', es: 'Autorización de referencia' },
  agency: { en: 'Issuing authority', es: 'Autoridad emisora' },
  number: { en: 'Number', es: 'Número' },
  decision: { en: 'Decision', es: 'Decisión' },
  thirdParty: { en: 'Authorized third party', es: 'Tercero autorizado' },
  findings: { en: 'Findings', es: 'Observaciones' },
  reportNumber: { en: 'Report number', es: 'Número de informe' },
  issuedOn: { en: 'Issued on', es: 'Fecha de emisión' },
  kind: { en: 'Kind', es: 'Tipo' },
  description: { en: 'Description', es: 'Descripción' },
  authorizationType: { en: 'Authorization type', es: 'Tipo de autorización' },
  mxClass: { en: 'Mexican class', es: 'Clase en México' },
  identicalDevice: { en: 'Identical device', es: 'Dispositivo idéntico' },
  // Data of the bookkeeping history rows
  warnings: { en: 'Warnings', es: 'Advertencias' },
  from: { en: 'From', es: 'Desde' },
  to: { en: 'To', es: 'Hasta' },
  version: { en: 'Version', es: 'Versión' },
  definitionHash: { en: 'Definition hash', es: 'Hash de la definición' },
  by: { en: 'By', es: 'Por' },
  documentId: { en: 'Document', es: 'Documento' },
  filename: { en: 'File name', es: 'Nombre del archivo' },
  contentType: { en: 'Content type', es: 'Tipo de contenido' },
  sha256: { en: 'SHA-256 hash', es: 'Hash SHA-256' },
  size: { en: 'Size', es: 'Tamaño' },
  goal: { en: 'Goal', es: 'Meta' },
  length: { en: 'Length', es: 'Duración' },
  unit: { en: 'Unit', es: 'Unidad' },
  startedOn: { en: 'Started on', es: 'Inicio' },
  dueDate: { en: 'Due date', es: 'Fecha límite' },
  elapsed: { en: 'Elapsed', es: 'Transcurrido' },
  requestedDueDate: { en: 'Requested due date', es: 'Fecha límite solicitada' },
  // fda-510k@4, fda-presub@4, cofepris-registration@6
  thirdPartyReview: { en: 'Third Party Review', es: 'Revisión por tercero acreditado (Third Party Review)' },
  recommendationDate: { en: 'Recommendation date', es: 'Fecha de la recomendación' },
  qsubType: { en: 'Q-Submission type', es: 'Tipo de Q-Sub' },
  sirSubject: { en: 'Subject of the Submission Issue Request', es: 'Objeto de la Submission Issue Request' },
  points: { en: 'Points of disagreement', es: 'Puntos de desacuerdo' },
  termBusinessDays: { en: 'Term (business days)', es: 'Plazo (días hábiles)' },
  fundamentacion: { en: 'Legal grounds (fundamentación)', es: 'Fundamentación' },
  motivacion: { en: 'Reasons (motivación)', es: 'Motivación' },
};

/** Dossier item kinds (COFEPRIS checklists). English follows the catalog titles. */
const DOSSIER: Table = {
  'application-form': {
    en: 'Application form signed by the legal representative (RIS art. 153)',
    es: 'Formato de solicitud firmado por el representante legal (RIS art. 153)',
  },
  'fee-receipt': { en: 'Proof of payment of derechos (LFD art. 195-A)', es: 'Comprobante de pago de derechos (LFD art. 195-A)' },
  'power-of-attorney': {
    en: 'Power of attorney of the legal representative in Mexico (LGS art. 262)',
    es: 'Poder notarial del representante legal en México (LGS art. 262)',
  },
  'operating-notice': {
    en: 'Aviso de funcionamiento and aviso de responsable sanitario',
    es: 'Aviso de funcionamiento y aviso de responsable sanitario',
  },
  'label-ifu-es': {
    en: 'Spanish label project and IFU (NOM-137-SSA1-2008)',
    es: 'Proyecto de etiqueta en español e instructivo de uso (NOM-137-SSA1-2008)',
  },
  'technical-monograph': { en: 'Technical monograph of the manufacturer', es: 'Monografía técnica del fabricante' },
  'certificate-of-analysis': { en: 'Certificate of analysis', es: 'Certificado de análisis' },
  cfg: {
    en: 'FDA Certificate to Foreign Government (or CFS)',
    es: 'Certificado para Gobierno Extranjero (CFG) de la FDA (o certificado de libre venta)',
  },
  'fda-decision-letter': {
    en: 'FDA letter evidencing the clearance or approval relied on',
    es: 'Carta de la FDA que acredita la autorización o aprobación en que se apoya',
  },
  'manufacturer-letter': { en: 'Letter of representation from the manufacturer', es: 'Carta de representación del fabricante' },
  'qms-certificate': {
    en: 'Quality system evidence (ISO 13485 / MDSAP / NOM-241-SSA1)',
    es: 'Evidencia del sistema de gestión de calidad (ISO 13485 / MDSAP / NOM-241-SSA1)',
  },
  'inspection-report': { en: 'Last establishment inspection report', es: 'Último informe de inspección del establecimiento' },
  'technovigilance-summary': {
    en: 'Summary of the last technovigilance / post-market report',
    es: 'Resumen del último informe de tecnovigilancia / poscomercialización',
  },
  apostille: {
    en: 'Apostille of the reference authorization (UNCONFIRMED for devices)',
    es: 'Apostilla de la autorización de referencia (NO CONFIRMADO para dispositivos)',
  },
  'device-description': {
    en: 'Description of the structure, materials, parts and functions of the device (RIS art. 179)',
    es: 'Descripción de la estructura, materiales, partes y funciones del dispositivo (RIS art. 179)',
  },
  'manufacturing-process': {
    en: 'Description of the manufacturing process (RIS art. 179)',
    es: 'Descripción del proceso de fabricación (RIS art. 179)',
  },
  'lab-test-reports': {
    en: 'Laboratory tests verifying the specifications (performance, biocompatibility, safety) (RIS art. 179)',
    es: 'Pruebas de laboratorio que verifican las especificaciones (desempeño, biocompatibilidad, seguridad) (RIS art. 179)',
  },
  'clinical-evidence': {
    en: 'Scientific and technical information showing safety and efficacy (clinical evaluation) (RIS art. 179)',
    es: 'Información científica y técnica que demuestra la seguridad y eficacia (evaluación clínica) (RIS art. 179)',
  },
  'bibliographic-references': { en: 'Bibliographic references (RIS art. 179)', es: 'Referencias bibliográficas (RIS art. 179)' },
  cfs: {
    en: 'Certificate of free sale from the country of origin or of the reference authority (RIS art. 180)',
    es: 'Certificado de libre venta del país de origen o de la autoridad de referencia (RIS art. 180)',
  },
  'third-party-technical-report': {
    en: 'Favourable technical report (ITF) of the authorized third party',
    es: 'Informe técnico favorable (ITF) del tercero autorizado',
  },
  'reference-authorization': {
    en: 'Authorization of the reference authority relied on',
    es: 'Autorización de la autoridad de referencia en que se apoya',
  },
};

/** Performance goal kinds (soft targets: MDUFA goals, COFEPRIS resolution targets, ...). */
const GOALS: Table = {
  substantiveInteraction: { en: 'Substantive Interaction', es: 'Interacción sustantiva' },
  decision: { en: 'Decision', es: 'Decisión' },
  missedDecisionCommunication: { en: 'Missed MDUFA Decision communication', es: 'Comunicación por decisión MDUFA incumplida' },
  acceptanceReview: { en: 'Acceptance review', es: 'Revisión de aceptación' },
  filingReview: { en: 'Filing review', es: 'Revisión de admisión (filing)' },
  decisionWithPanel: { en: 'Decision (with advisory panel)', es: 'Decisión (con panel asesor)' },
  missedDecisionCommunicationWithPanel: {
    en: 'Missed decision communication (with advisory panel)',
    es: 'Comunicación por decisión incumplida (con panel asesor)',
  },
  hudDesignation: { en: 'HUD designation answer', es: 'Respuesta a la designación HUD' },
  filing: { en: 'Filing decision', es: 'Decisión de admisión (filing)' },
  acceptance: { en: 'Acceptance', es: 'Aceptación' },
  writtenFeedback: { en: 'Written feedback', es: 'Retroalimentación por escrito' },
  meeting: { en: 'Meeting', es: 'Reunión' },
  draftMinutes: { en: 'Draft minutes', es: 'Borrador de la minuta' },
  finalMinutes: { en: 'Final minutes', es: 'Minuta final' },
  designationDecision: { en: 'Designation decision', es: 'Decisión sobre la designación' },
  resolution: { en: 'Resolution', es: 'Resolución' },
  thirdPartyReview: { en: 'Third-party review', es: 'Revisión por tercero autorizado' },
  refilingReview: { en: 'Filing review after an amendment', es: 'Revisión de admisión tras una modificación' },
  totalTimeToDecision: { en: 'Total Time to Decision (MDUFA)', es: 'Tiempo total hasta la decisión (MDUFA)' },
  // fda-510k@4, fda-hde@4, fda-presub@4, cofepris-registration@6
  specialDecision: { en: 'Special 510(k) decision', es: 'Decisión del 510(k) especial' },
  thirdPartyDecision: {
    en: "FDA decision on the third party's recommendation",
    es: 'Decisión de la FDA sobre la recomendación del tercero acreditado',
  },
  hudDesignationAfterReturn: {
    en: 'HUD designation answer after a returned request',
    es: 'Respuesta a la designación HUD tras la devolución de la solicitud',
  },
  meetingDate: { en: 'Meeting date agreed', es: 'Fecha de la reunión acordada' },
  sirFeedback: { en: 'Submission Issue Request feedback', es: 'Retroalimentación a la Submission Issue Request' },
  studyRiskDetermination: { en: 'Study Risk Determination', es: 'Determinación del riesgo del estudio' },
  informationalMeeting: { en: 'Informational meeting', es: 'Reunión informativa' },
  resolutionFicta: {
    en: 'Resolution (afirmativa ficta when the term passes)',
    es: 'Resolución (afirmativa ficta si vence el plazo)',
  },
};

/** Hard deadline kinds (state meta). */
const DEADLINES: Table = {
  rtaResponse: { en: 'RTA response', es: 'Respuesta al rechazo de aceptación (RTA)' },
  aiResponse: { en: 'Additional information response', es: 'Respuesta a la información adicional' },
  technicalScreening: { en: 'Technical screening', es: 'Revisión técnica preliminar' },
  eStarHoldResponse: { en: 'Replacement eSTAR', es: 'eSTAR de reemplazo' },
  acceptanceReview: { en: 'Acceptance review', es: 'Revisión de aceptación' },
  mdlResponse: { en: 'MDL response', es: 'Respuesta a la MDL' },
  notApprovableResponse: { en: 'Not approvable response', es: 'Respuesta a la carta de no aprobable' },
  noticePeriod: { en: '30-day notice period', es: 'Periodo del aviso de 30 días' },
  amendmentResponse: { en: 'Amendment', es: 'Enmienda' },
  prevencionResponse: { en: 'Answer to the prevención', es: 'Desahogo de la prevención' },
  renewalWindow: { en: 'Prórroga window opens', es: 'Apertura del periodo de prórroga' },
  registrationExpiry: { en: 'Registration expiry', es: 'Vencimiento del registro sanitario' },
  notFiledResponse: { en: 'Response to the refusal to file', es: 'Respuesta a la negativa de admisión a trámite' },
  approvableResponse: { en: 'Approvable letter response', es: 'Respuesta a la carta de aprobable' },
  // fda-510k@4, fda-presub@4
  eCopyHoldResponse: { en: 'Valid eCopy', es: 'eCopy válida' },
  minutesFinal: { en: 'Edited minutes become final', es: 'La minuta corregida queda como definitiva' },
};

const WORKFLOW_IDS: Table = {
  'fda-510k': { en: 'FDA 510(k)', es: '510(k) de la FDA' },
  'fda-de-novo': { en: 'FDA De Novo', es: 'De Novo de la FDA' },
  'fda-pma': { en: 'FDA premarket approval (PMA)', es: 'Aprobación previa a la comercialización (PMA) de la FDA' },
  'fda-hde': { en: 'FDA Humanitarian Device Exemption (HDE)', es: 'Exención para dispositivos humanitarios (HDE) de la FDA' },
  'fda-presub': { en: 'FDA Pre-Submission (Q-Sub)', es: 'Presolicitud (Pre-Sub / Q-Sub) ante la FDA' },
  'fda-breakthrough': { en: 'FDA Breakthrough Device designation', es: 'Designación Breakthrough (dispositivo innovador) de la FDA' },
  'cofepris-registration': { en: 'COFEPRIS registration (registro sanitario)', es: 'Registro sanitario COFEPRIS' },
};

const ROLES: Table = {
  manufacturer: { en: 'Manufacturer', es: 'Fabricante' },
  fda: { en: 'FDA', es: 'FDA' },
  cofepris: { en: 'COFEPRIS', es: 'COFEPRIS' },
  auditor: { en: 'Auditor', es: 'Auditor' },
  admin: { en: 'Administrator', es: 'Administrador' },
  system: { en: 'System (puente)', es: 'Sistema (puente)' },
};

/** Signature meanings (21 CFR 11.50(a)(3)). */
const MEANINGS: Table = {
  approval: { en: 'Approval', es: 'Aprobación' },
  review: { en: 'Review', es: 'Revisión' },
  responsibility: { en: 'Responsibility', es: 'Responsabilidad' },
  authorship: { en: 'Authorship', es: 'Autoría' },
};

const STATUSES: Table = {
  active: { en: 'Active', es: 'En curso' },
  closed: { en: 'Closed', es: 'Cerrado' },
  completed: { en: 'Completed', es: 'Concluido' },
};

const JURISDICTIONS: Table = {
  FDA: { en: 'FDA (United States)', es: 'FDA (Estados Unidos)' },
  COFEPRIS: { en: 'COFEPRIS (Mexico)', es: 'COFEPRIS (México)' },
};

const GOAL_STATUSES: Table = {
  on_track: { en: 'On track', es: 'En tiempo' },
  due_soon: { en: 'Due soon', es: 'Por vencer' },
  met: { en: 'Met', es: 'Cumplida' },
  missed: { en: 'Missed', es: 'Incumplida' },
  paused: { en: 'Paused', es: 'En pausa' },
};

/** Enum values of creation inputs and event payloads, keyed by the value. */
const INPUTS: Table = {
  // COFEPRIS routes
  standard: { en: 'Standard', es: 'Ordinaria' },
  'third-party': { en: 'Third party (Tercero Autorizado)', es: 'Tercero autorizado' },
  equivalence: { en: 'Equivalence (acuerdos)', es: 'Equivalencia (acuerdos)' },
  abbreviated: { en: 'Abbreviated', es: 'Abreviada' },
  // 510(k) variant and format; De Novo format
  traditional: { en: 'Traditional', es: 'Tradicional' },
  special: { en: 'Special', es: 'Especial' },
  eSTAR: { en: 'eSTAR', es: 'eSTAR' },
  eCopy: { en: 'eCopy', es: 'eCopy' },
  // Device classes (FDA 1–3; Health Canada, PMDA and COFEPRIS I–IV)
  '1': { en: 'Class 1', es: 'Clase 1' },
  '2': { en: 'Class 2', es: 'Clase 2' },
  '3': { en: 'Class 3', es: 'Clase 3' },
  I: { en: 'Class I', es: 'Clase I' },
  II: { en: 'Class II', es: 'Clase II' },
  III: { en: 'Class III', es: 'Clase III' },
  IV: { en: 'Class IV', es: 'Clase IV' },
  'low-risk': { en: 'Low risk (listed)', es: 'Bajo riesgo (listado)' },
  // PMA panel recommendation and supplement type
  approval: { en: 'Approval', es: 'Aprobación' },
  'approval-with-conditions': { en: 'Approval with conditions', es: 'Aprobación con condiciones' },
  'not-approvable': { en: 'Not approvable', es: 'No aprobable' },
  'panel-track': { en: 'Panel-track supplement', es: 'Suplemento con panel (panel-track)' },
  '180-day': { en: '180-day supplement', es: 'Suplemento de 180 días' },
  'real-time': { en: 'Real-time supplement', es: 'Suplemento en tiempo real' },
  '30-day-notice': { en: '30-day notice', es: 'Aviso de 30 días' },
  // HDE refuse-to-file grounds
  incomplete: { en: 'Incomplete', es: 'Incompleta' },
  comparableDevice: { en: 'A comparable device is available', es: 'Existe un dispositivo comparable' },
  untrueStatement: { en: 'Untrue statement', es: 'Declaración falsa' },
  noFinancialDisclosure: { en: 'Missing financial disclosure', es: 'Falta la declaración financiera' },
  // Pre-Sub meeting format
  'in-person': { en: 'In person', es: 'Presencial' },
  video: { en: 'Video conference', es: 'Videoconferencia' },
  teleconference: { en: 'Teleconference', es: 'Teleconferencia' },
  // Breakthrough secondary criteria
  breakthroughTechnology: { en: 'Breakthrough technology', es: 'Tecnología innovadora' },
  noApprovedAlternative: { en: 'No approved or cleared alternative', es: 'Sin alternativa aprobada o autorizada' },
  significantAdvantages: { en: 'Significant advantages over existing alternatives', es: 'Ventajas significativas sobre las alternativas existentes' },
  patientsBestInterest: { en: "In the patients' best interest", es: 'En el mejor interés de los pacientes' },
  // Reference authorities
  FDA: { en: 'FDA (United States)', es: 'FDA (Estados Unidos)' },
  HealthCanada: { en: 'Health Canada', es: 'Health Canada (Canadá)' },
  PMDA: { en: 'PMDA (Japan)', es: 'PMDA (Japón)' },
  TGA: { en: 'TGA (Australia)', es: 'TGA (Australia)' },
  ANVISA: { en: 'ANVISA (Brazil)', es: 'ANVISA (Brasil)' },
  NMPA: { en: 'NMPA (China)', es: 'NMPA (China)' },
  EU: { en: 'European Union', es: 'Unión Europea' },
  MFDS: { en: 'MFDS (South Korea)', es: 'MFDS (Corea del Sur)' },
  HSA: { en: 'HSA (Singapore)', es: 'HSA (Singapur)' },
  MHRA: { en: 'MHRA (United Kingdom)', es: 'MHRA (Reino Unido)' },
  Roszdravnadzor: { en: 'Roszdravnadzor (Russia)', es: 'Roszdravnadzor (Rusia)' },
  Swissmedic: { en: 'Swissmedic (Switzerland)', es: 'Swissmedic (Suiza)' },
  // Reference decisions
  SE: { en: 'Substantially equivalent (SE)', es: 'Sustancialmente equivalente (SE)' },
  NSE: { en: 'Not substantially equivalent (NSE)', es: 'No sustancialmente equivalente (NSE)' },
  granted: { en: 'Granted', es: 'Otorgada' },
  declined: { en: 'Declined', es: 'Rechazada' },
  approved: { en: 'Approved', es: 'Aprobada' },
  denied: { en: 'Denied', es: 'Denegada' },
  // Reference authorization types
  ordinary: { en: 'Ordinary', es: 'Ordinaria' },
  emergency: { en: 'Emergency', es: 'De emergencia' },
  accelerated: { en: 'Accelerated', es: 'Acelerada' },
  conditional: { en: 'Conditional', es: 'Condicionada' },
  reliance: { en: 'Reliance', es: 'Por reconocimiento (reliance)' },
  judicial: { en: 'Judicial', es: 'Por resolución judicial' },
  // COFEPRIS modification kind
  administrative: { en: 'Administrative', es: 'Administrativa' },
  technical: { en: 'Technical', es: 'Técnica' },
  // Q-Submission type and Submission Issue Request subject (fda-presub@4)
  presub: { en: 'Pre-Submission (Pre-Sub)', es: 'Presolicitud (Pre-Sub)' },
  submissionIssueRequest: { en: 'Submission Issue Request', es: 'Solicitud sobre observaciones de un trámite (Submission Issue Request)' },
  studyRiskDetermination: { en: 'Study Risk Determination', es: 'Determinación del riesgo del estudio (Study Risk Determination)' },
  informational: { en: 'Informational meeting', es: 'Reunión informativa' },
  pmaDay100: { en: 'PMA Day-100 meeting', es: 'Reunión del día 100 de la PMA' },
  holdLetter: { en: 'On a hold letter of a pending submission', es: 'Sobre una carta de suspensión (hold letter) de un trámite en curso' },
  other: { en: 'Other', es: 'Otro' },
};

const TABLES: Readonly<Record<DomainKind, Table>> = {
  event: EVENTS,
  state: STATES,
  field: FIELDS,
  dossier: DOSSIER,
  goal: GOALS,
  deadline: DEADLINES,
  workflow: WORKFLOW_IDS,
  role: ROLES,
  meaning: MEANINGS,
  status: STATUSES,
  jurisdiction: JURISDICTIONS,
  goalStatus: GOAL_STATUSES,
  input: INPUTS,
};

/**
 * A readable fallback for an id no table knows: `SOME_EVENT` -> "Some event", `camelCase` ->
 * "Camel case", `kebab-case` -> "Kebab case". Acronyms inside mixed-case ids stay (`udiDI`).
 */
function humanize(id: string): string {
  const shouting = !/[a-z]/.test(id);
  const words = id
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_.\-/]+/)
    .filter((w) => w.length > 0)
    .map((w) => (!shouting && w.length > 1 && w === w.toUpperCase() ? w : w.toLowerCase()));
  const text = words.join(' ');
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : id;
}

function lookup(table: Table, id: string): Label | undefined {
  return Object.prototype.hasOwnProperty.call(table, id) ? table[id] : undefined;
}

/** True when the table of `kind` has a label for `id` (values that are not words stay as they are). */
export function hasDomainLabel(kind: DomainKind, id: string): boolean {
  return lookup(TABLES[kind] ?? {}, id) !== undefined || (kind === 'input' && lookup(MEANINGS, id) !== undefined);
}

/** The label of a workflow word in `lang`; a humanized fallback for an unknown id. */
export function domainLabel(lang: 'en' | 'es', kind: DomainKind, id: string): string {
  if (typeof id !== 'string') return humanize(String(id));
  const table = TABLES[kind] ?? {};
  // A select of signature meanings is an enum like any other: its options come through `input`.
  const entry = lookup(table, id) ?? (kind === 'input' ? lookup(MEANINGS, id) : undefined);
  if (entry) return entry[lang === 'es' ? 'es' : 'en'];
  if (kind === 'state' && id.includes('.')) {
    return id
      .split('.')
      .map((segment) => {
        const e = lookup(table, segment);
        return e ? e[lang === 'es' ? 'es' : 'en'] : humanize(segment);
      })
      .join(' › ');
  }
  if (kind === 'field' && id.includes('/')) {
    // A JSON pointer such as `/data/deficiencies/0`: the label of its last named segment.
    const last = id
      .split('/')
      .filter((s) => s !== '' && !/^\d+$/.test(s))
      .pop();
    if (last !== undefined) return domainLabel(lang, kind, last.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  return humanize(id);
}
