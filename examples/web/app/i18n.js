// The application's words in Spanish (the default) and English. Validation messages come from
// siproc-wasm in the same locale; catalog labels from catalog(locale).
const WORDS = {
  es: {
    skip: "Saltar al contenido", nav: "Principal", brand: "SIPROC · Protección consular",
    other_language: "English", signout: "Salir", online: "En línea", offline: "Sin conexión",
    nav_signin: "Entrar", nav_intake: "Registrar", nav_cases: "Casos", nav_verify: "Verificar formulario",
    signin_title: "Entrar con un token", token: "Token de acceso",
    signin_help: "El token se guarda solo en esta pestaña mientras esté abierta; nunca en la dirección.",
    signin_button: "Entrar", signin_bad: "El token no es válido.", signed_in_as: "Sesión: {user} ({role}, {office})",
    need_signin: "Entre con su token para ver esta página.",
    intake_title: "Registrar un caso", intake_help: "Los mensajes aparecen mientras escribe, con las mismas reglas que aplica el servidor. Los campos marcados con * son obligatorios.",
    registered: "Caso registrado: {number}", forms_to_print: "Formularios para imprimir:",
    open_case: "Abrir el caso", problems: "El registro tiene {n} problema(s).",
    pending_saved: "Sin conexión: el registro quedó pendiente y se enviará al volver la conexión.",
    pending_title: "Registros pendientes de envío", pending_item: "Pendiente desde {at}",
    pending_rejected: "Rechazado por el servidor ({code})", discard: "Descartar",
    sent_pending: "Registro pendiente enviado: {number}",
    cases_title: "Casos", filter_status: "Estado", filter_category: "Categoría", filter_office: "Oficina",
    filter_name: "Nombre", all: "Todos", apply: "Filtrar", col_number: "Número", col_office: "Oficina",
    col_category: "Categoría", col_status: "Estado", col_updated: "Actualizado", no_cases: "No hay casos.",
    new: "nuevo", changed: "actualizado", live: "Actualización en vivo", live_off: "Sin actualización en vivo",
    case_title: "Caso {number}", history: "Historial", commands: "Acciones", forms: "Formularios",
    chain_ok: "Cadena de historial verificada: {n} eventos íntegros.", chain_bad: "¡Historial alterado! ({code}, evento {seq})",
    download: "Descargar PDF", generated: "generado", not_generated: "sin generar",
    conflict: "El caso cambió mientras tanto (ahora versión {current}). Se volvió a cargar; revise y repita la acción.",
    done: "Hecho.", note_text: "Nota", add_note: "Añadir nota", to_status: "Pasar a «{status}»",
    refused: "No se pudo: {message} ({code})", persons: "Personas", no_commands: "Ninguna acción disponible para su rol.",
    verify_title: "Verificar un formulario impreso", verify_help: "Escriba el código de verificación impreso bajo el código QR o al pie de cada página (XXXX-XXXX-XXXX). No se muestra ningún dato personal.",
    code: "Código de verificación", verify_button: "Verificar", genuine: "Formulario auténtico",
    not_genuine: "No existe ningún formulario con este código: el documento no es auténtico o el código se copió mal.",
    bad_code: "Eso no es un código de verificación (12 caracteres 0–9 y A–F).", too_many: "Demasiadas verificaciones fallidas desde este equipo. Intente más tarde.",
    form_line: "{title} — caso {number}, {office}, generado el {at}",
    error: "Error {status}: {message}", offline_page: "Sin conexión.",
    status: { registered: "Registrado", in_progress: "En curso", awaiting_authority: "En espera de la autoridad", resolved: "Resuelto", closed: "Cerrado", archived: "Archivado" },
    command: { approve_closure: "Aprobar cierre", accept_transfer: "Aceptar traslado", reject_transfer: "Rechazar traslado", reopen: "Reabrir", archive: "Archivar" },
    event: { case_opened: "Caso abierto", status_changed: "Cambio de estado", note_added: "Nota", form_generated: "Formulario generado", facts_corrected: "Corrección" },
  },
  en: {
    skip: "Skip to content", nav: "Main", brand: "SIPROC · Consular protection",
    other_language: "Español", signout: "Sign out", online: "Online", offline: "Offline",
    nav_signin: "Sign in", nav_intake: "Register", nav_cases: "Cases", nav_verify: "Verify a form",
    signin_title: "Sign in with a token", token: "Access token",
    signin_help: "The token is kept in this tab only while it is open; never in the address.",
    signin_button: "Sign in", signin_bad: "The token is not valid.", signed_in_as: "Signed in: {user} ({role}, {office})",
    need_signin: "Sign in with your token to see this page.",
    intake_title: "Register a case", intake_help: "Messages appear as you type, with the same rules as the server. Fields marked * are required.",
    registered: "Case registered: {number}", forms_to_print: "Forms to print:",
    open_case: "Open the case", problems: "The record has {n} problem(s).",
    pending_saved: "Offline: the record is pending and will be sent when the connection returns.",
    pending_title: "Records waiting to be sent", pending_item: "Pending since {at}",
    pending_rejected: "Refused by the server ({code})", discard: "Discard",
    sent_pending: "Pending record sent: {number}",
    cases_title: "Cases", filter_status: "Status", filter_category: "Category", filter_office: "Office",
    filter_name: "Name", all: "All", apply: "Filter", col_number: "Number", col_office: "Office",
    col_category: "Category", col_status: "Status", col_updated: "Updated", no_cases: "No cases.",
    new: "new", changed: "updated", live: "Live updates", live_off: "No live updates",
    case_title: "Case {number}", history: "History", commands: "Actions", forms: "Forms",
    chain_ok: "History chain verified: {n} events intact.", chain_bad: "History tampered with! ({code}, event {seq})",
    download: "Download PDF", generated: "generated", not_generated: "not generated",
    conflict: "The case changed meanwhile (now version {current}). It was reloaded; check it and repeat the action.",
    done: "Done.", note_text: "Note", add_note: "Add note", to_status: "Move to “{status}”",
    refused: "Refused: {message} ({code})", persons: "Persons", no_commands: "No action available for your role.",
    verify_title: "Verify a printed form", verify_help: "Type the verification code printed under the QR code or at the foot of each page (XXXX-XXXX-XXXX). No personal data is shown.",
    code: "Verification code", verify_button: "Verify", genuine: "Genuine form",
    not_genuine: "No form has this code: the document is not genuine or the code was mistyped.",
    bad_code: "That is not a verification code (12 characters 0–9 and A–F).", too_many: "Too many failed checks from this device. Try again later.",
    form_line: "{title} — case {number}, {office}, generated on {at}",
    error: "Error {status}: {message}", offline_page: "Offline.",
    status: { registered: "Registered", in_progress: "In progress", awaiting_authority: "Awaiting authority", resolved: "Resolved", closed: "Closed", archived: "Archived" },
    command: { approve_closure: "Approve closure", accept_transfer: "Accept transfer", reject_transfer: "Reject transfer", reopen: "Reopen", archive: "Archive" },
    event: { case_opened: "Case opened", status_changed: "Status changed", note_added: "Note", form_generated: "Form generated", facts_corrected: "Correction" },
  },
};

/** The current locale: "es" unless the user chose English. */
export const locale = localStorage.getItem("siproc.locale") === "en" ? "en" : "es";

/** Switches the locale and reloads the page in it. */
export function toggleLocale() {
  localStorage.setItem("siproc.locale", locale === "es" ? "en" : "es");
  location.reload();
}

/** The word `key` (a dotted path) with `{name}` placeholders filled from `vars`. */
export function t(key, vars = {}) {
  const text = key.split(".").reduce((node, k) => node?.[k], WORDS[locale]) ?? key;
  return String(text).replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

/** A date-time in the locale's words. */
export const when = (iso) => new Date(iso).toLocaleString(locale === "es" ? "es-HN" : "en-GB",
  { dateStyle: "medium", timeStyle: "short" });
