#!/usr/bin/env python3
"""Writes the intake part of the conformance corpus (tests/conformance/intake/*.json).

Each case is a realistic, invented intake (no real persons) and the exact issues siproc must
report for it. The expectations are written here by hand, rule by rule; the Rust, Python and
WebAssembly tests check that every runtime agrees with them. Run it after changing a case:

    python3 tests/conformance/generate.py
"""
import copy
import json
import pathlib

HERE = pathlib.Path(__file__).parent / "intake"


def national(**kw):
    p = {
        "role": "national",
        "given_names": "María José",
        "surnames": "Núñez Güity",
        "birth_date": "1994-07-21",
        "sex": "female",
        "nationality": "HN",
        "documents": [{"kind": "hn_dni", "number": "0801-1994-04512"}],
        "contacts": [{"kind": "phone", "value": "+504 9876-5432"}],
        "locations": [{"kind": "current", "country": "MX", "place": "Tapachula, Chiapas"}],
    }
    p.update(kw)
    return p


def relative(relationship="parent", **kw):
    p = {
        "role": "relative",
        "relationship": relationship,
        "given_names": "Rosa Elvira",
        "surnames": "Güity Martínez",
        "birth_date": "1968-02-03",
        "nationality": "HN",
        "documents": [{"kind": "hn_dni", "number": "0501-1968-00731"}],
        "contacts": [{"kind": "phone", "value": "9988-7766", "country": "HN"}],
        "locations": [{"kind": "residence", "country": "HN", "place": "San Pedro Sula, Cortés"}],
    }
    p.update(kw)
    return p


CONSENT = {"given": True, "given_by": 0, "recorded_on": "2026-03-02", "scope": ["processing", "share_with_partners"]}

BASES = {
    "detention": {
        "office": "TAP", "category": "detention", "opened_on": "2026-03-02",
        "persons": [national()],
        "consent": CONSENT,
        "facts": {"authority": "Instituto Nacional de Migración", "facility": "Estación Migratoria Siglo XXI",
                  "detention_kind": "immigration", "arrest_date": "2026-02-27", "visits_made": 1},
        "services": [{"kind": "consular_visit", "given_on": "2026-03-02", "description": "Entrevista en la estación migratoria."}],
    },
    "repatriation_of_remains": {
        "office": "HOU", "category": "repatriation_of_remains", "opened_on": "2026-05-11",
        "persons": [national(given_names="José Ángel", surnames="Peña Zúniga", sex="male", birth_date="1987-11-30",
                             documents=[{"kind": "hn_dni", "number": "0501-1987-08821"}], contacts=[],
                             locations=[{"kind": "destination", "country": "HN", "place": "Choloma, Cortés"}]),
                    relative("spouse", given_names="Karla Iveth", surnames="Mejía Andino", birth_date="1990-01-15",
                             documents=[{"kind": "hn_dni", "number": "0501-1990-02214"}])],
        "consent": {"given": True, "given_by": 1, "recorded_on": "2026-05-11", "scope": ["processing", "contact_family"]},
        "facts": {"date_of_death": "2026-05-08", "place_of_death": "Houston, Texas", "country_of_death": "US",
                  "cause_of_death": "accident", "death_certificate": True, "funeral_home": "Funeraria La Paz",
                  "destination_municipality": "Choloma, Cortés"},
    },
    "missing_person": {
        "office": "MEX", "category": "missing_person", "opened_on": "2026-08-19", "flags": [],
        "persons": [national(given_names="Wilmer Josué", surnames="Hernández O'Neil", sex="male", birth_date="2001-04-09",
                             documents=[{"kind": "hn_dni", "number": "1801-2001-00112"}], contacts=[],
                             locations=[{"kind": "last_known", "country": "MX", "place": "Coatzacoalcos, Veracruz"}]),
                    relative("parent", contacts=[{"kind": "phone", "value": "+504 3344-5566"},
                                                 {"kind": "email", "value": "rosa.guity@example.org"}])],
        "consent": {"given": True, "given_by": 1, "recorded_on": "2026-08-19", "scope": ["processing", "share_with_partners", "share_with_authorities"]},
        "facts": {"last_known_place": "Coatzacoalcos, Veracruz", "last_known_country": "MX",
                  "last_seen_date": "2026-07-30", "last_communication_date": "2026-08-02", "last_communication_means": "messaging"},
        "referrals": [{"partner": "icrc", "reason": "Restablecimiento del contacto entre familiares."}],
    },
    "unaccompanied_minor": {
        "office": "TCU", "category": "unaccompanied_minor", "opened_on": "2026-09-14", "flags": ["minor"], "priority": "urgent",
        "persons": [national(given_names="Kevin Alexander", surnames="Ramírez Peña", sex="male", birth_date="2011-06-01",
                             documents=[{"kind": "hn_dni", "number": "0601-2011-03390"}], contacts=[])],
        "consent": {"given": True, "given_by": 0, "recorded_on": "2026-09-14", "scope": ["processing", "contact_family"]},
        "facts": {"shelter": "Albergue Casa del Migrante, Tecún Umán", "child_protection_authority": "Procuraduría General de la Nación",
                  "handed_over": False, "located_date": "2026-09-13"},
    },
    "victim_of_crime": {
        "office": "MAD", "category": "victim_of_crime", "opened_on": "2026-10-05", "flags": ["lgbti"],
        "persons": [national(given_names="Dayana", surnames="López-Cárcamo", birth_date="1999-12-24",
                             documents=[{"kind": "hn_passport", "number": "G1234567"}],
                             contacts=[{"kind": "phone", "value": "+34 612 345 678"}, {"kind": "address", "value": "Calle de Alcalá 100, Madrid"}],
                             locations=[{"kind": "current", "country": "ES", "place": "Madrid"}])],
        "consent": CONSENT,
        "facts": {"crime_type": "trafficking", "trafficking_indicators": True, "incident_date": "2026-09-20",
                  "complaint_filed": True, "referred_to_specialised_services": True},
        "referrals": [{"partner": "iom"}],
        "notes": [{"text": "Remitida a la OIM para alojamiento seguro.", "written_on": "2026-10-05"}],
    },
    "deportation_return": {
        "office": "DGPHM", "category": "deportation_return", "opened_on": "2026-11-02",
        "persons": [national(given_names="Juan Carlos", surnames="Maradiaga", sex="male", birth_date="1979-03-15",
                             documents=[{"kind": "hn_dni", "number": "0301-1979-01234"}], contacts=[{"kind": "phone", "value": "8765-4321"}])],
        "consent": {"given": True, "given_by": 0, "recorded_on": "2026-11-02", "scope": ["processing"]},
        "facts": {"return_date": "2026-12-10", "returning_from": "US", "port_of_entry": "sap_airport",
                  "reception_centre": "CAMR San Pedro Sula"},
        "attachments": [{"sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "media_type": "application/pdf", "size": 48213, "description": "Manifiesto de vuelo"}],
    },
}


def E(code, path, severity="error"):
    return {"code": code, "path": path, "severity": severity}


def variant(base, name, mutate, expected, locale="es"):
    record = copy.deepcopy(BASES[base])
    mutate(record)
    return {"name": name, "locale": locale, "intake": record, "expected": expected}


def setp(path, value):
    """A mutation that sets the value at a JSON-Pointer-like path (list of keys)."""
    def apply(rec):
        target = rec
        for k in path[:-1]:
            target = target[k]
        target[path[-1]] = value
    return apply


def delp(path):
    def apply(rec):
        target = rec
        for k in path[:-1]:
            target = target[k]
        del target[path[-1]]
    return apply


def seq(*fs):
    def apply(rec):
        for f in fs:
            f(rec)
    return apply


def valid_cases():
    return [{"name": f"valid {k}", "locale": "es", "intake": copy.deepcopy(v), "expected": []} for k, v in BASES.items()]


FILES = {
    "valid.json": ("Realistic valid intakes, one per major category.", valid_cases),
    "catalog.json": ("Codes that must be in the country pack: office, category, flags, partners, services.", lambda: [
        variant("detention", "unknown office", setp(["office"], "XYZ"), [E("office.unknown", "/office")]),
        variant("detention", "blank office and category", seq(setp(["office"], ""), setp(["category"], "")),
                [E("field.required", "/office"), E("field.required", "/category")]),
        variant("detention", "unknown category", seq(setp(["category"], "abduction")),
                [E("category.unknown", "/category")]),
        variant("detention", "unknown flag", setp(["flags"], ["minor_", "pregnant"]), [E("flag.unknown", "/flags/0")]),
        variant("missing_person", "unknown partner", setp(["referrals"], [{"partner": "fifa"}]),
                [E("referral.unknown_partner", "/referrals/0/partner")]),
        variant("detention", "unknown service", setp(["services", 0, "kind"], "haircut"),
                [E("service.unknown_kind", "/services/0/kind")]),
        variant("detention", "priority below what the flags imply", seq(setp(["flags"], ["pregnant"]), setp(["priority"], "low")),
                [E("priority.below_flags", "/priority", "warning")], locale="en"),
    ]),
    "persons.json": ("Who is in the case: one national, named relatives, valid names.", lambda: [
        variant("detention", "no national", setp(["persons", 0, "role"], "other"),
                [E("persons.no_national", "/persons")]),
        variant("detention", "two nationals", lambda r: r["persons"].append(national(given_names="Ana", documents=[])),
                [E("persons.many_nationals", "/persons/1/role")]),
        variant("missing_person", "missing person without a first-degree relative",
                setp(["persons", 1, "relationship"], "sibling"),
                [E("persons.relative_required", "/persons")]),
        variant("repatriation_of_remains", "remains without any relative", lambda r: r["persons"].pop(),
                [E("persons.relative_required", "/persons"), E("consent.unknown_person", "/consent/given_by")]),
        variant("repatriation_of_remains", "relative without relationship", delp(["persons", 1, "relationship"]),
                [E("person.relationship_missing", "/persons/1/relationship", "warning"), E("persons.relative_required", "/persons")]),
        variant("detention", "empty given names", setp(["persons", 0, "given_names"], "  "),
                [E("name.empty", "/persons/0/given_names")]),
        variant("detention", "digits in a surname", setp(["persons", 0, "surnames"], "Núñez 2"),
                [E("name.bad_characters", "/persons/0/surnames")]),
        variant("detention", "markup in a name", setp(["persons", 0, "given_names"], "<b>María</b>"),
                [E("name.bad_characters", "/persons/0/given_names")], locale="en"),
        variant("detention", "decomposed accents, apostrophes and hyphens are fine",
                seq(setp(["persons", 0, "given_names"], "Mari\u0301a Jose\u0301"), setp(["persons", 0, "surnames"], "D’Antoni-Peña O'Neil")), []),
        variant("detention", "name too long", setp(["persons", 0, "surnames"], "Ñ" * 101),
                [E("text.too_long", "/persons/0/surnames")]),
        variant("detention", "lower-case nationality", setp(["persons", 0, "nationality"], "hn"),
                [E("country.unknown", "/persons/0/nationality")]),
        variant("detention", "unknown location country", setp(["persons", 0, "locations", 0, "country"], "XK"),
                [E("country.unknown", "/persons/0/locations/0/country")]),
    ]),
    "dates.json": ("Dates: not in the future, in order, plausible.", lambda: [
        variant("detention", "birth date in the future", setp(["persons", 0, "birth_date"], "2099-01-01"),
                # One problem, at the birth date: the other dates are not compared with it.
                [E("date.in_future", "/persons/0/birth_date")]),
        variant("detention", "request date in the future", setp(["opened_on"], "2099-03-02"),
                [E("date.in_future", "/opened_on")]),
        variant("detention", "arrest after the request", setp(["facts", "arrest_date"], "2026-03-05"),
                [E("date.after_request", "/facts/arrest_date")]),
        variant("detention", "arrest in the future", setp(["facts", "arrest_date"], "2099-03-05"),
                [E("date.in_future", "/facts/arrest_date")]),
        variant("repatriation_of_remains", "death after the request", setp(["facts", "date_of_death"], "2026-05-12"),
                [E("date.after_request", "/facts/date_of_death")], locale="en"),
        variant("repatriation_of_remains", "death before birth", setp(["facts", "date_of_death"], "1980-01-01"),
                [E("date.before_birth", "/facts/date_of_death")]),
        variant("detention", "birth date before 1900", seq(setp(["persons", 0, "birth_date"], "1894-07-21"), setp(["persons", 0, "documents"], [])),
                [E("date.implausible", "/persons/0/birth_date")]),
        variant("deportation_return", "a return date may be in the future", setp(["facts", "return_date"], "2099-01-01"), []),
        variant("detention", "service in the future", setp(["services", 0, "given_on"], "2099-03-02"),
                [E("date.in_future", "/services/0/given_on")]),
        variant("victim_of_crime", "note in the future", setp(["notes", 0, "written_on"], "2099-01-01"),
                [E("date.in_future", "/notes/0/written_on")]),
        variant("detention", "malformed date", setp(["persons", 0, "birth_date"], "31/02/1994"),
                [E("json.bad_value", "/persons/0/birth_date")]),
    ]),
    "minors.json": ("A national under 18 is flagged minor and needs a guardian or a shelter.", lambda: [
        variant("unaccompanied_minor", "minor without the flag", setp(["flags"], []),
                [E("person.minor_not_flagged", "/flags", "warning")]),
        variant("unaccompanied_minor", "minor without guardian or shelter", delp(["facts", "shelter"]),
                [E("person.minor_without_guardian", "/persons/0")]),
        variant("unaccompanied_minor", "minor with a guardian instead of a shelter",
                seq(delp(["facts", "shelter"]), lambda r: r["persons"].append(relative("parent", role="guardian"))), []),
        variant("detention", "seventeen on the day of the request", seq(setp(["persons", 0, "birth_date"], "2008-03-03"), setp(["persons", 0, "documents"], [])),
                [E("person.minor_not_flagged", "/flags", "warning"), E("person.minor_without_guardian", "/persons/0")], locale="en"),
        variant("detention", "eighteen on the day of the request", seq(setp(["persons", 0, "birth_date"], "2008-03-02"), setp(["persons", 0, "documents"], [])), []),
    ]),
    "consent.json": ("Consent is recorded, by a person of the case, before any referral.", lambda: [
        variant("detention", "no consent yet", delp(["consent"]), [E("consent.missing", "/consent", "warning")]),
        variant("detention", "consent refused", setp(["consent", "given"], False), [E("consent.not_given", "/consent/given", "warning")]),
        variant("detention", "consent by nobody in the case", setp(["consent", "given_by"], 3), [E("consent.unknown_person", "/consent/given_by")]),
        variant("detention", "consent recorded in the future", setp(["consent", "recorded_on"], "2099-01-01"), [E("date.in_future", "/consent/recorded_on")]),
        variant("missing_person", "referral without consent to share", setp(["consent", "scope"], ["processing"]),
                [E("consent.required_for_referral", "/referrals/0")]),
        variant("victim_of_crime", "referral with consent refused", setp(["consent", "given"], False),
                [E("consent.not_given", "/consent/given", "warning"), E("consent.required_for_referral", "/referrals/0")], locale="en"),
        variant("victim_of_crime", "two referrals, no consent", seq(delp(["consent"]), setp(["referrals"], [{"partner": "iom"}, {"partner": "unhcr"}])),
                [E("consent.missing", "/consent", "warning"), E("consent.required_for_referral", "/referrals/0"), E("consent.required_for_referral", "/referrals/1")]),
    ]),
    "facts.json": ("Category facts, as the catalog defines them.", lambda: [
        variant("detention", "required fact missing", delp(["facts", "facility"]), [E("fact.required", "/facts/facility")]),
        variant("detention", "required fact empty", setp(["facts", "authority"], "   "), [E("fact.required", "/facts/authority")]),
        variant("detention", "required fact null", setp(["facts", "authority"], None), [E("fact.required", "/facts/authority")], locale="en"),
        variant("detention", "choice outside the list", setp(["facts", "detention_kind"], "administrative"), [E("fact.not_allowed", "/facts/detention_kind")]),
        variant("detention", "text fact given a number", setp(["facts", "facility"], 42), [E("fact.wrong_type", "/facts/facility")]),
        variant("detention", "date fact not a date", setp(["facts", "arrest_date"], "ayer"), [E("fact.wrong_type", "/facts/arrest_date")]),
        variant("detention", "count fact negative", setp(["facts", "visits_made"], -1), [E("fact.wrong_type", "/facts/visits_made")]),
        variant("repatriation_of_remains", "boolean fact given a string", setp(["facts", "death_certificate"], "sí"), [E("fact.wrong_type", "/facts/death_certificate")]),
        variant("repatriation_of_remains", "country fact unknown", setp(["facts", "country_of_death"], "USA"), [E("country.unknown", "/facts/country_of_death")]),
        variant("detention", "fact of another category", setp(["facts", "date_of_death"], "2026-01-01"), [E("fact.unknown", "/facts/date_of_death", "warning")]),
        variant("detention", "text fact too long", setp(["facts", "charges"], "a" * 2001), [E("text.too_long", "/facts/charges")]),
        variant("repatriation_of_remains", "every required fact missing", setp(["facts"], {}),
                [E("fact.required", f"/facts/{k}") for k in ["date_of_death", "place_of_death", "country_of_death", "cause_of_death", "death_certificate", "destination_municipality"]]),
    ]),
    "contacts.json": ("Phones by libphonenumber's rules, emails, attachments by reference.", lambda: [
        variant("detention", "phone that is not a number", setp(["persons", 0, "contacts", 0, "value"], "llamar a la tía"),
                [E("phone.invalid", "/persons/0/contacts/0/value")]),
        variant("detention", "phone too short for its country", setp(["persons", 0, "contacts", 0, "value"], "+504 9876"),
                [E("phone.invalid", "/persons/0/contacts/0/value")]),
        variant("detention", "national number read in the office's country", setp(["persons", 0, "contacts", 0, "value"], "962 123 4567"), []),
        variant("detention", "national number with an explicit country", setp(["persons", 0, "contacts", 0], {"kind": "phone", "value": "9876-5432", "country": "HN"}), []),
        variant("detention", "contact with an unknown country", setp(["persons", 0, "contacts", 0], {"kind": "phone", "value": "+504 9876-5432", "country": "ZZ"}),
                [E("country.unknown", "/persons/0/contacts/0/country")]),
        variant("missing_person", "bad email", setp(["persons", 1, "contacts", 1, "value"], "rosa.guity@"),
                [E("email.invalid", "/persons/1/contacts/1/value")], locale="en"),
        variant("missing_person", "email at an internationalised domain", setp(["persons", 1, "contacts", 1, "value"], "rosa.guity@correo.hondureño.hn"), []),
        variant("missing_person", "email at an IP address", setp(["persons", 1, "contacts", 1, "value"], "rosa.guity@[192.0.2.7]"), []),
        variant("missing_person", "email with a space", setp(["persons", 1, "contacts", 1, "value"], "rosa guity@example.org"),
                [E("email.invalid", "/persons/1/contacts/1/value")]),
        variant("missing_person", "email with accents before the @", setp(["persons", 1, "contacts", 1, "value"], "rosa.güity@example.org"),
                [E("email.invalid", "/persons/1/contacts/1/value")]),
        variant("missing_person", "email domain label ending in a hyphen", setp(["persons", 1, "contacts", 1, "value"], "rosa@example-.org"),
                [E("email.invalid", "/persons/1/contacts/1/value")]),
        variant("missing_person", "email at a Devanagari domain (IDNA: letters, marks and digits)", setp(["persons", 1, "contacts", 1, "value"], "info@उदाहरण.परीक्षा"), []),
        variant("missing_person", "email at a Tamil domain", setp(["persons", 1, "contacts", 1, "value"], "info@இந்தியா.இந்தியா"), []),
        variant("missing_person", "email at a Thai domain with tone marks", setp(["persons", 1, "contacts", 1, "value"], "info@เว็บ.ไทย"), []),
        variant("missing_person", "email domain label starting with a combining mark", setp(["persons", 1, "contacts", 1, "value"], "info@\u094dउदाहरण.परीक्षा"),
                [E("email.invalid", "/persons/1/contacts/1/value")]),
        variant("missing_person", "email domain with a symbol that is not a letter", setp(["persons", 1, "contacts", 1, "value"], "info@Ⓐ.hn"),
                [E("email.invalid", "/persons/1/contacts/1/value")]),
        variant("missing_person", "email at an IPv6 literal, as RFC 5321 writes it", setp(["persons", 1, "contacts", 1, "value"], "rosa.guity@[IPv6:2001:db8::1]"), []),
        variant("missing_person", "email at a bare IPv6 literal (RFC 5321 needs the IPv6: tag)", setp(["persons", 1, "contacts", 1, "value"], "rosa.guity@[2001:db8::1]"),
                [E("email.invalid", "/persons/1/contacts/1/value")]),
        variant("missing_person", "email at a bare loopback literal", setp(["persons", 1, "contacts", 1, "value"], "rosa.guity@[::1]"),
                [E("email.invalid", "/persons/1/contacts/1/value")], locale="en"),
        variant("missing_person", "email of exactly 254 octets", setp(["persons", 1, "contacts", 1, "value"], "l" * 64 + "@" + "a" * 63 + "." + "a" * 63 + "." + "b" * 61), []),
        variant("missing_person", "email of 255 octets (RFC 5321's limit is 254)", setp(["persons", 1, "contacts", 1, "value"], "l" * 64 + "@" + "a" * 63 + "." + "a" * 63 + "." + "b" * 62),
                [E("email.invalid", "/persons/1/contacts/1/value")]),
        variant("missing_person", "email over 254 octets in UTF-8 though under 254 characters", setp(["persons", 1, "contacts", 1, "value"], "l" * 40 + "@" + "क" * 63 + "." + "b" * 30),
                [E("email.invalid", "/persons/1/contacts/1/value")]),
        variant("detention", "phone with an extension", setp(["persons", 0, "contacts", 0, "value"], "+504 2234-5678 ext. 12"), []),
        variant("detention", "phone with letters for digits", setp(["persons", 0, "contacts", 0, "value"], "+1 800 FLOWERS"), []),
        variant("detention", "empty address", setp(["persons", 0, "contacts", 0], {"kind": "address", "value": " "}),
                [E("text.empty", "/persons/0/contacts/0/value")]),
        variant("deportation_return", "bad attachment", setp(["attachments", 0], {"sha256": "9F86D0", "media_type": "pdf", "size": 0}),
                [E("attachment.bad_digest", "/attachments/0/sha256"), E("attachment.bad_media_type", "/attachments/0/media_type"), E("attachment.empty", "/attachments/0/size")]),
        variant("victim_of_crime", "empty note", setp(["notes", 0, "text"], ""), [E("text.empty", "/notes/0/text")]),
    ]),
    "documents_in_intake.json": ("Identity documents inside an intake, with their paths.", lambda: [
        variant("detention", "DNI with a bad department", setp(["persons", 0, "documents", 0, "number"], "1901-1994-04512"),
                [E("dni.bad_department", "/persons/0/documents/0/number")]),
        variant("detention", "DNI registered in another year than the birth", setp(["persons", 0, "documents", 0, "number"], "0801-1995-04512"),
                [E("dni.year_mismatch", "/persons/0/documents/0/number", "warning")]),
        variant("detention", "DNI without dashes", setp(["persons", 0, "documents", 0, "number"], "0801199404512"), []),
        variant("detention", "blank document kind", setp(["persons", 0, "documents", 0, "kind"], ""),
                [E("field.required", "/persons/0/documents/0/kind")]),
        variant("detention", "blank birth date is absent, not malformed", setp(["persons", 0, "birth_date"], ""), []),
        variant("detention", "unknown document kind", setp(["persons", 0, "documents", 0, "kind"], "library_card"),
                [E("document.unknown_kind", "/persons/0/documents/0/kind")]),
        variant("repatriation_of_remains", "DUI of a Salvadoran relative", setp(["persons", 1, "documents", 0], {"kind": "sv_dui", "number": "04567890-3"}), []),
        variant("repatriation_of_remains", "placeholder DUI (passes its check digit)", setp(["persons", 1, "documents", 0], {"kind": "sv_dui", "number": "00000000-0"}),
                [E("document.placeholder", "/persons/1/documents/0/number", "warning")]),
        variant("detention", "placeholder DNI", setp(["persons", 0, "documents", 0, "number"], "0000-0000-00000"),
                [E("dni.bad_department", "/persons/0/documents/0/number"), E("dni.bad_year", "/persons/0/documents/0/number"),
                 E("dni.bad_sequence", "/persons/0/documents/0/number"), E("document.placeholder", "/persons/0/documents/0/number", "warning")]),
        variant("victim_of_crime", "placeholder passport number", setp(["persons", 0, "documents", 0, "number"], "A0000000"),
                [E("document.placeholder", "/persons/0/documents/0/number", "warning")], locale="en"),
        variant("detention", "CURP that spells an inconvenient word", setp(["persons", 0, "documents", 0], {"kind": "mx_curp", "number": "PEDO850315HJCRRN04"}),
                [E("curp.inconvenient_word", "/persons/0/documents/0/number")]),
        variant("detention", "the generic CURP of foreigners is a placeholder", setp(["persons", 0, "documents", 0], {"kind": "mx_curp", "number": "XEXX010101HNEXXXA4"}),
                [E("document.placeholder", "/persons/0/documents/0/number", "warning")]),
    ]),
    "numbers.json": ("Numbers in facts and sizes: every number JSON carries exactly (I-JSON, magnitude up to 2^53 - 1) is accepted, and the intake opens as a case (its history is hashed over RFC 8785); larger ones are number.too_large.", lambda: [
        variant("detention", "a fraction in a fact", setp(["facts", "bail_amount"], 1500.5),
                [E("fact.unknown", "/facts/bail_amount", "warning")]),
        variant("detention", "small and tiny fractions", setp(["facts", "rates"], [0.1, 1e-7, 5e-324, -2.5, 333333333.3333333]),
                [E("fact.unknown", "/facts/rates", "warning")]),
        variant("detention", "the largest exact integer", setp(["facts", "reference"], 9007199254740991),
                [E("fact.unknown", "/facts/reference", "warning")]),
        variant("detention", "the smallest exact integer", setp(["facts", "reference"], -9007199254740991),
                [E("fact.unknown", "/facts/reference", "warning")], locale="en"),
        variant("detention", "an integer beyond 2^53", setp(["facts", "reference"], 9007199254740993),
                [E("number.too_large", "/facts/reference"), E("fact.unknown", "/facts/reference", "warning")]),
        variant("detention", "2^53 itself", setp(["facts", "reference"], -9007199254740992),
                [E("number.too_large", "/facts/reference"), E("fact.unknown", "/facts/reference", "warning")]),
        variant("detention", "1e21", setp(["facts", "bail_amount"], 1e21),
                [E("number.too_large", "/facts/bail_amount"), E("fact.unknown", "/facts/bail_amount", "warning")], locale="en"),
        variant("detention", "a huge number in a list in a fact", setp(["facts", "amounts"], {"paid": [1.5, 1e300]}),
                [E("number.too_large", "/facts/amounts/paid/1"), E("fact.unknown", "/facts/amounts", "warning")]),
        variant("detention", "a count beyond 2^53", setp(["facts", "visits_made"], 18446744073709551615),
                [E("number.too_large", "/facts/visits_made")]),
        variant("detention", "a count with a fraction", setp(["facts", "visits_made"], 1.5),
                [E("fact.wrong_type", "/facts/visits_made")]),
        variant("deportation_return", "an attachment size beyond 2^53", setp(["attachments", 0, "size"], 9007199254740993),
                [E("number.too_large", "/attachments/0/size")]),
        {"name": "numbers as text: exponent forms and negative zero", "locale": "es",
         "json": json.dumps({k: v for k, v in BASES["detention"].items() if k != "facts"}, ensure_ascii=False)[:-1] + ', "facts": {"authority": "INM", "facility": "Siglo XXI", "detention_kind": "immigration", "arrest_date": "2026-02-27", "visits_made": 1, "bail_amount": 1.5005E3, "rate": -0.0, "tiny": 1E-7}}',
         "expected": [E("fact.unknown", "/facts/bail_amount", "warning"), E("fact.unknown", "/facts/rate", "warning"), E("fact.unknown", "/facts/tiny", "warning")]},
    ]),
    "shape.json": ("Records that are not intakes: where parsing stopped, never the value.", lambda: [
        variant("detention", "typo in a field name", lambda r: r["persons"][0].update({"birthdate": r["persons"][0].pop("birth_date")}),
                [E("json.unknown_field", "/persons/0/birthdate")]),
        variant("detention", "missing required field", delp(["opened_on"]), [E("json.missing_field", "/opened_on")]),
        variant("detention", "wrong type", setp(["persons", 0, "documents"], "0801-1994-04512"), [E("json.bad_value", "/persons/0/documents")]),
        variant("detention", "unknown enum value", setp(["persons", 0, "role"], "cousin"), [E("json.bad_value", "/persons/0/role")], locale="en"),
        variant("detention", "persons not a list", setp(["persons"], {"0": national()}), [E("json.bad_value", "/persons")]),
        {"name": "not JSON at all", "locale": "es", "json": "{\"office\": \"TAP\", \"category\": ",
         "expected": [E("json.syntax", "")]},
        {"name": "JSON but not an object", "locale": "en", "json": "[1, 2, 3]", "expected": [E("json.bad_value", "")]},
        variant("detention", "too many persons", lambda r: r.update({"persons": [national()] + [relative("sibling", documents=[], contacts=[], locations=[]) for _ in range(50)]}),
                [E("list.too_long", "/persons")]),
    ]),
}


# --- El Salvador (`"catalog": "sv"`) and Mexico (`"catalog": "mx"`) ------------------------------
# One valid intake per category of each pack, then document errors. Persons and numbers invented.

def sv_national(**kw):
    return national(**{"given_names": "Ana Cecilia", "surnames": "Rivas Menjívar", "birth_date": "1992-05-17",
                       "nationality": "SV", "documents": [{"kind": "sv_dui", "number": "05128734-6"}],
                       "contacts": [{"kind": "phone", "value": "+503 7012-3456"}],
                       "locations": [{"kind": "current", "country": "US", "place": "Houston, Texas"}], **kw})


def sv_relative(relationship="parent", **kw):
    return relative(relationship, **{"given_names": "Marta Alicia", "surnames": "Menjívar de Rivas", "birth_date": "1966-10-02",
                                     "nationality": "SV", "documents": [{"kind": "sv_dui", "number": "03416920-0"}],
                                     "contacts": [{"kind": "phone", "value": "+503 7890-1234"}],
                                     "locations": [{"kind": "residence", "country": "SV", "place": "Soyapango, San Salvador"}], **kw})


def sv_base(office, category, opened_on, facts, persons=None, **kw):
    r = {"office": office, "category": category, "opened_on": opened_on,
         "persons": persons or [sv_national()],
         "consent": {"given": True, "given_by": 0, "recorded_on": opened_on, "scope": ["processing"]},
         "facts": facts}
    r.update(kw)
    return r


def with_requester(opened_on):
    return {"given": True, "given_by": 1, "recorded_on": opened_on, "scope": ["processing", "contact_family"]}


SV_BASES = {
    "detention": sv_base("HOU", "detention", "2026-03-04", {
        "authority": "Oficina del Alguacil del Condado de Harris", "facility": "Cárcel del Condado de Harris",
        "detention_kind": "criminal", "arrest_date": "2026-03-01", "charges": "Conducir sin licencia"}),
    "deportation_return": sv_base("DGAPC", "deportation_return", "2026-04-20", {
        "return_date": "2026-04-22", "returning_from": "US", "port_of_entry": "sal_airport"},
        persons=[sv_national(locations=[{"kind": "residence", "country": "SV", "place": "San Miguel"}])]),
    "repatriation_of_remains": sv_base("LAX", "repatriation_of_remains", "2026-05-12", {
        "date_of_death": "2026-05-09", "place_of_death": "Los Ángeles, California", "country_of_death": "US",
        "cause_of_death": "illness", "death_certificate": True, "destination_municipality": "Chalatenango"},
        persons=[sv_national(given_names="Óscar Armando", surnames="Portillo Guardado", sex="male", birth_date="1975-08-21",
                             documents=[{"kind": "sv_dui", "number": "04987155-3"}], contacts=[]),
                 sv_relative("child", given_names="Karen Lissette", surnames="Portillo Ayala", birth_date="1999-01-30",
                             documents=[{"kind": "sv_dui", "number": "02743318-5"}])],
        consent=with_requester("2026-05-12")),
    "missing_person": sv_base("TAP", "missing_person", "2026-06-02", {
        "last_known_place": "Tapachula, Chiapas", "last_known_country": "MX", "last_seen_date": "2026-05-20",
        "last_communication_date": "2026-05-24", "last_communication_means": "phone"},
        persons=[sv_national(given_names="Bryan Alexis", surnames="Rivas Menjívar", sex="male", birth_date="2003-12-11",
                             documents=[{"kind": "sv_dui", "number": "06120459-4"}], contacts=[],
                             locations=[{"kind": "last_known", "country": "MX", "place": "Tapachula, Chiapas"}]),
                 sv_relative("parent")],
        consent=with_requester("2026-06-02")),
    "unaccompanied_minor": sv_base("MTY", "unaccompanied_minor", "2026-06-15", {
        "child_protection_authority": "Procuraduría de Protección de Niñas, Niños y Adolescentes de Nuevo León",
        "handed_over": True, "shelter": "Albergue Casa Nicolás"},
        persons=[sv_national(given_names="Josué Daniel", surnames="Lemus Ayala", sex="male", birth_date="2012-03-08",
                             documents=[], contacts=[])], flags=["minor"], priority="urgent"),
    "hospitalized": sv_base("NYC", "hospitalized", "2026-07-01", {
        "hospital": "Hospital Bellevue", "diagnosis_category": "injury", "admission_date": "2026-06-29"}),
    "victim_of_crime": sv_base("GUA", "victim_of_crime", "2026-07-09", {
        "crime_type": "extortion", "trafficking_indicators": False},
        persons=[sv_national(locations=[{"kind": "current", "country": "GT", "place": "Ciudad de Guatemala"}])]),
    "labour": sv_base("DAL", "labour", "2026-07-20", {"employer": "Constructora del Norte LLC", "unpaid_wages": True}),
    "civil_family": sv_base("WAS", "civil_family", "2026-08-03", {"matter": "child_support"}),
    "human_rights": sv_base("MEX", "human_rights", "2026-08-11", {
        "authority_involved": "Policía municipal", "incident_date": "2026-08-09"}),
    "vulnerability": sv_base("MAD", "vulnerability", "2026-08-25", {"situation": "homelessness"},
                             persons=[sv_national(locations=[{"kind": "current", "country": "ES", "place": "Madrid"}])]),
    "documentation": sv_base("CHI", "documentation", "2026-09-01", {
        "nationality_presumed": True, "documents_requested": "Partida de nacimiento"}),
}


def mx_national(**kw):
    return national(**{"given_names": "María Elena", "surnames": "Gómez Cruz", "birth_date": "1990-02-15",
                       "nationality": "MX", "documents": [{"kind": "mx_curp", "number": "GOCM900215MCSMRR02"},
                                                          {"kind": "mx_clave_elector", "number": "GMCRMR90021507M300"}],
                       "contacts": [{"kind": "email", "value": "maria.gomez@example.org"}],
                       "locations": [{"kind": "current", "country": "US", "place": "Phoenix, Arizona"}], **kw})


def mx_base(office, category, opened_on, facts, persons=None, **kw):
    r = {"office": office, "category": category, "opened_on": opened_on,
         "persons": persons or [mx_national()],
         "consent": {"given": True, "given_by": 0, "recorded_on": opened_on, "scope": ["processing"]},
         "facts": facts}
    r.update(kw)
    return r


MX_BASES = {
    "human_rights": mx_base("PHX", "human_rights", "2026-03-10", {
        "violation": "excessive_force", "authority_involved": "Patrulla Fronteriza", "incident_date": "2026-03-08",
        "complaint_filed": False}),
    "criminal": mx_base("ELP", "criminal", "2026-04-02", {
        "authority": "Departamento de Policía de El Paso", "facility": "Cárcel del Condado de El Paso",
        "detention_kind": "local", "arrest_date": "2026-03-30", "capital_case": False, "visits_made": 1},
        persons=[mx_national(given_names="Jorge", surnames="Hernández López", sex="male", birth_date="1985-11-03",
                             documents=[{"kind": "mx_curp", "number": "HELJ851103HJCRPR09"},
                                        {"kind": "mx_clave_elector", "number": "HRLPJR85110314H112"}], contacts=[])]),
    "immigration": mx_base("SAT", "immigration", "2026-05-06", {
        "procedure": "removal", "detained": True, "facility": "Centro de Procesamiento de Pearsall"},
        persons=[mx_national(given_names="Ana", surnames="Ramírez Torres", birth_date="2002-07-30",
                             documents=[{"kind": "mx_curp", "number": "RAMA020730MMNMRNA2"}], contacts=[])]),
    "civil": mx_base("CHI", "civil", "2026-06-17", {"matter": "custody", "court": "Tribunal de Circuito del Condado de Cook"}),
    "labour": mx_base("RDU", "labour", "2026-07-08", {"employer": "Granja Los Pinos", "claim": "temporary_worker"},
                      persons=[mx_national(given_names="Eduardo", surnames="Morales Sánchez", sex="male", birth_date="1968-11-21",
                                           documents=[{"kind": "mx_curp", "number": "MOSE681121HGTRND06"}], contacts=[])]),
    "administrative": mx_base("LAX", "administrative", "2026-08-14", {
        "matter": "remains_transfer", "date_of_death": "2026-08-12", "place_of_death": "Los Ángeles, California",
        "country_of_death": "US", "destination_municipality": "Zacatlán, Puebla"},
        persons=[mx_national(given_names="Luis", surnames="Pérez Castro", sex="male", birth_date="1979-05-12",
                             documents=[{"kind": "mx_curp", "number": "PECL790512HDFRSS09"}], contacts=[])]),
}


def pack_variant(bases, pack, base, name, mutate, expected, locale="es"):
    record = copy.deepcopy(bases[base])
    mutate(record)
    return {"name": name, "locale": locale, "catalog": pack, "intake": record, "expected": expected}


def pack_cases(bases, pack):
    return [{"name": f"{pack}: valid {k}", "locale": "es", "catalog": pack, "intake": copy.deepcopy(v), "expected": []}
            for k, v in bases.items()]


NUMBER = ["persons", 0, "documents", 0, "number"]
FILES["pack_sv.json"] = ("The Salvadoran pack (`\"catalog\": \"sv\"`): a valid intake per category, its codes and documents.", lambda: pack_cases(SV_BASES, "sv") + [
    pack_variant(SV_BASES, "sv", "detention", "sv: a Honduran office is not Salvadoran", setp(["office"], "DGPHM"), [E("office.unknown", "/office")]),
    pack_variant(SV_BASES, "sv", "detention", "sv: a Mexican category is not Salvadoran", setp(["category"], "criminal"), [E("category.unknown", "/category")]),
    pack_variant(SV_BASES, "sv", "deportation_return", "sv: a Honduran port of entry", setp(["facts", "port_of_entry"], "sap_airport"),
                 [E("fact.not_allowed", "/facts/port_of_entry")]),
    pack_variant(SV_BASES, "sv", "detention", "sv: DUI with a wrong check digit", setp(NUMBER, "05128734-7"), [E("dui.bad_check_digit", "/persons/0/documents/0/number")]),
    pack_variant(SV_BASES, "sv", "detention", "sv: DUI too short", setp(NUMBER, "5128734-6"), [E("dui.bad_length", "/persons/0/documents/0/number")], locale="en"),
    pack_variant(SV_BASES, "sv", "detention", "sv: DUI without its dash", setp(NUMBER, "051287346"), []),
    pack_variant(SV_BASES, "sv", "repatriation_of_remains", "sv: the requester's DUI with a letter", setp(["persons", 1, "documents", 0, "number"], "0274331B-5"),
                 [E("dui.bad_characters", "/persons/1/documents/0/number")]),
])
FILES["pack_mx.json"] = ("The Mexican pack (`\"catalog\": \"mx\"`): a valid intake per area of the Guía de Protección Consular, its codes and documents.", lambda: pack_cases(MX_BASES, "mx") + [
    pack_variant(MX_BASES, "mx", "criminal", "mx: a Honduran category is not Mexican", setp(["category"], "detention"), [E("category.unknown", "/category")]),
    pack_variant(MX_BASES, "mx", "criminal", "mx: a required fact is missing", delp(["facts", "facility"]), [E("fact.required", "/facts/facility")]),
    pack_variant(MX_BASES, "mx", "criminal", "mx: CURP with a wrong check digit", setp(NUMBER, "HELJ851103HJCRPR08"), [E("curp.bad_check_digit", "/persons/0/documents/0/number")]),
    pack_variant(MX_BASES, "mx", "criminal", "mx: voter key of 17 characters", setp(["persons", 0, "documents", 1, "number"], "HRLPJR85110314H11"),
                 [E("clave_elector.bad_length", "/persons/0/documents/1/number")]),
    pack_variant(MX_BASES, "mx", "criminal", "mx: voter key with 31 November", setp(["persons", 0, "documents", 1, "number"], "HRLPJR85113114H112"),
                 [E("clave_elector.bad_date", "/persons/0/documents/1/number")], locale="en"),
    pack_variant(MX_BASES, "mx", "criminal", "mx: voter key with a state outside 01-32 is a warning", setp(["persons", 0, "documents", 1, "number"], "HRLPJR85110387H112"),
                 [E("clave_elector.unknown_state", "/persons/0/documents/1/number", "warning")]),
    pack_variant(MX_BASES, "mx", "criminal", "mx: voter key with a letter for sex", setp(["persons", 0, "documents", 1, "number"], "HRLPJR85110314Q112"),
                 [E("clave_elector.bad_sex", "/persons/0/documents/1/number")]),
    pack_variant(MX_BASES, "mx", "criminal", "mx: voter key written with spaces and in lowercase", setp(["persons", 0, "documents", 1, "number"], "hrlpjr 851103 14 h 112"), []),
])


def main():
    HERE.mkdir(exist_ok=True)
    for name, (description, make) in FILES.items():
        doc = {"description": description, "cases": make()}
        (HERE / name).write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(FILES)} files to {HERE}")


if __name__ == "__main__":
    main()
