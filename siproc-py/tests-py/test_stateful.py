"""A stateful test (Hypothesis ``RuleBasedStateMachine``) of the store and the workflow through
the binding, against a plain Python model of the rules written from DOMAIN.md: case numbers per
office without gaps, versions (one per accepted command), who may act on a case (role and
office, the receiving office for a transfer), consent before a referral, closure approval for a
sensitive category. Every call runs on a memory store and on an SQLite store at once; both must
give the model's verdict (the same error code) and the model's case. No call ever raises
anything but a ``SiprocError`` (never a ``PanicException``).

Two profiles: ``stateful-ci`` (the default, ``make test-py``: bounded to well under a minute)
and ``stateful-soak`` (``SIPROC_HYPOTHESIS_PROFILE=soak``, ``make soak-py``); docs/fuzzing.md."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import siproc

NOW = dt.datetime(2026, 3, 10, 15, 4, 5, tzinfo=dt.timezone.utc)
SAMPLES = json.loads(
    (Path(__file__).resolve().parents[2] / "siproc-core" / "tests" / "fixtures" / "intakes.json")
    .read_text(encoding="utf-8")
)
OFFICES = ["TAP", "MEX", "GUA"]
ACTORS = [
    siproc.Actor("o-tap", "officer", "TAP"),
    siproc.Actor("o-mex", "officer", "MEX"),
    siproc.Actor("s-tap", "supervisor", "TAP"),
    siproc.Actor("s-mex", "supervisor", "MEX"),
    siproc.Actor("d-1", "directorate", "DGPHM"),
    siproc.Actor("p-1", "partner", "TAP"),
    siproc.Actor("a-1", "auditor", "DGPHM"),
]
OPEN = {"registered", "in_progress", "awaiting_authority", "resolved"}
LEGAL = {("registered", "in_progress"), ("in_progress", "awaiting_authority"),
         ("awaiting_authority", "in_progress"), ("in_progress", "resolved"),
         ("awaiting_authority", "resolved"), ("resolved", "in_progress")}
STATUSES = ["registered", "in_progress", "awaiting_authority", "resolved", "closed", "archived"]


class Refused(Exception):
    """The model refuses a call with this code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def need(ok: bool, code: str = "workflow.wrong_status") -> None:
    if not ok:
        raise Refused(code)


@dataclass
class Model:
    """One case as the rules see it."""

    number: str
    office: str
    sensitive: bool
    share: bool
    status: str = "registered"
    version: int = 1
    transfer_to: Optional[str] = None
    consent: bool = True
    referrals: list[str] = field(default_factory=list)
    closure_requested: bool = False
    closure_approved: bool = False
    outcome: Optional[str] = None
    notes: int = 0
    services: int = 0

    def clear_closure(self) -> None:
        self.closure_requested = self.closure_approved = False
        self.outcome = None

    def step(self, actor: siproc.Actor, op: str, arg: Any) -> None:
        """Applies ``op`` as the rules say, or raises ``Refused``."""
        if actor.role in ("partner", "auditor"):
            raise Refused("workflow.role_not_allowed")
        senior = actor.role in ("supervisor", "directorate")
        if op in ("approve_closure", "reopen", "archive") and not senior:
            raise Refused("workflow.role_not_allowed")
        office = self.office
        if op in ("accept_transfer", "reject_transfer"):
            if self.transfer_to is None:
                raise Refused("workflow.no_pending_transfer")
            office = self.transfer_to
        if actor.role != "directorate" and actor.office != office:
            raise Refused("workflow.wrong_office")
        live = self.status != "archived"
        if op == "change_status":
            need((self.status, arg) in LEGAL, "workflow.illegal_transition")
            if self.status == "resolved":
                self.clear_closure()
            self.status = arg
        elif op == "add_note":
            need(live)
            need(arg, "workflow.empty_text")
            self.notes += 1
        elif op == "record_service":
            need(self.status in OPEN)
            need(arg, "workflow.unknown_service")
            self.services += 1
        elif op == "request_transfer":
            need(self.status in OPEN)
            need(arg != self.office, "workflow.same_office")
            need(self.transfer_to is None, "workflow.transfer_pending")
            self.transfer_to = arg
        elif op in ("accept_transfer", "reject_transfer"):
            need(self.status in OPEN)
            if op == "accept_transfer":
                self.office = self.transfer_to or self.office
            self.transfer_to = None
        elif op == "refer":
            need(self.status in OPEN)
            need(arg, "workflow.unknown_partner")
            need(self.consent and self.share, "workflow.consent_missing")
            self.referrals.append("pending")
        elif op == "referral":
            index, to = arg
            need(live)
            need(index < len(self.referrals), "workflow.unknown_referral")
            need(self.referrals[index] == ("accepted" if to == "done" else "pending"),
                 "workflow.referral_transition")
            self.referrals[index] = to
        elif op == "record_consent":
            need(live)
            self.consent, self.share = True, arg
        elif op == "withdraw_consent":
            need(live)
            need(self.consent, "workflow.no_consent")
            self.share = False
            if arg:
                self.consent = False
            # Both withdraw sharing with partners: pending referrals are cancelled.
            self.referrals = ["cancelled" if r == "pending" else r for r in self.referrals]
        elif op == "request_closure":
            need(self.status == "resolved")
            need(not self.closure_requested, "workflow.closure_already_requested")
            need(arg, "workflow.missing_outcome")
            self.closure_requested, self.outcome = True, "resolved_ok"
        elif op == "approve_closure":
            need(self.status == "resolved")
            need(self.closure_requested, "workflow.no_closure_request")
            need(not self.closure_approved, "workflow.closure_already_approved")
            self.closure_approved = True
        elif op == "close":
            need(self.status == "resolved", "workflow.illegal_transition")
            outcome = "released" if arg else self.outcome
            need(outcome is not None, "workflow.missing_outcome")
            need(not self.sensitive or self.closure_approved, "workflow.approval_required")
            self.status, self.outcome = "closed", outcome
        elif op == "reopen":
            need(self.status == "closed", "workflow.illegal_transition")
            self.status = "in_progress"
            self.clear_closure()
        elif op == "archive":
            need(self.status == "closed", "workflow.illegal_transition")
            self.status = "archived"
        self.version += 1


def command(op: str, arg: Any, case: dict[str, Any]) -> dict[str, Any]:
    """The wire command of ``op`` on ``case`` (a referral by its place in the case's list)."""
    if op == "change_status":
        return {"command": op, "to": arg}
    if op == "add_note":
        return {"command": op, "text": "Llamada." if arg else "  "}
    if op == "record_service":
        return {"command": op, "kind": "consular_visit" if arg else "magic",
                "given_on": "2026-03-09"}
    if op == "request_transfer":
        return {"command": op, "to_office": arg}
    if op == "refer":
        return {"command": op, "partner": "iom" if arg else "nobody"}
    if op == "referral":
        index, to = arg
        referrals = case.get("referrals") or []
        rid = referrals[index]["id"] if index < len(referrals) else "00000000-0000-0000-0000-000000000000"
        name = {"accepted": "accept_referral", "rejected": "reject_referral", "done": "complete_referral"}[to]
        return {"command": name, "referral_id": rid}
    if op == "record_consent":
        scope = ["processing", "share_with_partners"] if arg else ["processing"]
        return {"command": op, "consent": {"given": True, "given_by": 0,
                                           "recorded_on": "2026-03-10", "scope": scope}}
    if op == "withdraw_consent":
        return {"command": op, "scope": [] if arg else ["share_with_partners"]}
    if op == "request_closure":
        return {"command": op, "outcome": "resolved_ok" if arg else ""}
    if op == "close":
        return {"command": op, **({"outcome": "released"} if arg else {})}
    return {"command": op}


def verdict(call: Callable[[], Any]) -> tuple[str, Any]:
    """``("ok", result)`` or ``(code, None)``; anything but a SiprocError fails the test."""
    try:
        return "ok", call()
    except siproc.SiprocError as e:
        return e.code, None
    except BaseException as e:  # noqa: BLE001 - PanicException derives from BaseException
        raise AssertionError(f"{type(e).__name__}: {e}") from e


OPS = st.one_of(
    st.tuples(st.just("change_status"), st.sampled_from(STATUSES)),
    st.tuples(st.sampled_from(["add_note", "record_service", "refer", "record_consent",
                               "withdraw_consent", "request_closure", "close"]), st.booleans()),
    st.tuples(st.just("request_transfer"), st.sampled_from(OFFICES)),
    st.tuples(st.sampled_from(["accept_transfer", "reject_transfer", "approve_closure", "reopen",
                               "archive"]), st.none()),
    st.tuples(st.just("referral"),
              st.tuples(st.integers(0, 2), st.sampled_from(["accepted", "rejected", "done"]))),
)

DIRECTORATE = ACTORS[4]
# The moves that reach the consent rule: a referral, and consent recorded (with or without
# sharing) or withdrawn (sharing only, or all of it).
CONSENT_OPS = [("refer", True), ("record_consent", True), ("record_consent", False),
               ("withdraw_consent", True), ("withdraw_consent", False)]


class Workflow(RuleBasedStateMachine):
    """Cases opened and worked on two stores, checked against the model after every call."""

    @initialize()
    def open_stores(self) -> None:
        self.dir = tempfile.TemporaryDirectory()
        self.stores = [siproc.MemoryStore(),
                       siproc.open_store("sqlite:" + str(Path(self.dir.name) / "cases.db"))]
        self.models: list[Model] = []
        # Each case's id in each store (the stores draw their own ids).
        self.ids: list[list[str]] = []
        self.numbered: dict[str, int] = {}

    def teardown(self) -> None:
        self.stores = []
        self.dir.cleanup()

    @rule(sample=st.sampled_from(["detention", "victim_of_crime"]), office=st.sampled_from(OFFICES),
          actor=st.sampled_from(ACTORS))
    def open_case(self, sample: str, office: str, actor: siproc.Actor) -> None:
        intake = copy.deepcopy(SAMPLES[sample])
        intake["office"] = office
        results = [verdict(lambda s=s: s.open_case(intake, actor=actor, now=NOW)) for s in self.stores]
        if actor.role in ("partner", "auditor"):
            expected = "workflow.role_not_allowed"
        elif actor.role != "directorate" and actor.office != office:
            expected = "workflow.wrong_office"
        else:
            expected = "ok"
        assert [code for code, _ in results] == [expected] * len(self.stores)
        if expected != "ok":
            return
        n = self.numbered.get(office, 0) + 1
        self.numbered[office] = n
        number = f"{office}-2026-{n:06d}"
        for _, case in results:
            assert case["number"] == number, "numbers per office, in order, without gaps"
            assert case["version"] == 1 and case["status"] == "registered"
        self.models.append(Model(number=number, office=office, sensitive=sample == "victim_of_crime",
                                 share=sample == "detention"))
        self.ids.append([case["id"] for _, case in results])

    @precondition(lambda self: bool(self.models))
    @rule(which=st.integers(0, 1000), actor=st.sampled_from(ACTORS), op=OPS)
    def run(self, which: int, actor: siproc.Actor, op: tuple[str, Any]) -> None:
        self.apply(which, actor, op)

    @precondition(lambda self: bool(self.models))
    @rule(which=st.integers(0, 1000), op=st.sampled_from(CONSENT_OPS))
    def consent_and_referral(self, which: int, op: tuple[str, Any]) -> None:
        """Consent and referrals by the directorate (who may act on any office's case): with
        random actors and commands alone, a referral without consent to share was too rare for
        the ``ci`` profile to notice a model (or a binding) that forgot the consent rule."""
        self.apply(which, DIRECTORATE, op)

    def apply(self, which: int, actor: siproc.Actor, op: tuple[str, Any]) -> None:
        """Runs ``op`` by ``actor`` on the ``which``-th case (modulo) in both stores and checks
        each against the model."""
        index = which % len(self.models)
        model = self.models[index]
        try:
            model.step(actor, *op)
            expected = "ok"
        except Refused as r:
            expected = r.code
        for store, case_id in zip(self.stores, self.ids[index]):
            current = store.case(case_id)
            code, case = verdict(lambda: store.run(case_id, command(*op, current), actor=actor, now=NOW))
            assert code == expected, f"{op} by {actor.role} of {actor.office}: {code}, model {expected}"
            if case is not None:
                self.check(case, model)

    def check(self, case: dict[str, Any], model: Model) -> None:
        assert case["number"] == model.number
        assert case["status"] == model.status
        assert case["office"] == model.office
        assert case["version"] == model.version, "one version per accepted command"
        assert [r["status"] for r in case.get("referrals") or []] == model.referrals
        transfer = case.get("transfer")
        pending = transfer["to_office"] if transfer and transfer.get("status") == "pending" else None
        assert pending == model.transfer_to
        assert bool(case.get("closure_requested")) == model.closure_requested
        assert bool(case.get("closure_approved")) == model.closure_approved
        assert case.get("outcome") == model.outcome

    @invariant()
    def stores_agree_with_the_model(self) -> None:
        for store in self.stores:
            assert len(store) == len(self.models)
            for office in OFFICES:
                found = sorted(s["number"] for s in store.find(office=office))
                assert found == sorted(m.number for m in self.models if m.office == office)
        for model, ids in zip(self.models, self.ids):
            for store, case_id in zip(self.stores, ids):
                self.check(store.case(case_id), model)
                # A broken chain raises TamperError; a sound one answers its anchor.
                assert store.history(case_id).verify()["version"] == model.version


settings.register_profile("stateful-ci", max_examples=60, stateful_step_count=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("stateful-soak", max_examples=3000, stateful_step_count=80,
                          deadline=None, suppress_health_check=[HealthCheck.too_slow])
Workflow.TestCase.settings = settings.get_profile(
    "stateful-" + os.environ.get("SIPROC_HYPOTHESIS_PROFILE", "ci"))
TestWorkflow = Workflow.TestCase
