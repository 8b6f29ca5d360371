// The application's own words in Spanish (the default) and English: page text only, for the web
// application (examples/web/app), the intake form (examples/web/form.js) and the example page
// (examples/web/app.js). Everything else comes from siproc-wasm in the same locale: validation
// messages, and the label of every enumerated value (status, priority, consent scope, role,
// command, history event, office, category, service, partner, form, …) from the catalog view's
// `labels`, the words the PDF forms print (`label()` below).
import * as wasm from "/pkg/siproc_wasm.js";

const WORDS = {
  es: {
    skip: "Saltar al contenido", nav: "Principal", brand: "SIPROC · Protección consular",
    other_language: "English", signout: "Salir", online: "En línea", offline: "Sin conexión",
    nav_signin: "Entrar", nav_intake: "Registrar", nav_cases: "Casos", nav_verify: "Verificar formulario",
    signin_title: "Entrar", token_title: "Entrar con un token (desarrollo)", token: "Token de acceso",
    signin_help: "El token se guarda solo en esta pestaña mientras esté abierta; nunca en la dirección.",
    signin_button: "Entrar", signin_bad: "El token no es válido.", signed_in_as: "Sesión: {user} ({role}, {office})",
    login: "Usuario", password: "Contraseña", code: "Código",
    code_help: "Los seis dígitos que muestra ahora su aplicación de autenticación, o uno de sus códigos de recuperación.",
    signin_refused: "El usuario, la contraseña o el código no son correctos.",
    signin_wait: "Demasiados intentos fallidos: espere {n} segundos y vuelva a intentarlo.",
    need_signin: "Entre para ver esta página.",
    session_ended: "Su sesión terminó (por inactividad, por tiempo, o fue cerrada). Entre de nuevo para volver a la página.",
    nav_account: "Mi cuenta", account_title: "Mi cuenta", sessions_title: "Sesiones abiertas",
    session_this: "esta sesión", session_method_password_totp: "contraseña y código",
    session_method_password_recovery: "contraseña y código de recuperación",
    session_method_oidc: "cuenta del ministerio",
    oidc_or: "o bien", oidc_button: "Entrar con la cuenta del ministerio",
    oidc_refused: "No se pudo entrar con la cuenta del ministerio: su cuenta no tiene acceso a SIPROC, o el inicio de sesión se interrumpió. Vuelva a intentarlo o consulte a su supervisor.",
    oidc_unavailable: "El servicio de identidad del ministerio no responde ahora. Vuelva a intentarlo en unos minutos.",
    oidc_signing_in: "Entrando…",
    session_method_passkey: "llave de acceso",
    passkey_title: "Con una llave de acceso", passkey_signin: "Entrar con una llave de acceso",
    passkey_help: "La opción más segura: su teléfono, su computadora o su llave de seguridad le pide su huella, su cara o su PIN. No hace falta escribir el usuario.",
    passkey_unsupported: "Este navegador no admite llaves de acceso: use la contraseña y el código.",
    passkey_unavailable: "Este servidor no ofrece llaves de acceso en esta dirección.",
    passkey_refused: "La llave de acceso no fue aceptada. Inténtelo de nuevo o use la contraseña y el código.",
    passkey_cancelled: "No se usó ninguna llave de acceso.",
    passkeys_title: "Llaves de acceso", passkeys_help: "Entre sin contraseña con su teléfono, su computadora o una llave de seguridad. Puede tener varias.",
    passkey_name: "Nombre de la nueva llave (por ejemplo, «computadora del consulado»)", passkey_add: "Agregar una llave de acceso",
    passkey_added: "Llave de acceso agregada.", passkey_remove: "Quitar",
    passkey_row: "{name}: agregada el {created}; {used}", passkey_used: "último uso {at}", passkey_unused: "sin usar todavía",
    tokens_title: "Tokens de API", tokens_help: "Para programas (el sistema de la cancillería, scripts): cada token actúa como usted, nunca con más permisos, y deja de servir cuando vence, cuando lo revoca o si su cuenta se desactiva.",
    token_name: "Nombre del token (para qué programa)", token_lifetime: "Vence en", token_days: "{n} días",
    token_scopes: "Qué puede hacer", token_create: "Crear el token", token_no_scope: "Elija al menos un permiso.",
    token_secret_once: "Copie el token ahora: no se volverá a mostrar.", token_refused: "No se pudo: revise el nombre y vuelva a intentarlo.",
    token_row: "{name} ({scopes}): {state}", token_expires: "vence el {at}", token_expired: "venció el {at}",
    token_revoked: "revocado el {at}", token_revoke: "Revocar",
    nav_users: "Usuarios", users_title: "Usuarios", users_list_title: "Usuarios que usted puede ver",
    users_create_title: "Nuevo usuario", user_login: "Usuario (para entrar)", user_login_help: "De 2 a 64 letras minúsculas, cifras, «.», «_» o «-».",
    user_name: "Nombre que verán los demás (opcional)", user_role: "Rol", user_office: "Oficina", user_create: "Crear el usuario",
    user_link_once: "Enlace de activación de {login}: entrégueselo solo a esa persona. Sirve una vez, durante 72 horas, y no se volverá a mostrar.",
    user_state_active: "activo", user_state_disabled: "desactivado", user_disable: "Desactivar", user_enable: "Reactivar",
    user_save: "Guardar rol y oficina", user_new_link: "Nuevo enlace de activación", user_saved: "Cambios guardados para {login}.",
    user_refused: "No se pudo hacer el cambio.",
    user_col_login: "Usuario", user_col_name: "Nombre", user_col_role: "Rol", user_col_office: "Oficina", user_col_state: "Estado", user_col_actions: "Acciones",
    session_row: "Entró el {created} ({method}); último uso {seen}",
    signout_everywhere: "Cerrar todas mis sesiones", session_end: "Cerrar esta sesión",
    signout_everywhere_help: "Cierra la sesión en todos los navegadores y equipos, este incluido.",
    security_title: "Contraseña, código y códigos de recuperación",
    security_help: "Para cambiarlos, primero confirme que es usted: su contraseña actual y el código de su aplicación (o un código de recuperación), o una llave de acceso. La confirmación vale cinco minutos.",
    reauth_button: "Confirmar que soy yo", reauth_passkey: "Confirmar con una llave de acceso",
    reauth_refused: "La contraseña, el código o la llave de acceso no son correctos.",
    reauth_done: "Confirmado: durante cinco minutos puede cambiar su contraseña, su aplicación de autenticación o sus códigos de recuperación.",
    reauth_needed: "Pasaron más de cinco minutos: confirme de nuevo que es usted.",
    change_refused: "No se pudo hacer el cambio: {reason}",
    password_show: "Mostrar la contraseña", strength_label: "Fortaleza de la contraseña",
    strength_1: "aceptada, pero débil: alárguela.", strength_2: "aceptada, regular: una frase más larga sería mejor.",
    strength_3: "aceptada, buena.", strength_4: "aceptada, muy buena.",
    password_change_title: "Cambiar la contraseña", password_new: "Nueva contraseña", password_change_button: "Cambiar la contraseña",
    password_changed: "Contraseña cambiada. Sus otras sesiones se cerraron; esta sigue abierta.",
    second_factor_title: "Aplicación de autenticación", second_factor_help: "Use otra aplicación o un teléfono nuevo: la clave actual deja de servir cuando confirme la nueva.",
    second_factor_button: "Configurar una nueva clave", second_factor_step: "Lea este código QR con su aplicación de autenticación, o escriba la clave, y luego escriba el código que muestra:",
    second_factor_confirm: "Confirmar la nueva clave",
    second_factor_changed: "Nueva clave activa: la anterior ya no sirve. Sus otras sesiones se cerraron; esta sigue abierta.",
    recovery_title: "Códigos de recuperación", recovery_help: "Diez códigos nuevos reemplazan a los anteriores, que dejan de servir.",
    recovery_button: "Crear códigos nuevos",
    recovery_done: "Guarde estos códigos en un lugar seguro: cada uno sirve una vez en lugar del código de la aplicación, y no se volverán a mostrar.",
    activity_title: "Actividad reciente de su cuenta", activity_help: "Si ve algo que no hizo usted, cambie su contraseña y avise a su supervisor.",
    activity_none: "Sin actividad registrada.", activity_row: "{at}: {what}",
    activity_signed_in: "entró", activity_sign_in_failed: "intento de entrada rechazado", activity_signed_out: "cerró sesión",
    activity_reauthenticated: "confirmó que era usted", activity_reauth_failed: "confirmación rechazada",
    activity_enrolled: "activó la cuenta", activity_password_changed: "cambió la contraseña",
    activity_second_factor_changed: "cambió la clave de la aplicación de autenticación",
    activity_recovery_codes_renewed: "creó códigos de recuperación nuevos",
    activity_passkey_added: "agregó una llave de acceso", activity_passkey_removed: "quitó una llave de acceso",
    activity_token_created: "creó un token de API", activity_token_revoked: "revocó un token de API",
    credentials_changed: "Un dato de acceso de su cuenta cambió el {at}, después de su entrada anterior. Si no fue usted, cambie su contraseña y avise a su supervisor.",
    credentials_changed_link: "Ver la actividad de su cuenta",
    err_accounts_reauth_required: "confirme primero que es usted.",
    err_accounts_no_password: "esta cuenta entra con la cuenta del ministerio y no tiene contraseña ni código.",
    err_auth_session_required: "esto se hace desde el navegador con la sesión abierta.",
    enrol_title: "Activar su cuenta", enrol_for: "Cuenta: {name} ({login})",
    enrol_unknown: "Este enlace no es válido: ya se usó, venció, o la cuenta está desactivada. Pida uno nuevo.",
    enrol_step_app: "1. Abra su aplicación de autenticación y lea este código QR, o escriba la clave:",
    enrol_qr_alt: "Código QR de la clave de su cuenta para la aplicación de autenticación",
    enrol_secret: "Clave", enrol_step_password: "2. Elija su contraseña (de 12 a 128 caracteres, que no sea común ni su usuario) y escriba el código que muestra la aplicación:",
    enrol_password_again: "Repita la contraseña", enrol_mismatch: "Las dos contraseñas no coinciden.",
    enrol_button: "Activar la cuenta", enrol_refused: "No se pudo activar: {reason}",
    enrol_done: "Su cuenta está activa. Guarde estos códigos de recuperación en un lugar seguro: cada uno sirve una vez en lugar del código de la aplicación, y no se volverán a mostrar.",
    enrol_to_signin: "Ir a entrar",
    err_accounts_password_too_short: "la contraseña es demasiado corta (12 caracteres como mínimo).",
    err_accounts_password_too_long: "la contraseña es demasiado larga (128 caracteres como máximo).",
    err_accounts_password_common: "esa contraseña es de las más comunes; elija otra.",
    err_accounts_password_is_login: "la contraseña no puede ser su usuario.",
    err_accounts_wrong_code: "el código no corresponde; espere el siguiente y vuelva a escribirlo.",
    intake_title: "Registrar un caso", intake_help: "Los mensajes aparecen mientras escribe, con las mismas reglas que aplica el servidor. Los campos marcados con * son obligatorios.",
    registered: "Caso registrado: {number}", forms_to_print: "Formularios para imprimir:",
    open_case: "Abrir el caso", problems: "El registro tiene {n} problema(s).",
    pending_saved: "Sin conexión: el registro quedó pendiente y se enviará al volver la conexión.",
    pending_title: "Registros pendientes de envío", pending_item: "Pendiente desde {at}",
    pending_rejected: "Rechazado por el servidor ({code})", discard: "Descartar",
    sent_pending: "Registro pendiente enviado: {number}",
    sent_title: "Registrados en esta sesión", sent_from_queue: "enviado al volver la conexión (pendiente desde {at})",
    cases_title: "Casos", filter_status: "Estado", filter_category: "Categoría", filter_office: "Oficina",
    all: "Todos", apply: "Filtrar", col_number: "Número", col_name: "Nombre", col_office: "Oficina",
    col_category: "Categoría", col_status: "Estado", col_updated: "Actualizado", no_cases: "No hay casos.",
    grants_title: "Accesos de emergencia en curso", grant_line: "{user} abrió {case} hasta {until}: {reason}", grant_end: "Terminar",
    new: "nuevo", changed: "actualizado", live: "Actualización en vivo", live_off: "Sin actualización en vivo",
    case_title: "Caso {number}", history: "Historial", commands: "Acciones", forms: "Formularios",
    chain_ok: "Cadena de historial verificada: {n} eventos íntegros.", chain_bad: "¡Historial alterado! ({code}, evento {seq})",
    download: "Descargar PDF", generated: "generado", not_generated: "sin generar",
    conflict: "El caso cambió mientras tanto (ahora versión {current}). Se volvió a cargar; revise y repita la acción.",
    done: "Hecho.", note_text: "Nota", to_status: "Pasar a «{status}»", by_partner: "{command} por {partner}",
    col_priority: "Prioridad", col_consent: "Consentimiento", no_consent: "Sin consentimiento registrado",
    refused: "No se pudo: {message} ({code})", persons: "Personas", no_commands: "Ninguna acción disponible para su rol.",
    verify_title: "Verificar un formulario impreso", verify_help: "Escriba el código de verificación impreso bajo el código QR o al pie de cada página (XXXX-XXXX-XXXX). No se muestra ningún dato personal.",
    code: "Código de verificación", verify_button: "Verificar", scan_button: "Escanear el código QR",
    scan_looking: "Apunte la cámara al código QR del formulario…", scan_failed: "No se pudo usar la cámara.", scan_video: "Imagen de la cámara", genuine: "Formulario auténtico",
    not_genuine: "No existe ningún formulario con este código: el documento no es auténtico o el código se copió mal.",
    bad_code: "Eso no es un código de verificación (12 caracteres 0–9 y A–F).", too_many: "Demasiadas verificaciones fallidas desde este equipo. Intente más tarde.",
    form_line: "{title} — caso {number}, {office}, generado el {at}",
    signed_on_file: "Copia firmada archivada el {at}", signed_copy_received: "copia firmada recibida el {at}",
    nav_signed: "Formularios firmados", signed_title: "Archivar formularios firmados",
    signed_help: "Suelte aquí los formularios firmados escaneados o fotografiados (PDF, JPEG, PNG o WebP). Cada uno se archiva en su caso como copia firmada del formulario que indica su código QR; el nombre del archivo no se envía.",
    signed_drop: "Suelte los archivos aquí", signed_choose: "o elíjalos:", signed_sending: "enviando…",
    signed_unnamed: "(sin nombre)", signed_filed: "{form}: copia firmada archivada en el", signed_already: "{form}: ya estaba archivada en el",
    signed_case: "caso {number}", signed_summary: "Archivados: {filed}. Rechazados: {refused}.",
    refusal: {
      signed_copy: {
        no_code: "no se pudo leer el código QR de un formulario de SIPROC. Escanee la primera página completa, derecha y nítida.",
        unknown_form: "el código QR no corresponde a ningún formulario de un caso que usted pueda modificar.",
        other_case: "el código QR es de un formulario de otro caso: no se archiva en este.",
      },
      attachment: { media_type_not_allowed: "solo se aceptan archivos PDF, JPEG, PNG o WebP.", too_large: "el archivo es demasiado grande.",
        media_type_mismatch: "el contenido del archivo no es del tipo que dice su nombre (por ejemplo, una foto llamada .pdf).",
        empty: "el archivo está vacío.", bad_image: "la imagen no se puede leer.", bad_pdf: "el PDF no se puede leer (o está protegido con contraseña).",
        pdf_javascript: "el PDF contiene JavaScript: no se acepta.", pdf_embedded_file: "el PDF lleva otros archivos dentro: no se acepta.",
        not_found: "el caso no tiene ese archivo.", erased: "el archivo se borró con los datos personales del caso." },
      http: { body_too_large: "el archivo es demasiado grande." },
    },
    attachments_title: "Archivos adjuntos", no_attachments: "Este caso no tiene archivos adjuntos.", no_description: "(sin descripción)",
    attach_file: "Adjuntar archivo (PDF o foto)", attach_description: "Descripción (qué es; sin datos personales)",
    attach_help: "En un teléfono se abre la cámara. Las fotos se guardan sin su ubicación GPS ni otros metadatos; el nombre del archivo no se envía.",
    attach_button: "Adjuntar", attach_sending: "Enviando el archivo…", attach_done: "Archivo adjuntado.",
    attach_signed: "Archivo adjuntado como copia firmada de «{form}».", attach_already: "El caso ya tenía este archivo.",
    attach_refused: "No se adjuntó el archivo: {why}", download_file: "Descargar", thumbnail_of: "Miniatura: {what}",
    signed_copy_of: "copia firmada de «{form}», recibida el {at}", size_b: "{n} B", size_kb: "{n} KB", size_mb: "{n} MB",
    error: "Error {status}: {message}", offline_page: "Sin conexión.",
    loading_rules: "Cargando las reglas de validación…", retry: "Reintentar",
    load_network_title: "La página no terminó de cargar",
    load_network: "La conexión se cortó o es demasiado lenta. Compruebe la conexión y pulse «Reintentar»; se reintenta sola al volver la conexión. Los registros pendientes no se pierden.",
    load_page_title: "No se pudo mostrar la página",
    load_page: "Algo falló al mostrar esta página. Pulse «Reintentar»; si sigue ocurriendo, recargue la página o avise al soporte técnico.",
    pending_kept: "El servidor no pudo recibir el registro ahora ({status}): quedó pendiente y se reenviará solo.",
    pending_expiring: "se borrará de este equipo el {at} si no se envía: conéctese para enviarlo",
    signout_warning_title: "Hay registros sin enviar",
    signout_warning: "{n} registro(s) de este equipo aún no llegaron al servidor. Al salir se borran de este equipo y no se podrán enviar. Para enviarlos, quédese con la sesión abierta hasta que vuelva la conexión.",
    signout_stay: "Seguir en la sesión", signout_delete: "Borrarlos y salir",
    migrated: "migrado", incomplete: "incompleto: {n}", migrated_help: "Migrado de un registro anterior", incomplete_help: "Le faltan {n} dato(s) que hoy se piden",
    legacy_banner: "Caso migrado de un registro anterior ({source}, fila {row}).", legacy_complete: "Ya tiene todos los datos que hoy se piden al registrar.",
    legacy_missing: "Le faltan {n} dato(s) que hoy se piden al registrar; complételos con «Corregir un dato» o «Registrar el consentimiento»:",
    follow: { persons: "Una persona relacionada (familiar solicitante o tutor)", consent: "El consentimiento" },
    stats_title: "Estadísticas de protección", nav_stats: "Estadísticas",
    release_pick: "Publicación:", no_releases: "Aún no hay publicaciones.",
    chart_by_month: "Casos abiertos por mes y categoría", chart_open_by_office: "Casos abiertos por oficina y antigüedad (días)",
    chart_resolution: "Días hasta la resolución, por categoría", chart_sla: "Metas de resolución por categoría",
    chart_alt: "Gráfico: {title}. Los datos están en la tabla siguiente.", total: "Total", days: "Días", resolved_cases: "Casos resueltos",
    suppressed: "suprimido", suppressed_help: "Celda suprimida por control de divulgación: no se publica el número.",
    suppressed_note: "{n} celda(s) suprimida(s) (recuentos menores que {k} y las que permitirían recalcularlos); no se dibujan.",
    release_note: "Publicación con control de divulgación (k = {k}): ningún recuento de 1 a {k} − 1 se publica, ni los que permitirían recalcularlo.",
    full_note_all: "Tablas completas de todos los casos de todas las oficinas.", full_note_office: "Tablas completas de los casos que usted puede ver ({office}).",
    dim: { category: "Categoría", office: "Oficina", month: "Mes", aging: "Antigüedad (días)", resolution_sla: "Meta de resolución" },
    sla: { met: "Cumplida", breached: "Incumplida", pending: "Pendiente", no_target: "Sin meta" },
    duration: { median: "Mediana", p90: "Percentil 90" },
    arg: { to_office: "Oficina que recibe", partner: "Organización", reason: "Motivo (opcional)", service: "Servicio", given_on: "Fecha",
      description: "Descripción (opcional)", outcome: "Resultado", given: "Consentimiento otorgado", given_by: "Otorgado por",
      recorded_on: "Fecha de registro", scope: "Alcance", path: "Dato", value: "Valor correcto" },
    withdraw_help: "Retira todo el consentimiento registrado: las derivaciones pendientes se cancelan y el caso deja de compartirse.", issues_at: "{path}: {message}",
    form: { case: "Caso", person: "Persona connacional", consent: "Consentimiento", facts: "Datos de la categoría",
      choose: "— Seleccione —", phone: "Teléfono", country: "Código ISO, p. ej. HN", submit: "Registrar caso",
      consent_help: "Puede registrar el caso antes de tener el consentimiento (queda un aviso); al registrarlo, indique la fecha." },
    example: { valid: "Registro válido. Formularios a imprimir:", problems: "El registro tiene {n} problema(s)." },
    nothing_drawn: "Lo que se publica de este cuadro no basta para dibujarlo: vea la tabla.",
    filter_text: "Buscar", filter_text_help: "Nombre, número de caso o número de documento",
    transfer_in: "traslado a su oficina", transfer_in_help: "Traslado pendiente: acéptelo o recháchelo en la página del caso",
    transfer_in_banner: "{office} traslada este caso a su oficina. Acéptelo o recháchelo antes de actuar en él.",
    duplicates_found: "Puede que esta persona ya tenga un caso. Revíselo antes de registrar otro:",
    duplicate_of: "posible duplicado de", register_anyway: "Registrar de todos modos",
    reason: { same_document: "mismo documento", same_name_and_birth_date: "mismo nombre y fecha de nacimiento", similar_name: "nombre parecido" },
    record: "Expediente", person_n: "Persona {n}", yes: "Sí", no: "No", none: "Ninguno.", erased: "borrado",
    erased_help: "Dato personal borrado por el plan de conservación: ya no existe en el sistema.",
    transfer: "Traslado", referrals: "Remisiones", services: "Servicios prestados", notes: "Notas", follow_ups: "Datos pendientes",
  },
  en: {
    skip: "Skip to content", nav: "Main", brand: "SIPROC · Consular protection",
    other_language: "Español", signout: "Sign out", online: "Online", offline: "Offline",
    nav_signin: "Sign in", nav_intake: "Register", nav_cases: "Cases", nav_verify: "Verify a form",
    signin_title: "Sign in", token_title: "Sign in with a token (development)", token: "Access token",
    signin_help: "The token is kept in this tab only while it is open; never in the address.",
    signin_button: "Sign in", signin_bad: "The token is not valid.", signed_in_as: "Signed in: {user} ({role}, {office})",
    login: "Login", password: "Password", code: "Code",
    code_help: "The six digits your authenticator application shows now, or one of your recovery codes.",
    signin_refused: "The login, password or code is not right.",
    signin_wait: "Too many failed tries: wait {n} seconds and try again.",
    need_signin: "Sign in to see this page.",
    session_ended: "Your session has ended (unused too long, too old, or signed out). Sign in again to go back to the page.",
    nav_account: "My account", account_title: "My account", sessions_title: "Open sessions",
    session_this: "this session", session_method_password_totp: "password and code",
    session_method_password_recovery: "password and recovery code",
    session_method_oidc: "ministry account",
    oidc_or: "or", oidc_button: "Sign in with the ministry",
    oidc_refused: "Signing in with the ministry's account did not work: your account has no access to SIPROC, or the sign-in was interrupted. Try again or ask your supervisor.",
    oidc_unavailable: "The ministry's identity service is not answering now. Try again in a few minutes.",
    oidc_signing_in: "Signing in…",
    session_method_passkey: "passkey",
    passkey_title: "With a passkey", passkey_signin: "Sign in with a passkey",
    passkey_help: "The safest way: your phone, computer or security key asks for your fingerprint, face or PIN. No login to type.",
    passkey_unsupported: "This browser does not support passkeys: use the password and code.",
    passkey_unavailable: "This server offers no passkeys at this address.",
    passkey_refused: "The passkey was not accepted. Try again, or use the password and code.",
    passkey_cancelled: "No passkey was used.",
    passkeys_title: "Passkeys", passkeys_help: "Sign in without a password with your phone, computer or a security key. You may have several.",
    passkey_name: "Name of the new passkey (for example, “consulate laptop”)", passkey_add: "Add a passkey",
    passkey_added: "Passkey added.", passkey_remove: "Remove",
    passkey_row: "{name}: added {created}; {used}", passkey_used: "last used {at}", passkey_unused: "not used yet",
    tokens_title: "API tokens", tokens_help: "For programs (the chancellery's software, scripts): each token acts as you, never with more rights, and stops working when it expires, when you revoke it or if your account is disabled.",
    token_name: "Token name (which program)", token_lifetime: "Expires in", token_days: "{n} days",
    token_scopes: "What it may do", token_create: "Create the token", token_no_scope: "Choose at least one scope.",
    token_secret_once: "Copy the token now: it will not be shown again.", token_refused: "That did not work: check the name and try again.",
    token_row: "{name} ({scopes}): {state}", token_expires: "expires {at}", token_expired: "expired {at}",
    token_revoked: "revoked {at}", token_revoke: "Revoke",
    nav_users: "Users", users_title: "Users", users_list_title: "Users you may see",
    users_create_title: "New user", user_login: "Login", user_login_help: "2 to 64 lower-case letters, digits, “.”, “_” or “-”.",
    user_name: "Name others see (optional)", user_role: "Role", user_office: "Office", user_create: "Create the user",
    user_link_once: "Activation link for {login}: give it to that person alone. It works once, for 72 hours, and will not be shown again.",
    user_state_active: "active", user_state_disabled: "disabled", user_disable: "Disable", user_enable: "Re-enable",
    user_save: "Save role and office", user_new_link: "New activation link", user_saved: "Changes saved for {login}.",
    user_refused: "The change could not be made.",
    user_col_login: "Login", user_col_name: "Name", user_col_role: "Role", user_col_office: "Office", user_col_state: "State", user_col_actions: "Actions",
    session_row: "Signed in {created} ({method}); last used {seen}",
    signout_everywhere: "Sign out everywhere", session_end: "End this session",
    signout_everywhere_help: "Ends your session in every browser and computer, this one included.",
    security_title: "Password, code and recovery codes",
    security_help: "To change them, first confirm it is you: your current password and your application's code (or a recovery code), or a passkey. The confirmation lasts five minutes.",
    reauth_button: "Confirm it is me", reauth_passkey: "Confirm with a passkey",
    reauth_refused: "The password, code or passkey is not right.",
    reauth_done: "Confirmed: for five minutes you may change your password, your authenticator application or your recovery codes.",
    reauth_needed: "More than five minutes have passed: confirm again that it is you.",
    change_refused: "The change could not be made: {reason}",
    password_show: "Show the password", strength_label: "Password strength",
    strength_1: "accepted, but weak: make it longer.", strength_2: "accepted, fair: a longer phrase would be better.",
    strength_3: "accepted, good.", strength_4: "accepted, very good.",
    password_change_title: "Change the password", password_new: "New password", password_change_button: "Change the password",
    password_changed: "Password changed. Your other sessions were ended; this one stays open.",
    second_factor_title: "Authenticator application", second_factor_help: "Use another application or a new phone: the current key stops working when you confirm the new one.",
    second_factor_button: "Set up a new key", second_factor_step: "Scan this QR code with your authenticator application, or type the key, then type the code it shows:",
    second_factor_confirm: "Confirm the new key",
    second_factor_changed: "New key active: the previous one no longer works. Your other sessions were ended; this one stays open.",
    recovery_title: "Recovery codes", recovery_help: "Ten new codes replace the earlier ones, which stop working.",
    recovery_button: "Make new codes",
    recovery_done: "Keep these codes somewhere safe: each works once instead of the application's code, and they will not be shown again.",
    activity_title: "Recent activity of your account", activity_help: "If you see something you did not do, change your password and tell your supervisor.",
    activity_none: "No activity recorded.", activity_row: "{at}: {what}",
    activity_signed_in: "signed in", activity_sign_in_failed: "sign-in refused", activity_signed_out: "signed out",
    activity_reauthenticated: "confirmed it was you", activity_reauth_failed: "confirmation refused",
    activity_enrolled: "activated the account", activity_password_changed: "changed the password",
    activity_second_factor_changed: "changed the authenticator application's key",
    activity_recovery_codes_renewed: "made new recovery codes",
    activity_passkey_added: "added a passkey", activity_passkey_removed: "removed a passkey",
    activity_token_created: "created an API token", activity_token_revoked: "revoked an API token",
    credentials_changed: "A credential of your account changed on {at}, after your previous sign-in. If it was not you, change your password and tell your supervisor.",
    credentials_changed_link: "See your account's activity",
    err_accounts_reauth_required: "first confirm it is you.",
    err_accounts_no_password: "this account signs in with the ministry's account and has no password or code.",
    err_auth_session_required: "this is done from the browser with the session open.",
    enrol_title: "Activate your account", enrol_for: "Account: {name} ({login})",
    enrol_unknown: "This link is not valid: it was used, it expired, or the account is disabled. Ask for a new one.",
    enrol_step_app: "1. Open your authenticator application and scan this QR code, or type the key:",
    enrol_qr_alt: "QR code of your account's key for the authenticator application",
    enrol_secret: "Key", enrol_step_password: "2. Choose your password (12 to 128 characters, not a common one nor your login) and type the code the application shows:",
    enrol_password_again: "Repeat the password", enrol_mismatch: "The two passwords differ.",
    enrol_button: "Activate the account", enrol_refused: "The account could not be activated: {reason}",
    enrol_done: "Your account is active. Keep these recovery codes somewhere safe: each works once instead of the application's code, and they will not be shown again.",
    enrol_to_signin: "Go to sign in",
    err_accounts_password_too_short: "the password is too short (at least 12 characters).",
    err_accounts_password_too_long: "the password is too long (at most 128 characters).",
    err_accounts_password_common: "that password is one of the most common; choose another.",
    err_accounts_password_is_login: "the password cannot be your login.",
    err_accounts_wrong_code: "the code does not match; wait for the next one and type it again.",
    intake_title: "Register a case", intake_help: "Messages appear as you type, with the same rules as the server. Fields marked * are required.",
    registered: "Case registered: {number}", forms_to_print: "Forms to print:",
    open_case: "Open the case", problems: "The record has {n} problem(s).",
    pending_saved: "Offline: the record is pending and will be sent when the connection returns.",
    pending_title: "Records waiting to be sent", pending_item: "Pending since {at}",
    pending_rejected: "Refused by the server ({code})", discard: "Discard",
    sent_pending: "Pending record sent: {number}",
    sent_title: "Registered in this session", sent_from_queue: "sent when the connection came back (pending since {at})",
    cases_title: "Cases", filter_status: "Status", filter_category: "Category", filter_office: "Office",
    all: "All", apply: "Filter", col_number: "Number", col_name: "Name", col_office: "Office",
    col_category: "Category", col_status: "Status", col_updated: "Updated", no_cases: "No cases.",
    grants_title: "Break-the-glass grants in force", grant_line: "{user} opened {case} until {until}: {reason}", grant_end: "End",
    new: "new", changed: "updated", live: "Live updates", live_off: "No live updates",
    case_title: "Case {number}", history: "History", commands: "Actions", forms: "Forms",
    chain_ok: "History chain verified: {n} events intact.", chain_bad: "History tampered with! ({code}, event {seq})",
    download: "Download PDF", generated: "generated", not_generated: "not generated",
    conflict: "The case changed meanwhile (now version {current}). It was reloaded; check it and repeat the action.",
    done: "Done.", note_text: "Note", to_status: "Move to “{status}”", by_partner: "{command} by {partner}",
    col_priority: "Priority", col_consent: "Consent", no_consent: "No consent recorded",
    refused: "Refused: {message} ({code})", persons: "Persons", no_commands: "No action available for your role.",
    verify_title: "Verify a printed form", verify_help: "Type the verification code printed under the QR code or at the foot of each page (XXXX-XXXX-XXXX). No personal data is shown.",
    code: "Verification code", verify_button: "Verify", scan_button: "Scan the QR code",
    scan_looking: "Point the camera at the form's QR code…", scan_failed: "The camera could not be used.", scan_video: "Camera image", genuine: "Genuine form",
    not_genuine: "No form has this code: the document is not genuine or the code was mistyped.",
    bad_code: "That is not a verification code (12 characters 0–9 and A–F).", too_many: "Too many failed checks from this device. Try again later.",
    form_line: "{title} — case {number}, {office}, generated on {at}",
    signed_on_file: "Signed copy on file since {at}", signed_copy_received: "signed copy received on {at}",
    nav_signed: "Signed forms", signed_title: "File signed forms",
    signed_help: "Drop the scanned or photographed signed forms here (PDF, JPEG, PNG or WebP). Each is filed in its case as the signed copy of the form its QR code names; the file's name is not sent.",
    signed_drop: "Drop the files here", signed_choose: "or choose them:", signed_sending: "sending…",
    signed_unnamed: "(no name)", signed_filed: "{form}: signed copy filed in", signed_already: "{form}: already on file in",
    signed_case: "case {number}", signed_summary: "Filed: {filed}. Refused: {refused}.",
    refusal: {
      signed_copy: {
        no_code: "no SIPROC form's QR code could be read. Scan the whole first page, straight and sharp.",
        unknown_form: "the QR code names no form of a case you may change.",
        other_case: "the QR code is on another case's form: it is not filed in this one.",
      },
      attachment: { media_type_not_allowed: "only PDF, JPEG, PNG or WebP files are accepted.", too_large: "the file is too large.",
        media_type_mismatch: "the file's content is not of the type its name says (a photo named .pdf, for example).",
        empty: "the file is empty.", bad_image: "the image cannot be read.", bad_pdf: "the PDF cannot be read (or is password-protected).",
        pdf_javascript: "the PDF carries JavaScript: it is not accepted.", pdf_embedded_file: "the PDF carries other files inside: it is not accepted.",
        not_found: "the case has no such file.", erased: "the file was erased with the case's personal data." },
      http: { body_too_large: "the file is too large." },
    },
    attachments_title: "Attachments", no_attachments: "This case has no attachments.", no_description: "(no description)",
    attach_file: "Attach a file (PDF or photo)", attach_description: "Description (what it is; no personal data)",
    attach_help: "On a phone the camera opens. Photos are kept without their GPS position or other metadata; the file's name is not sent.",
    attach_button: "Attach", attach_sending: "Sending the file…", attach_done: "File attached.",
    attach_signed: "File attached as the signed copy of “{form}”.", attach_already: "The case already had this file.",
    attach_refused: "The file was not attached: {why}", download_file: "Download", thumbnail_of: "Thumbnail: {what}",
    signed_copy_of: "signed copy of “{form}”, received on {at}", size_b: "{n} B", size_kb: "{n} KB", size_mb: "{n} MB",
    error: "Error {status}: {message}", offline_page: "Offline.",
    loading_rules: "Loading the validation rules…", retry: "Retry",
    load_network_title: "The page did not finish loading",
    load_network: "The connection dropped or is too slow. Check the connection and press “Retry”; it retries by itself when the connection returns. Pending records are not lost.",
    load_page_title: "The page could not be shown",
    load_page: "Something went wrong showing this page. Press “Retry”; if it keeps happening, reload the page or tell technical support.",
    pending_kept: "The server could not take the record just now ({status}): it is pending and will be sent again by itself.",
    pending_expiring: "will be deleted from this computer on {at} unless sent: connect to send it",
    signout_warning_title: "Records not sent",
    signout_warning: "{n} record(s) on this computer have not reached the server. Signing out deletes them from this computer and they cannot be sent. To send them, stay signed in until the connection returns.",
    signout_stay: "Stay signed in", signout_delete: "Delete them and sign out",
    migrated: "migrated", incomplete: "incomplete: {n}", migrated_help: "Migrated from an earlier log", incomplete_help: "Lacks {n} item(s) today's intake asks for",
    legacy_banner: "Case migrated from an earlier log ({source}, row {row}).", legacy_complete: "It has everything today's intake asks for.",
    legacy_missing: "It lacks {n} item(s) today's intake asks for; complete them with “Correct a value” or “Record consent”:",
    follow: { persons: "A related person (requesting relative or guardian)", consent: "Consent" },
    stats_title: "Protection statistics", nav_stats: "Statistics",
    release_pick: "Release:", no_releases: "No release has been published yet.",
    chart_by_month: "Cases opened by month and category", chart_open_by_office: "Open cases by office and age (days)",
    chart_resolution: "Days to resolution, by category", chart_sla: "Resolution targets by category",
    chart_alt: "Chart: {title}. The data are in the table below.", total: "Total", days: "Days", resolved_cases: "Resolved cases",
    suppressed: "suppressed", suppressed_help: "Cell suppressed by disclosure control: the number is not published.",
    suppressed_note: "{n} cell(s) suppressed (counts below {k} and those that would let them be recomputed); not drawn.",
    release_note: "Disclosure-controlled release (k = {k}): no count from 1 to {k} − 1 is published, nor any that would let one be recomputed.",
    full_note_all: "Full tables of every office's cases.", full_note_office: "Full tables of the cases you may see ({office}).",
    dim: { category: "Category", office: "Office", month: "Month", aging: "Age (days)", resolution_sla: "Resolution target" },
    sla: { met: "Met", breached: "Breached", pending: "Pending", no_target: "No target" },
    duration: { median: "Median", p90: "90th percentile" },
    arg: { to_office: "Receiving office", partner: "Organisation", reason: "Reason (optional)", service: "Service", given_on: "Date",
      description: "Description (optional)", outcome: "Outcome", given: "Consent given", given_by: "Given by",
      recorded_on: "Recorded on", scope: "Scope", path: "Value", value: "Correct value" },
    withdraw_help: "Withdraws all recorded consent: pending referrals are cancelled and the case is no longer shared.", issues_at: "{path}: {message}",
    form: { case: "Case", person: "National", consent: "Consent", facts: "Category facts",
      choose: "— Choose —", phone: "Phone", country: "ISO code, e.g. HN", submit: "Register case",
      consent_help: "The case may be registered before consent is recorded (a warning remains); when it is, give its date." },
    example: { valid: "Valid record. Forms to print:", problems: "The record has {n} problem(s)." },
    nothing_drawn: "What is published of this table is too little to draw: see the table.",
    filter_text: "Search", filter_text_help: "Name, case number or document number",
    transfer_in: "transfer to your office", transfer_in_help: "Pending transfer: accept or decline it on the case page",
    transfer_in_banner: "{office} is transferring this case to your office. Accept or decline it before acting on it.",
    duplicates_found: "This person may already have a case. Check it before registering another:",
    duplicate_of: "possible duplicate of", register_anyway: "Register anyway",
    reason: { same_document: "same document", same_name_and_birth_date: "same name and birth date", similar_name: "similar name" },
    record: "Case file", person_n: "Person {n}", yes: "Yes", no: "No", none: "None.", erased: "erased",
    erased_help: "Personal value erased under the retention schedule: it no longer exists in the system.",
    transfer: "Transfer", referrals: "Referrals", services: "Services given", notes: "Notes", follow_ups: "Items still missing",
  },
};

/** The current locale: "es" unless the user chose English. */
export let locale = localStorage.getItem("siproc.locale") === "en" ? "en" : "es";

/**
 * Switches the locale without reloading the page (a half-filled form stays: issue 33): every
 * module reads `locale` live; main.js redraws the header and the page on "siproc:locale".
 */
export function toggleLocale() {
  locale = locale === "es" ? "en" : "es";
  localStorage.setItem("siproc.locale", locale);
  dispatchEvent(new Event("siproc:locale"));
}

/**
 * The word `key` (a dotted path) with `{name}` placeholders filled from `vars`, in the user's
 * locale or in `in_` ("es" or "en").
 */
export function t(key, vars = {}, in_ = locale) {
  const text = key.split(".").reduce((node, k) => node?.[k], WORDS[in_] ?? WORDS.es) ?? key;
  return String(text).replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

/**
 * A refused request in words: the application's own wording of its code (`refusal.<code>`: a
 * file refused, a signed copy not filed) if it has one, else the server's message (in the
 * user's language) with the status.
 */
export function refusal(answer) {
  const code = answer.data?.code ?? "";
  const own = code.split(".").reduce((node, k) => node?.[k], (WORDS[locale] ?? WORDS.es).refusal);
  return typeof own === "string" ? own : t("error", { status: answer.status, message: answer.data?.message ?? "" });
}

const labels = new Map();
/**
 * The core's label of `code` in vocabulary `name` (`status`, `priority`, `consent_scope`, `role`,
 * `command`, `event`, `office`, `category`, `service`, `partner`, `form`, …) in the user's
 * locale: siproc-wasm's catalog view, the words the PDF forms print. An unknown code is shown
 * as it is. (siproc-wasm must be initialised first: main.js does it before any page.)
 */
export function label(name, code, in_ = locale) {
  if (!labels.has(in_)) labels.set(in_, wasm.catalog(in_, "hn").labels);
  return labels.get(in_)[name]?.[code] ?? String(code ?? "");
}

/** Every code of vocabulary `name` with its label (`office`: the pack's offices), as `label`. */
export function vocabulary(name, in_ = locale) {
  label(name, "", in_);
  return labels.get(in_)[name] ?? {};
}

let zones = null;
/**
 * The IANA time zone of office `office` (the pack's, from the catalog view's `time_zones`), or
 * undefined (the browser's own zone) when it is unknown or the module is not loaded.
 */
export function zoneOf(office) {
  try {
    zones ??= wasm.catalog("es", "hn").time_zones;
    return zones[office];
  } catch {
    return undefined;
  }
}

/** The time zone dates are shown in: the user's office's (main.js sets it once signed in). */
let zone;
/** Shows dates and times in the time zone of `office` (the signed-in user's). */
export const useOffice = (office) => { zone = zoneOf(office); };

/**
 * Today's date (`2026-03-02`) at office `office` (by default the user's): the office's local
 * date, from the browser's time zone data (Intl), not the UTC date (issue 33: after 18:00 in
 * Tegucigalpa the UTC date is tomorrow's).
 */
export function localToday(office, now = new Date()) {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: zoneOf(office) ?? zone, year: "numeric", month: "2-digit", day: "2-digit" })
    .formatToParts(now);
  const part = (type) => parts.find((p) => p.type === type).value;
  return `${part("year")}-${part("month")}-${part("day")}`;
}

/**
 * A date-time in the locale's words, at office `office` (by default the user's), or in time
 * zone `timeZone` (an IANA name, as a public page gets it from the server).
 */
export const when = (iso, office, timeZone = zoneOf(office) ?? zone) => new Date(iso).toLocaleString(
  locale === "es" ? "es-HN" : "en-GB", { dateStyle: "medium", timeStyle: "short", timeZone });

/** A calendar date (`2026-03-02`, no time of day) in the locale's words. */
export const day = (iso) => (iso ? new Date(`${iso}T00:00:00Z`).toLocaleDateString(locale === "es" ? "es-HN" : "en-GB",
  { dateStyle: "medium", timeZone: "UTC" }) : "");
