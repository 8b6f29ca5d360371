//! The core's types in the OpenAPI document. The core derives a JSON Schema (2020-12, through
//! `schemars`) for every type the API sends or reads as it is — the intake, the case, its
//! summary, a command, an event, an issue, an access-log entry, a grant, an import report,
//! statistics — from the same definitions that serialise them; OpenAPI 3.1 takes those
//! schemas as they are. Each type below is a name for utoipa's annotations (`body = Case`,
//! `value_type = Vec<Issue>`), which makes a `$ref` to `#/components/schemas/<name>`;
//! [`document`] puts the core's schema under that name (with every schema it refers to).

use std::borrow::Cow;

use schemars::SchemaGenerator;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value};
use utoipa::OpenApi;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::info::{ContactBuilder, LicenseBuilder};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{Ref, RefOr};

macro_rules! core_schemas {
    ($($(#[$doc:meta])* $name:ident = $core:ty;)*) => {
        $(
            $(#[$doc])*
            #[derive(Debug)]
            pub struct $name;

            impl utoipa::PartialSchema for $name {
                /// A placeholder: [`document`] puts the core's schema under this name.
                fn schema() -> RefOr<Schema> {
                    ObjectBuilder::new().into()
                }
            }

            impl utoipa::ToSchema for $name {
                fn name() -> Cow<'static, str> {
                    <$core as schemars::JsonSchema>::schema_name()
                }
            }
        )*

        /// Adds the schema of every core type named here (and what they refer to).
        fn core_definitions(generator: &mut SchemaGenerator) {
            $( generator.subschema_for::<$core>(); )*
        }

        /// The component names the core's schemas take.
        pub fn core_names() -> Vec<Cow<'static, str>> {
            vec![$( <$core as schemars::JsonSchema>::schema_name() ),*]
        }
    };
}

core_schemas! {
    /// An intake: what registers a case (`siproc-core/schema/intake.schema.json`).
    Intake = siproc_core::Intake;
    /// What a list shows of a case: no personal data.
    CaseSummary = siproc_core::store::CaseSummary;
    /// A workflow command, keyed by `command`.
    Command = siproc_core::workflow::Command;
    /// One event of a case's history, its kind keyed by `type`.
    Event = siproc_core::history::Event;
    /// One problem found in input: code, JSON Pointer, severity, message.
    Issue = siproc_core::Issue;
    /// A workflow status.
    Status = siproc_core::Status;
    /// A role.
    Role = siproc_core::Role;
    /// One line of the access log.
    AccessEntry = siproc_core::access::AccessEntry;
    /// A case as `GET /cases/{id}` answers it: the case and the commands the caller may run.
    CaseBody = crate::routes::cases::CaseBody;
    /// A four-eyes export request.
    ExportRequest = siproc_core::archive::ExportRequest;
    /// A file of the case file, by reference: digest, media type, size, description.
    Attachment = siproc_core::Attachment;
    /// A file as filed: the attachment and, for a form's signed copy, the form it signs.
    FiledAttachment = siproc_core::history::AddedAttachment;
    /// A break-the-glass grant.
    Grant = siproc_core::access::Grant;
    /// What is held about one person (`POST /subject-access`).
    SubjectReport = siproc_core::subject_access::SubjectReport;
    /// One line of the audit log.
    AuditEntry = siproc_core::audit::AuditEntry;
    /// One line of the log of paper-form checks.
    FormCheckRecord = siproc_core::store::FormCheckRecord;
    /// How a paper-form check ended.
    CheckOutcome = siproc_core::store::CheckOutcome;
    /// What an archive import found and did.
    ImportReport = siproc_core::archive::ImportReport;
    /// Statistics with every count (staff).
    Statistics = siproc_core::stats::Statistics;
    /// The disclosure-controlled statistics tables of a release.
    Release = siproc_core::stats::Release;
    /// A published statistics release (partners): a closed period's perturbed, suppressed
    /// tables, with its id and version.
    PublishedRelease = siproc_core::stats::releases::PublishedRelease;
    /// What a list of releases shows of one.
    ReleaseSummary = siproc_core::stats::releases::ReleaseSummary;
    /// A user (never a credential).
    User = siproc_core::accounts::User;
    /// What creates a user.
    NewUser = siproc_core::accounts::NewUser;
    /// A change to a user.
    UserChange = siproc_core::accounts::UserChange;
    /// An API token as listed (never its secret).
    ApiToken = siproc_core::accounts::tokens::ApiToken;
    /// What creates an API token.
    NewToken = siproc_core::accounts::tokens::NewToken;
    /// A signed-in session as listed to its user (never its secret).
    Session = siproc_core::accounts::sessions::Session;
    /// A passkey as listed to its owner (never its key).
    PasskeyInfo = siproc_core::accounts::passkeys::PasskeyInfo;
    /// The core's verdict on a password being chosen, and its estimated strength.
    PasswordVerdict = siproc_core::accounts::password::PasswordVerdict;
}

/// The served OpenAPI document: utoipa's, derived from the handlers' annotations and
/// completed by [`Shared`], with the core's schemas under the names the annotations refer to.
pub fn document() -> Result<Value, serde_json::Error> {
    let mut doc = serde_json::to_value(crate::routes::ApiDoc::openapi())?;
    let definitions = core_schemas();
    let Some(doc_map) = doc.as_object_mut() else {
        return Ok(doc);
    };
    let components = doc_map
        .entry("components")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(components) = components.as_object_mut() {
        let schemas = components
            .entry("schemas")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(schemas) = schemas.as_object_mut() {
            schemas.extend(definitions);
            for (union, tag) in TAGGED {
                name_variants(schemas, union, tag);
            }
            for schema in schemas.values_mut() {
                plain_enum(schema);
            }
            // An event's `data` is a `FeedEntry` as JSON (utoipa has no `contentSchema`).
            if let Some(data) = schemas
                .get_mut("FeedEvent")
                .and_then(|e| e.pointer_mut("/properties/data"))
                .and_then(Value::as_object_mut)
            {
                data.insert("contentSchema".to_owned(), reference("FeedEntry"));
            }
        }
    }
    Ok(doc)
}

/// The core's schemas (JSON Schema 2020-12, from `schemars`), by component name: the types
/// named in this module and every type they refer to.
pub fn core_schemas() -> Map<String, Value> {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = "/components/schemas/".into();
    settings.meta_schema = None;
    let mut generator = settings.into_generator();
    core_definitions(&mut generator);
    generator.take_definitions(true)
}

/// What every operation shares, added to utoipa's document: the bearer scheme; on every
/// operation that needs a token, its 401 (with `WWW-Authenticate`), 429 (with `Retry-After`)
/// and 500; `security: []` on the public ones; contact and licence from the package.
#[derive(Debug)]
pub struct Shared;

const UNAUTHORIZED: &str = "Unauthorized";
const TOO_MANY_REQUESTS: &str = "TooManyRequests";
const INTERNAL: &str = "Internal";
const INSUFFICIENT_SCOPE: &str = "InsufficientScope";

fn error_response(description: &str, header: Option<(&str, &str, Type)>) -> Response {
    let mut response = ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("ErrorBody")))
            .build(),
    );
    if let Some((name, about, kind)) = header {
        response = response.header(
            name,
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(kind))
                .description(Some(about))
                .build(),
        );
    }
    response.build()
}

impl utoipa::Modify for Shared {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let repository = env!("CARGO_PKG_REPOSITORY");
        openapi.info.contact = Some(
            ContactBuilder::new()
                .name(Some("siproc maintainers"))
                .url(Some(repository))
                .build(),
        );
        openapi.info.license = Some(
            LicenseBuilder::new()
                .name(env!("CARGO_PKG_LICENSE"))
                .url(Some(repository))
                .build(),
        );
        openapi.info.version = env!("CARGO_PKG_VERSION").to_owned();
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token (`POST /tokens`, or `siproc-server token create --user U`): it acts as its owner's current role and office, within its scopes (`cases:read`, `cases:write`, …; 403 `auth.insufficient_scope` otherwise)",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::session::SECURE_COOKIE,
                "The session of a person signed in to the web application (`POST /session`): the cookie `__Host-siproc_session` over HTTPS, `siproc_session` over plain HTTP. It acts as its user's current role and office (no scopes). A request that is not a read must come from this server's origin (`Origin`, or `Sec-Fetch-Site: same-origin`) and send the session's CSRF token as `X-CSRF-Token` (403 `auth.csrf` otherwise)",
            ))),
        );
        components.responses.insert(
            UNAUTHORIZED.to_owned(),
            error_response(
                "No valid bearer token (`auth.unauthorized`)",
                Some(("WWW-Authenticate", "`Bearer`", Type::String)),
            )
            .into(),
        );
        components.responses.insert(
            TOO_MANY_REQUESTS.to_owned(),
            error_response(
                "Too many requests with this token (`http.rate_limited`)",
                Some((
                    "Retry-After",
                    "Seconds until the next request is allowed",
                    Type::Integer,
                )),
            )
            .into(),
        );
        components.responses.insert(
            INTERNAL.to_owned(),
            error_response(
                "A fault of the server (`server.internal`): logged, answered with a generic message",
                None,
            )
            .into(),
        );
        components.responses.insert(
            INSUFFICIENT_SCOPE.to_owned(),
            error_response(
                "The API token lacks the scope this route needs (`auth.insufficient_scope`), or the role may not do this",
                None,
            )
            .into(),
        );
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                (axum::http::Method::GET, &mut item.get),
                (axum::http::Method::POST, &mut item.post),
                (axum::http::Method::PUT, &mut item.put),
                (axum::http::Method::PATCH, &mut item.patch),
                (axum::http::Method::DELETE, &mut item.delete),
            ];
            for (method, operation) in operations {
                let Some(operation) = operation else {
                    continue;
                };
                let public = operation
                    .security
                    .as_ref()
                    .is_none_or(|s| s.iter().all(|r| r == &SecurityRequirement::default()));
                if public {
                    operation.security = Some(Vec::new());
                    continue;
                }
                // Every operation a token may call, a signed-in person may too (but the
                // metrics, which a session does not read).
                if path != "/metrics"
                    && let Some(security) = operation.security.as_mut()
                {
                    security.push(SecurityRequirement::new("session", Vec::<String>::new()));
                }
                let scoped = crate::auth::required_scope(&method, path).is_some();
                let shared = [
                    ("401", UNAUTHORIZED),
                    ("429", TOO_MANY_REQUESTS),
                    ("500", INTERNAL),
                ];
                let scope = scoped.then_some(("403", INSUFFICIENT_SCOPE));
                for (status, name) in shared.into_iter().chain(scope) {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| {
                            Ref::new(format!("#/components/responses/{name}")).into()
                        });
                }
            }
        }
    }
}

/// The core's unions keyed by a tag: a command by `command`, an event's kind by `type`.
const TAGGED: [(&str, &str); 3] = [
    ("Command", "command"),
    ("EventKind", "type"),
    ("AuditEvent", "kind"),
];

/// Gives each variant of the union `union` (a `oneOf` whose members each hold their `tag` as a
/// `const`) a component of its own, `{union}_{tag value}`, and the union a `discriminator` on
/// `tag` mapping each value to it: what client generators read to tell the variants apart.
fn name_variants(schemas: &mut Map<String, Value>, union: &str, tag: &str) {
    let Some(variants) = schemas
        .get_mut(union)
        .and_then(|u| u.get_mut("oneOf"))
        .and_then(Value::as_array_mut)
        .map(std::mem::take)
    else {
        return;
    };
    let mut named = Vec::with_capacity(variants.len());
    let mut mapping = Map::new();
    let mut components = Vec::new();
    for variant in variants {
        let value = variant
            .pointer(&format!("/properties/{tag}/const"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        match value {
            Some(value) => {
                let name = format!("{union}_{value}");
                mapping.insert(value, Value::String(format!("#/components/schemas/{name}")));
                named.push(reference(&name));
                components.push((name, variant));
            }
            // Not keyed by the tag: left as it is, and no discriminator.
            None => named.push(variant),
        }
    }
    let keyed = mapping.len() == named.len();
    schemas.extend(components);
    if let Some(union) = schemas.get_mut(union).and_then(Value::as_object_mut) {
        union.insert("oneOf".to_owned(), Value::Array(named));
        if keyed {
            let mut discriminator = Map::new();
            discriminator.insert("propertyName".to_owned(), Value::String(tag.to_owned()));
            discriminator.insert("mapping".to_owned(), Value::Object(mapping));
            union.insert("discriminator".to_owned(), Value::Object(discriminator));
        }
    }
}

/// Writes a `oneOf` of string constants (how `schemars` keeps each unit variant's doc) as the
/// `enum` it means, the variants' docs in its description: the same values, in the form every
/// client generator reads.
fn plain_enum(schema: &mut Value) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    let Some(variants) = object.get("oneOf").and_then(Value::as_array) else {
        return;
    };
    let mut values = Vec::with_capacity(variants.len());
    let mut lines = Vec::with_capacity(variants.len());
    for variant in variants {
        let Some(value) = variant
            .get("const")
            .and_then(Value::as_str)
            .filter(|_| variant["type"] == "string")
        else {
            return;
        };
        values.push(Value::String(value.to_owned()));
        let about = variant.get("description").and_then(Value::as_str);
        lines.push(match about {
            Some(about) => format!("- `{value}`: {about}"),
            None => format!("- `{value}`"),
        });
    }
    let mut description = object
        .get("description")
        .and_then(Value::as_str)
        .map(|d| format!("{d}\n\n"))
        .unwrap_or_default();
    description.push_str(&lines.join("\n"));
    object.remove("oneOf");
    object.insert("type".to_owned(), Value::String("string".to_owned()));
    object.insert("enum".to_owned(), Value::Array(values));
    object.insert("description".to_owned(), Value::String(description));
}

/// `{"$ref": "#/components/schemas/NAME"}`.
fn reference(name: &str) -> Value {
    let mut map = Map::new();
    map.insert(
        "$ref".to_owned(),
        Value::String(format!("#/components/schemas/{name}")),
    );
    Value::Object(map)
}

/// A string schema with `values` as its `enum` (a stable code, an outcome).
pub fn string_enum<'a>(values: impl IntoIterator<Item = &'a str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .into()
}

/// A binary body (a PDF, an archive): `type: string, format: binary`.
#[derive(Debug)]
pub struct Binary;

impl utoipa::PartialSchema for Binary {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Binary,
            )))
            .into()
    }
}

impl utoipa::ToSchema for Binary {}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]

    use super::*;

    fn doc() -> Value {
        document().unwrap()
    }

    fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
        let mut out = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                out.push((method.clone(), path.clone(), operation));
            }
        }
        out
    }

    fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                for (key, inner) in map {
                    if key == "$ref" {
                        out.extend(inner.as_str());
                    } else {
                        refs(inner, out);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }

    #[test]
    fn every_reference_resolves_in_the_document() {
        let doc = doc();
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(found.len() > 50, "{}", found.len());
        for r in found {
            let pointer = r
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("external: {r}"));
            assert!(doc.pointer(pointer).is_some(), "{r} does not resolve");
        }
    }

    #[test]
    fn the_core_schemas_take_no_name_the_server_uses() {
        let ours = serde_json::to_value(crate::routes::ApiDoc::openapi()).unwrap();
        let ours = ours["components"]["schemas"].as_object().unwrap();
        let markers = core_names();
        for name in core_schemas().keys() {
            assert!(
                !ours.contains_key(name) || markers.iter().any(|m| m == name),
                "{name} is both the core's and the server's"
            );
        }
        for marker in markers {
            assert!(core_schemas().contains_key(marker.as_ref()), "{marker}");
        }
    }

    #[test]
    fn the_error_body_documented_is_the_one_sent() {
        let doc = doc();
        let body = &doc["components"]["schemas"]["ErrorBody"];
        let mut documented: Vec<&str> = body["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        documented.sort_unstable();
        assert_eq!(documented, ["code", "current", "issues", "message"]);
        assert_eq!(body["required"], serde_json::json!(["code", "message"]));
        let issue = &doc["components"]["schemas"]["Issue"]["properties"];
        for field in ["code", "path", "severity", "message"] {
            assert!(issue.get(field).is_some(), "{field}");
        }
        let codes = doc["components"]["schemas"]["ErrorCode"]["enum"]
            .as_array()
            .unwrap();
        for code in ["store.conflict", "workflow.wrong_status", "http.bad_query"] {
            assert!(codes.contains(&Value::from(code)), "{code}");
        }
    }

    #[test]
    fn every_code_the_server_writes_is_in_the_error_code_enum() {
        let sources = [
            include_str!("auth.rs"),
            include_str!("error.rs"),
            include_str!("extract.rs"),
            include_str!("json.rs"),
            include_str!("routes/admin.rs"),
            include_str!("routes/cases.rs"),
            include_str!("routes/events.rs"),
            include_str!("routes/form_check.rs"),
            include_str!("routes/shared.rs"),
            include_str!("routes/stats.rs"),
            include_str!("routes/webapp.rs"),
            include_str!("routes/users.rs"),
            include_str!("routes/session.rs"),
            include_str!("routes/enrolment.rs"),
            include_str!("routes/tokens.rs"),
            include_str!("routes/account.rs"),
        ];
        let all = crate::error::ErrorCode::all();
        let mut seen = 0;
        for source in sources {
            for piece in source.split("code: \"").skip(1) {
                let code = piece.split('"').next().unwrap();
                assert!(all.contains(&code), "{code} is not listed in SERVER_CODES");
                seen += 1;
            }
        }
        assert!(seen > 10, "{seen}");
    }

    #[test]
    fn public_operations_declare_no_security_and_the_others_answer_401() {
        let doc = doc();
        let public = [
            ("post", "/form-checks"),
            ("get", "/health"),
            ("get", "/ready"),
            ("get", "/workflow"),
            ("get", "/openapi.json"),
            ("post", "/session"),
            ("post", "/enrolment"),
            ("post", "/enrolment/lookup"),
            ("get", "/session/oidc"),
            ("get", "/session/oidc/callback"),
            ("get", "/session/oidc/status"),
            ("get", "/session/oidc/logout"),
            ("post", "/session/passkey/options"),
            ("post", "/session/passkey"),
            ("post", "/password/check"),
        ];
        // Public from some addresses, needing a token from the others.
        let optional = [("get", "/metrics")];
        for (method, path, operation) in operations(&doc) {
            if optional.contains(&(method.as_str(), path.as_str())) {
                assert_eq!(
                    operation["security"],
                    serde_json::json!([{}, {"bearer": []}]),
                    "{method} {path}"
                );
                assert!(
                    operation["responses"].get("401").is_some(),
                    "{method} {path}"
                );
            } else if public.contains(&(method.as_str(), path.as_str())) {
                assert_eq!(
                    operation["security"],
                    serde_json::json!([]),
                    "{method} {path}"
                );
                // A public operation answers no 401, but the sign-ins' refusal.
                assert_eq!(
                    operation["responses"].get("401").is_none(),
                    path != "/session" && path != "/session/passkey",
                    "{method} {path}"
                );
            } else {
                assert_eq!(
                    operation["security"],
                    serde_json::json!([{"bearer": []}, {"session": []}]),
                    "{method} {path}"
                );
                for status in ["401", "429", "500"] {
                    assert!(
                        operation["responses"].get(status).is_some(),
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_operation_is_described_tagged_and_typed() {
        let doc = doc();
        for field in [
            "/info/contact/url",
            "/info/license/url",
            "/info/license/name",
        ] {
            assert!(
                doc.pointer(field)
                    .and_then(Value::as_str)
                    .is_some_and(|s| !s.is_empty()),
                "{field}"
            );
        }
        let tags: Vec<&str> = doc["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        for (method, path, operation) in operations(&doc) {
            let what = format!("{method} {path}");
            assert!(
                operation["description"]
                    .as_str()
                    .is_some_and(|d| d.len() > 20),
                "{what}"
            );
            for tag in operation["tags"].as_array().unwrap() {
                assert!(tags.contains(&tag.as_str().unwrap()), "{what}: {tag}");
            }
            let mut bodies: Vec<&Value> = Vec::new();
            if let Some(content) = operation["requestBody"]["content"].as_object() {
                bodies.extend(content.values());
            }
            for response in operation["responses"].as_object().unwrap().values() {
                if let Some(content) = response["content"].as_object() {
                    bodies.extend(content.values());
                }
            }
            for media in bodies {
                let schema = &media["schema"];
                let untyped = schema.get("$ref").is_none()
                    && schema.get("properties").is_none()
                    && schema.get("items").is_none()
                    && schema.get("oneOf").is_none()
                    && schema["type"] != "string";
                // The document itself is OpenAPI's own shape.
                assert!(!untyped || path == "/openapi.json", "{what}: {schema}");
            }
        }
    }

    #[test]
    fn commands_and_event_kinds_are_unions_with_a_discriminator() {
        let doc = doc();
        for (union, tag, variant) in [
            ("Command", "command", "add_note"),
            ("EventKind", "type", "case_opened"),
        ] {
            let schema = &doc["components"]["schemas"][union];
            assert_eq!(schema["discriminator"]["propertyName"], tag, "{union}");
            let target = format!("#/components/schemas/{union}_{variant}");
            assert_eq!(schema["discriminator"]["mapping"][variant], target.as_str());
            let named = &doc["components"]["schemas"][format!("{union}_{variant}")];
            assert_eq!(named["properties"][tag]["const"], variant, "{union}");
            assert!(
                schema["oneOf"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|v| v.get("$ref").is_some()),
                "{union}"
            );
        }
    }

    #[test]
    fn the_cores_unit_enums_are_string_enums() {
        let doc = doc();
        let priority = &doc["components"]["schemas"]["Priority"];
        assert_eq!(priority["type"], "string");
        assert_eq!(
            priority["enum"],
            serde_json::json!(["low", "normal", "high", "urgent"])
        );
        assert!(priority.get("oneOf").is_none());
        assert!(
            priority["description"]
                .as_str()
                .unwrap()
                .contains("- `urgent`: ")
        );
    }

    #[test]
    fn query_and_path_parameters_are_typed() {
        let doc = doc();
        let list = &doc["paths"]["/cases"]["get"]["parameters"];
        let param = |name: &str| {
            list.as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == name)
                .unwrap()["schema"]
                .clone()
        };
        assert_eq!(param("limit")["minimum"], 1);
        assert_eq!(param("limit")["maximum"], 500);
        assert!(
            param("status")
                .to_string()
                .contains("#/components/schemas/Status")
        );
        let id = &doc["paths"]["/cases/{id}"]["get"]["parameters"][0]["schema"];
        assert_eq!(id["format"], "uuid");
        let stats = doc["paths"]["/stats"]["get"].to_string();
        assert!(stats.contains("\"format\":\"date\""), "{stats}");
        assert!(stats.contains("text/csv"), "{stats}");
    }
}
