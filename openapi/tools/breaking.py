"""Compare the spec with an earlier version of it and say what each change breaks.

    python openapi/tools/breaking.py [REF] [--spec openapi/openapi.yaml] [--old-spec FILE]
    python openapi/tools/breaking.py --rules   # every rule id, and the oasdiff checks it covers

REF is any git revision (default: `git merge-base HEAD main`); the old spec is
`git show REF:<the spec's path>`. `--old-spec` compares with a file instead.

Every change is classified twice:

- **clients**: would a client written against the old spec break? Requests are what clients
  send, so *narrowing* a request (a new required field, a lower maxLength, a removed enum value)
  breaks them; responses are what clients read, so *widening* a response (a new enum value, a
  field that may now be null or absent, a higher maxLength) breaks them. Removing an operation,
  a parameter, a success status or a response field breaks them too, and so does asking for
  more authentication.
- **server**: does the implementation in src/ have to change? The mirror image: a widened
  request (it must handle the new input), a narrowed response (it must produce it), a new
  operation or parameter (its Protocol method is new or takes a new argument). These are
  work, not a release problem: mypy and the app's start-up check enforce them.

Deprecation: an operation or parameter marked `deprecated: true` with an `x-sunset` date
(oasdiff's extension) may be removed from that date on (UTC); removing it before, or without a
date, breaks clients, and so does deprecating without one. RULES documents every rule id and
marks where the project is deliberately stricter than oasdiff.

Exits 1 when a change breaks clients and `info.version`'s major number did not go up; 2 when
the comparison cannot be made (unknown ref, unreadable spec). Standard library and PyYAML.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specdoc import (
    DEFAULT_SPEC,
    Flat,
    Location,
    Operation,
    Resolved,
    SpecError,
    dotted,
    effective_security,
    flatten,
    load,
    load_text,
    operations,
    parameters,
    request_body,
    resolve,
    schema_types,
    security_kind,
)

BASE_BRANCHES = ("main", "origin/main")

ALL_TYPES = frozenset({"string", "number", "integer", "boolean", "object", "array", "null"})
UPPER_BOUNDS = (
    "maxLength",
    "maxItems",
    "maximum",
    "exclusiveMaximum",
    "maxProperties",
    "maxContains",
)
LOWER_BOUNDS = (
    "minLength",
    "minItems",
    "minimum",
    "exclusiveMinimum",
    "minProperties",
    "minContains",
)
# Keywords that only ever refuse more: adding one narrows, removing it widens, changing it is
# both (JSON Schema 2020-12's applicators and assertions included).
EXACT_CONSTRAINTS = (
    "pattern",
    "format",
    "multipleOf",
    "contains",
    "if",
    "then",
    "else",
    "not",
    "dependentRequired",
    "dependentSchemas",
    "patternProperties",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contentMediaType",
    "contentEncoding",
    "contentSchema",
)
# `prefixItems` the other way round: the first items then answer to it instead of `items`,
# so adding it widens what an array may hold (JSON Schema 2020-12, and oasdiff's reading).
WIDENING_KEYWORDS = ("prefixItems",)
SUNSET = "x-sunset"  # the date after which a `deprecated` operation or parameter may go
# oasdiff's extensions: how settled an operation or property is (absent: stable), and an enum
# that may grow in responses (clients must take unknown values) but not shrink in requests.
STABILITY = "x-stability-level"
STABILITY_LEVELS = ("draft", "alpha", "beta", "stable")
EXTENSIBLE_ENUM = "x-extensible-enum"

# Every kind of change a rule reports, and what it does: (breaks clients, needs server work).
# A rule names the kind; this table alone decides the classification, so a new rule is a row.
EFFECTS: dict[str, tuple[bool, bool]] = {
    # Schemas, by side: requests are what clients send, responses what they read.
    "request narrowed": (True, False),
    "request widened": (False, True),
    "request changed": (True, True),
    "response narrowed": (False, True),
    "response widened": (True, False),
    "response changed": (True, True),
    "schema renamed": (False, True),  # same wire, the generated model's name changes
    "request property removed": (True, False),  # clients that send it are refused
    "response property removed": (True, True),
    "required request property added": (True, True),
    "optional request property added": (False, True),
    "required response property added": (False, True),  # the server must produce it
    "optional response property added": (False, False),
    # Operations
    "operation id changed": (True, True),
    "operation removed": (True, False),
    "operation added": (False, True),
    "operation moved": (True, False),
    "path parameter names changed": (False, True),
    # Authentication: the Protocol passes `principal` (or `principal | None`) differently,
    # except from optional to required.
    "authentication public -> optional": (False, True),
    "authentication public -> required": (True, True),
    "authentication optional -> public": (False, True),
    "authentication optional -> required": (True, False),
    "authentication required -> public": (False, True),
    "authentication required -> optional": (False, True),
    "authentication schemes changed": (True, True),  # other credentials
    "authentication alternative added": (False, True),  # what clients send still works
    "authentication alternative removed": (True, False),  # some clients' credentials no more
    # Parameters
    "path parameter renamed": (False, True),  # a path parameter's name is not on the wire
    "parameter renamed": (True, True),
    "parameter removed": (True, False),
    "required parameter added": (True, True),
    "optional parameter added": (False, True),
    "parameter now required": (True, False),
    "parameter now optional": (False, True),
    # Clients that leave the parameter out get other behaviour than they were written for.
    "parameter default changed": (True, False),
    # Request bodies
    "required request body added": (True, True),
    "optional request body added": (False, True),
    "request body removed": (True, True),
    "request body now required": (True, False),
    "request media type removed": (True, False),
    "request media type added": (False, True),
    # Responses, by whether the status is a success (2xx)
    "success status removed": (True, False),
    "error status removed": (False, True),
    "success status added": (True, True),
    "error status added": (False, True),
    "success response header removed": (True, True),  # the generated result type loses it
    "error response header removed": (True, False),
    "success response header added": (False, True),
    "error response header added": (False, True),
    "response header now optional": (True, False),  # clients that read it may not get it
    "response header now required": (False, True),
    "success media type removed": (True, False),
    "error media type removed": (False, False),
    "success media type added": (True, True),
    "error media type added": (False, True),
    # Deprecation: `deprecated: true` with an `x-sunset` date (YYYY-MM-DD or RFC 3339) says
    # when it may go. Removing it before that date, or without one, breaks clients.
    "deprecated": (False, False),
    "deprecated without sunset": (True, False),  # stricter: clients cannot know when it goes
    "sunset unreadable": (True, False),
    "sunset brought forward": (True, False),  # earlier, or removed while still deprecated
    "removed after its sunset": (False, False),
    "stability decreased": (True, False),  # clients relied on the promise
    "stability increased": (False, False),
    "stability unreadable": (True, False),
}

# Every rule id the gate reports, what it means, and the oasdiff checks (checker/rules.go,
# ERR level) it covers. `nox -s breaking -- --rules` prints this. "Stricter" marks a judgement
# the project makes deliberately where oasdiff only warns or informs.
RULES: dict[str, str] = {
    "type-narrowed": "a schema allows fewer JSON types (a request breaks; oasdiff: "
    "*-type-changed, request-*-became-not-nullable, *-list-of-types-narrowed, "
    "request-parameter-property-type-specialized)",
    "type-widened": "a schema allows more JSON types, `null` included (a response breaks; "
    "oasdiff: *-type-generalized, response-*-became-nullable, *-list-of-types-widened)",
    "enum-value-removed": "an enum/const value removed, or a schema newly limited to values "
    "(a request breaks; also an x-extensible-enum value removed from a request; oasdiff: "
    "*-enum-value-removed, *-became-enum, *-const-added/changed, "
    "request-*-x-extensible-enum-value-removed)",
    "enum-value-added": "an enum value added, or a limit to values lifted (a response breaks; "
    "oasdiff: response-*-const-removed/changed; stricter: oasdiff only warns of a response enum "
    "value added)",
    "constraint-narrowed": "a bound tightened or a refusing keyword added: maxLength, "
    "maxItems, maximum, minimum, pattern, contains, minContains/maxContains, if/then/else, "
    "not, dependentRequired, dependentSchemas, patternProperties, propertyNames, "
    "unevaluatedProperties/Items, contentSchema, additionalProperties: false, prefixItems "
    "removed (a request breaks; oasdiff: request-*-max/min-*, *-pattern-added, "
    "request-*-contains-added, request-*-if/then/else-added, request-*-dependent-*-added, "
    "request-*-pattern-property-added, request-*-property-names-added, "
    "request-*-unevaluated-*-added, request-*-content-schema-added, "
    "request-*-prefix-items-removed; stricter: a bound set where there was none, which "
    "oasdiff only warns of)",
    "constraint-widened": "the same, loosened (a response breaks; stricter: oasdiff does not "
    "report a response's pattern removed; oasdiff: "
    "response-*-max/min-*, response-*-contains-removed, response-*-if/then/else-removed, "
    "response-*-dependent-*-removed, response-*-pattern-property-removed, "
    "response-*-property-names-removed, response-*-unevaluated-*-removed, "
    "response-*-content-schema-removed, response-*-prefix-items-added)",
    "constraint-changed": "a pattern, format, multipleOf, contentMediaType, contentEncoding or "
    "refusing keyword changed to another value (breaks both ways; oasdiff: "
    "*-dependent-required-changed, *-content-media-type/encoding-changed; stricter: oasdiff "
    "warns of a changed pattern)",
    "subschema-removed": "an anyOf/oneOf branch removed (a request breaks; oasdiff: "
    "request-*-any-of-removed, request-*-one-of-removed)",
    "subschema-added": "an anyOf/oneOf branch added, or an allOf branch (a response breaks on "
    "the first, a request on the second; oasdiff: response-*-one-of-added, "
    "request-*-all-of-added)",
    "wrapped-in-one-of": "a schema became a oneOf of itself and others (breaks both ways: a "
    "value that matches two branches is refused; oasdiff: *-wrapped-in-one-of)",
    "schema-renamed": "the same schema under another component name (server work)",
    "property-removed": "a property removed (stricter: oasdiff warns of a request or optional "
    "response property removed; oasdiff: response-required-property-removed)",
    "property-added": "an optional property added (server work)",
    "required-property-added": "a required request property added (oasdiff: "
    "new-required-request-property[-with-default])",
    "property-now-required": "a property became required (a request breaks; readOnly "
    "properties do not count in requests, writeOnly ones in responses; oasdiff: "
    "request-property-became-required[-with-default])",
    "property-now-optional": "a property became optional (a response breaks; oasdiff: "
    "response-property-became-optional)",
    "operation-removed": "an operation or a whole path removed while not deprecated (oasdiff: "
    "api-removed-without-deprecation, api-path-removed-without-deprecation)",
    "operation-added": "a new operation (server work)",
    "operation-moved": "an operation under another path or method (breaks unless only path "
    "parameter names differ)",
    "operation-id-changed": "an operationId changed (generated clients use it)",
    "webhook-removed": "a webhook removed (oasdiff: webhook-removed)",
    "webhook-added": "a new webhook (server work)",
    "security-changed": "authentication asked for, dropped or changed (stricter: oasdiff only "
    "informs of security added)",
    "parameter-renamed": "a parameter under another name (breaks unless in the path)",
    "parameter-removed": "a parameter removed while not deprecated (stricter: oasdiff warns)",
    "parameter-added": "an optional parameter added (server work)",
    "required-parameter-added": "a required parameter added (oasdiff: "
    "new-required-request-parameter, new-request-path-parameter, "
    "new-required-request-default-parameter-to-existing-path)",
    "parameter-now-required": "a parameter became required (oasdiff: "
    "request-parameter-became-required)",
    "parameter-now-optional": "a parameter became optional (server work)",
    "default-changed": "a parameter's default added, changed or removed (oasdiff: "
    "request-parameter-default-value-added/changed/removed)",
    "request-body-added": "a request body added (breaks when required; oasdiff: "
    "request-body-added-required)",
    "request-body-removed": "the request body removed (oasdiff: request-body-removed)",
    "request-body-now-required": "the request body became required (oasdiff: "
    "request-body-became-required)",
    "request-media-type-removed": "a request media type no longer accepted (oasdiff: "
    "request-body-media-type-removed)",
    "request-media-type-added": "a request media type accepted too (server work)",
    "success-status-removed": "a 2xx status removed (oasdiff: response-success-status-removed)",
    "success-status-added": "a 2xx status added (stricter: oasdiff informs)",
    "error-status-removed": "an error status removed (server work)",
    "error-status-added": "an error status added (server work)",
    "response-header-removed": "a response header removed (oasdiff: "
    "required-response-header-removed; stricter for optional ones)",
    "response-header-added": "a response header added (server work)",
    "response-header-now-optional": "a response header became optional (oasdiff: "
    "response-header-became-optional)",
    "response-header-now-required": "a response header became required (server work)",
    "response-media-type-removed": "a response media type removed (breaks for 2xx; oasdiff: "
    "response-media-type-removed)",
    "response-media-type-added": "a response media type added (stricter for 2xx: oasdiff informs)",
    "deprecated": "an operation, parameter or property newly deprecated, with its x-sunset",
    "deprecated-without-sunset": "deprecated without an x-sunset date (stricter: oasdiff "
    "only with a deprecation policy; oasdiff: api-deprecated-sunset-missing, "
    "request-parameter-deprecated-sunset-missing, *-property-deprecated-sunset-missing)",
    "sunset-unreadable": "an x-sunset that is not a date (oasdiff: "
    "api-deprecated-sunset-parse, api-path-sunset-parse, request-parameter-sunset-parse, "
    "*-property-deprecated-sunset-invalid)",
    "sunset-in-the-past": "newly deprecated with an x-sunset that has already passed (oasdiff: "
    "api-sunset-date-too-small, request-parameter-sunset-date-too-small, "
    "*-property-sunset-date-too-small, with its default of no minimum notice)",
    "sunset-brought-forward": "an x-sunset made earlier or removed while deprecated (oasdiff: "
    "sunset-deleted, api-sunset-date-changed-too-small, request-parameter-sunset-deleted, "
    "request-parameter-sunset-date-changed-too-small)",
    "removed-before-sunset": "a deprecated operation or parameter removed before its x-sunset "
    "date, or without one (stricter without one: oasdiff allows it; oasdiff: "
    "api-removed-before-sunset, api-path-removed-before-sunset, "
    "request-parameter-removed-before-sunset)",
    "removed-after-sunset": "a deprecated operation or parameter removed after its x-sunset "
    "date (compatible)",
    "stability-decreased": "an operation's or property's x-stability-level lowered (draft < "
    "alpha < beta < stable, the default; oasdiff: api-stability-decreased, "
    "request-property-stability-decreased, response-property-stability-decreased)",
    "stability-increased": "an x-stability-level raised (compatible)",
    "stability-unreadable": "an x-stability-level other than draft, alpha, beta or stable "
    "(oasdiff: api-invalid-stability-level)",
}


@dataclass
class Change:
    location: Location
    rule: str
    message: str
    client: bool  # breaks clients written against the old spec
    server: bool  # asks something of the implementation in src/
    kind: str  # the row of EFFECTS that gave `client` and `server`
    operations: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[Location, str, str, bool, bool]:
        return (self.location, self.rule, self.message, self.client, self.server)

    def __str__(self) -> str:
        used = f" [{', '.join(sorted(self.operations))}]" if self.operations else ""
        return f"{dotted(self.location)}: {self.rule}: {self.message}{used}"


def _normal_path(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def _outcome(code: str) -> str:
    """`success` for a 2xx status, `error` for the rest (4xx, 5xx, `default`)."""
    return "success" if code.startswith("2") else "error"


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    return json.dumps(value, sort_keys=True, default=str)


def _brief(value: Any) -> str:
    """A keyword's value for a one-line report: `(none)` when absent, long ones cut short."""
    if value is None:
        return "(none)"
    shown = _show(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


class Unreadable(ValueError):
    """An `x-sunset` that is neither a date (YYYY-MM-DD) nor an RFC 3339 date-time."""


def sunset(node: dict[str, Any]) -> datetime.date | None:
    """The node's `x-sunset` date, None without one; Unreadable when it is not a date."""
    value = node.get(SUNSET)
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):  # YAML reads an unquoted 2026-01-31 as a date
        return value
    if isinstance(value, str):
        for parse in (datetime.date.fromisoformat, datetime.datetime.fromisoformat):
            try:
                found = parse(value)
            except ValueError:
                continue
            return found.date() if isinstance(found, datetime.datetime) else found
    raise Unreadable(f"{SUNSET} {_show(value)} is not a date (YYYY-MM-DD or RFC 3339)")


def _branch_key(branch: Any) -> str:
    """What identifies an anyOf/oneOf/allOf branch: its `$ref`, or its content."""
    if isinstance(branch, dict) and isinstance(branch.get("$ref"), str) and len(branch) == 1:
        return str(branch["$ref"])
    return json.dumps(branch, sort_keys=True, default=str)


class Comparison:
    def __init__(
        self, old: dict[str, Any], new: dict[str, Any], today: datetime.date | None = None
    ) -> None:
        self.old, self.new = old, new
        self.today = today or datetime.datetime.now(datetime.UTC).date()
        self._changes: dict[tuple[Location, str, str, bool, bool], Change] = {}

    @property
    def changes(self) -> list[Change]:
        return sorted(self._changes.values(), key=lambda c: (c.location, c.rule, c.message))

    def add(
        self, location: Location, rule: str, message: str, kind: str, operation: str | None = None
    ) -> None:
        """Report a change of `kind` (a key of EFFECTS, which classifies it) under `rule`."""
        if rule not in RULES:
            raise KeyError(f"rule {rule!r} is not documented in RULES")
        client, server = EFFECTS[kind]
        change = Change(location, rule, message, client, server, kind)
        kept = self._changes.setdefault(change.key, change)
        if operation:
            kept.operations.add(operation)

    # Schemas

    def _union(
        self, document: dict[str, Any], flat: Flat
    ) -> tuple[set[str], tuple[Any, Location] | None]:
        """The JSON types a schema allows (empty: any) and its one non-null anyOf/oneOf branch."""
        types = schema_types(flat.keywords)
        if types and flat.keywords.get("nullable") is True:  # OpenAPI 3.0's way to say null
            types.add("null")
        branches = flat.keywords.get("anyOf") or flat.keywords.get("oneOf") or []
        others: list[tuple[Any, Location]] = []
        branch_types: set[str] = set()
        keyword = "anyOf" if "anyOf" in flat.keywords else "oneOf"
        for index, branch in enumerate(branches):
            where = (*flat.location, keyword, str(index))
            node = flatten(document, branch, where)
            found = schema_types(node.keywords)
            if found == {"null"}:
                branch_types.add("null")
            else:
                others.append((branch, where))
                branch_types |= found or set(ALL_TYPES)
        if branches:
            types = (types & branch_types) if types else branch_types
        return types, (others[0] if len(others) == 1 else None)

    def schema(
        self,
        old: tuple[Any, Location],
        new: tuple[Any, Location],
        side: str,
        operation: str,
        seen: frozenset[tuple[Location, Location]] = frozenset(),
    ) -> None:
        old_ref = resolve(self.old, *old)
        new_ref = resolve(self.new, *new)
        if (old_ref.location, new_ref.location) in seen:
            return
        seen = seen | {(old_ref.location, new_ref.location)}
        o, n = flatten(self.old, *old), flatten(self.new, *new)
        where = n.location
        named = "#/components/schemas/"
        refs = (old_ref.ref or "", new_ref.ref or "")
        if refs[0] != refs[1] and all(ref.startswith(named) for ref in refs):
            self.add(
                new[1],
                "schema-renamed",
                f"{refs[0].removeprefix(named)} is now {refs[1].removeprefix(named)}"
                " (same place on the wire; the generated model is renamed)",
                "schema renamed",
                operation,
            )

        old_types, old_branch = self._union(self.old, o)
        new_types, new_branch = self._union(self.new, n)
        self._types(where, old_types, new_types, side, operation)
        self._branches(old, new, o, n, side, operation, seen)
        # `anyOf: [X, {type: "null"}]` is X that may be null: compare X's content with the
        # other side's (its own single branch, or the schema itself).
        if old_branch:
            o = flatten(self.old, *old_branch)
        if new_branch:
            n = flatten(self.new, *new_branch)
        where = n.location
        self._values(where, o.keywords, n.keywords, side, operation)
        self._bounds(where, o.keywords, n.keywords, side, operation)
        self._properties(o, n, side, operation, seen)
        if o.items and n.items:
            self.schema(o.items, n.items, side, operation, seen)
        old_extra, new_extra = (
            o.keywords.get("additionalProperties"),
            n.keywords.get("additionalProperties"),
        )
        if isinstance(old_extra, dict) and isinstance(new_extra, dict):
            self.schema(
                (old_extra, (*o.location, "additionalProperties")),
                (new_extra, (*n.location, "additionalProperties")),
                side,
                operation,
                seen,
            )

    def _branches(
        self,
        old: tuple[Any, Location],
        new: tuple[Any, Location],
        o: Flat,
        n: Flat,
        side: str,
        operation: str,
        seen: frozenset[tuple[Location, Location]],
    ) -> None:
        """anyOf/oneOf branches that came or went (a union with more than one non-null branch)
        and allOf branches that came or went; branches kept by `$ref` are compared."""
        old_node = resolve(self.old, *old)
        new_node = resolve(self.new, *new)
        raw_old = old_node.node if isinstance(old_node.node, dict) else {}
        raw_new = new_node.node if isinstance(new_node.node, dict) else {}
        for keyword in ("anyOf", "oneOf", "allOf"):
            source = (o.keywords, n.keywords) if keyword != "allOf" else (raw_old, raw_new)
            before = [b for b in source[0].get(keyword) or [] if b != {"type": "null"}]
            after = [b for b in source[1].get(keyword) or [] if b != {"type": "null"}]
            if keyword != "allOf" and len(before) <= 1 and len(after) <= 1:
                continue  # X or X-or-null: compared as X by `schema`
            if keyword == "oneOf" and not before and len(after) > 1:
                self.add(
                    (*n.location, keyword),
                    "wrapped-in-one-of",
                    f"{side} is now one of {len(after)} schemas (a value matching two is refused)",
                    f"{side} changed",
                    operation,
                )
                continue
            old_keys = {_branch_key(b): i for i, b in enumerate(before)}
            new_keys = {_branch_key(b): i for i, b in enumerate(after)}
            if keyword == "allOf":
                # Inline allOf branches are merged and compared by `flatten`: count them only.
                old_keys = {
                    k if k.startswith("#/") else f"inline {i}": i for k, i in old_keys.items()
                }
                new_keys = {
                    k if k.startswith("#/") else f"inline {i}": i for k, i in new_keys.items()
                }
            # A union accepts more with a branch more; an allOf refuses more.
            effects = ("narrowed", "widened") if keyword != "allOf" else ("widened", "narrowed")
            for gone, came, effect, rule, verb in (
                (old_keys, new_keys, effects[0], "subschema-removed", "lost"),
                (new_keys, old_keys, effects[1], "subschema-added", "gained"),
            ):
                for key in sorted(gone.keys() - came.keys()):
                    shown = key if key.startswith("#/") else "an inline schema"
                    self.add(
                        (*n.location, keyword),
                        rule,
                        f"{side} {keyword} {verb} {shown}",
                        f"{side} {effect}",
                        operation,
                    )
            for key in old_keys.keys() & new_keys.keys():
                if key.startswith("#/"):
                    self.schema(
                        (before[old_keys[key]], (*o.location, keyword, str(old_keys[key]))),
                        (after[new_keys[key]], (*n.location, keyword, str(new_keys[key]))),
                        side,
                        operation,
                        seen,
                    )

    def _types(
        self, where: Location, old: set[str], new: set[str], side: str, operation: str
    ) -> None:
        def expand(types: set[str]) -> set[str]:
            found = set(types or ALL_TYPES)
            return found | {"integer"} if "number" in found else found

        removed, added = expand(old) - expand(new), expand(new) - expand(old)
        verb = "accepts" if side == "request" else "returns"
        shown = f"({sorted(old) or 'any'} -> {sorted(new) or 'any'})"
        found = []  # (effect, what changed)
        if removed:
            found.append(("narrowed", f"{side} {verb} no {', '.join(sorted(removed))} any more"))
        if added:
            found.append(("widened", f"{side} now {verb} {', '.join(sorted(added))} too"))
        for effect, text in found:
            self.add(
                (*where, "type"), f"type-{effect}", f"{text} {shown}", f"{side} {effect}", operation
            )

    def _values(
        self, where: Location, old: dict[str, Any], new: dict[str, Any], side: str, operation: str
    ) -> None:
        def allowed(keywords: dict[str, Any]) -> list[Any] | None:
            if "const" in keywords:
                return [keywords["const"]]
            enum = keywords.get("enum")
            return list(enum) if isinstance(enum, list) else None

        before, after = allowed(old), allowed(new)
        found = []  # (effect, what changed)
        if before is None and after is not None:
            found.append(("narrowed", f"{side} is now limited to {_show(after)}"))
        elif after is None and before is not None:
            found.append(("widened", f"{side} is no longer limited to {_show(before)}"))
        elif before is not None and after is not None:
            removed = [v for v in before if v not in after]
            added = [v for v in after if v not in before]
            if removed:
                found.append(
                    ("narrowed", f"{side} value(s) {', '.join(map(_show, removed))} removed")
                )
            if added:
                found.append(("widened", f"{side} value(s) {', '.join(map(_show, added))} added"))
        was, now = old.get(EXTENSIBLE_ENUM), new.get(EXTENSIBLE_ENUM)
        if side == "request" and isinstance(was, list) and isinstance(now, list):
            removed = [v for v in was if v not in now]
            if removed:
                shown = ", ".join(map(_show, removed))
                found.append(("narrowed", f"{side} {EXTENSIBLE_ENUM} value(s) {shown} removed"))
        rules = {"narrowed": "enum-value-removed", "widened": "enum-value-added"}
        for effect, text in found:
            self.add((*where, "enum"), rules[effect], text, f"{side} {effect}", operation)

    def _bounds(
        self, where: Location, old: dict[str, Any], new: dict[str, Any], side: str, operation: str
    ) -> None:
        keywords = (*UPPER_BOUNDS, *LOWER_BOUNDS, *EXACT_CONSTRAINTS, *WIDENING_KEYWORDS)
        for keyword in (*keywords, "uniqueItems"):
            before, after = old.get(keyword), new.get(keyword)
            if keyword == "uniqueItems":
                before, after = before or None, after or None
            if before == after:
                continue
            widening = keyword in WIDENING_KEYWORDS
            if before is None:
                effect = "widened" if widening else "narrowed"
            elif after is None:
                effect = "narrowed" if widening else "widened"
            elif keyword in UPPER_BOUNDS:
                effect = "narrowed" if after < before else "widened"
            elif keyword in LOWER_BOUNDS:
                effect = "narrowed" if after > before else "widened"
            else:
                effect = "changed"
            shown = f"{keyword} {_brief(before)} -> {_brief(after)}"
            self.add(
                (*where, keyword),
                f"constraint-{effect}",
                f"{side} {shown}",
                f"{side} {effect}",
                operation,
            )
        closed_before = old.get("additionalProperties") is False
        closed_after = new.get("additionalProperties") is False
        if closed_before != closed_after:
            effect = "narrowed" if closed_after else "widened"
            state = "rejects" if closed_after else "allows"
            self.add(
                (*where, "additionalProperties"),
                f"constraint-{effect}",
                f"{side} now {state} unknown properties",
                f"{side} {effect}",
                operation,
            )

    def _properties(
        self,
        old: Flat,
        new: Flat,
        side: str,
        operation: str,
        seen: frozenset[tuple[Location, Location]],
    ) -> None:
        where = new.location
        # What the change means to the reader of each side, in the report's words.
        removed = {
            "request": "clients that send it are refused",
            "response": "clients that read it break",
        }
        for name in sorted(old.properties.keys() - new.properties.keys()):
            self.add(
                (*where, "properties", name),
                "property-removed",
                f"{side} property {name!r} removed: {removed[side]}",
                f"{side} property removed",
                operation,
            )
        # A readOnly property is never sent, a writeOnly one never read: whether it is
        # required means nothing on that side.
        ignored = "readOnly" if side == "request" else "writeOnly"

        def unseen(document: dict[str, Any], prop: tuple[Any, Location]) -> bool:
            return flatten(document, *prop).keywords.get(ignored) is True

        for name in sorted(new.properties.keys() - old.properties.keys()):
            presence = "required" if name in new.required else "optional"
            if unseen(self.new, new.properties[name]):
                presence = "optional"
            rule = "property-added"
            if side == "request" and presence == "required":
                rule = "required-property-added"
                text = f"request property {name!r} added as required: old requests lack it"
            elif side == "request":
                text = f"optional request property {name!r} added: the server must handle it"
            else:
                text = f"{presence} response property {name!r} added"
                text += ": the server must produce it" if presence == "required" else ""
            kind = f"{presence} {side} property added"
            self.add((*where, "properties", name), rule, text, kind, operation)
        for name in sorted(old.properties.keys() & new.properties.keys()):
            location = (*where, "properties", name)
            was, now = name in old.required, name in new.required
            if unseen(self.old, old.properties[name]) or unseen(self.new, new.properties[name]):
                was = now
            old_prop = flatten(self.old, *old.properties[name]).keywords
            new_prop = flatten(self.new, *new.properties[name]).keywords
            self.deprecation(old_prop, new_prop, location, f"property {name!r}", operation)
            self.stability(old_prop, new_prop, location, f"property {name!r}", operation)
            if was != now:
                effect = "narrowed" if now else "widened"
                if now:
                    text = f"{side} property {name!r} is now required"
                else:
                    text = f"{side} property {name!r} is now optional (may be absent)"
                rule = "property-now-required" if now else "property-now-optional"
                self.add(location, rule, text, f"{side} {effect}", operation)
            self.schema(old.properties[name], new.properties[name], side, operation, seen)

    # Deprecation

    def deprecation(
        self,
        old: dict[str, Any],
        new: dict[str, Any],
        where: Location,
        what: str,
        operation: str | None = None,
    ) -> None:
        """`what` became deprecated, or its `x-sunset` moved: say whether that is sound."""
        if not new.get("deprecated"):
            return
        was = bool(old.get("deprecated"))
        try:
            before: datetime.date | str | None = sunset(old) if was else None
        except Unreadable:
            before = "unreadable"
        try:
            after = sunset(new)
        except Unreadable as error:
            if not was or old.get(SUNSET) != new.get(SUNSET):
                self.add(
                    (*where, SUNSET),
                    "sunset-unreadable",
                    f"{what}: {error}",
                    "sunset unreadable",
                    operation,
                )
            return
        if not was:
            if after is None:
                self.add(
                    (*where, "deprecated"),
                    "deprecated-without-sunset",
                    f"{what} is now deprecated without an {SUNSET} date: say when it may go",
                    "deprecated without sunset",
                    operation,
                )
            elif after < self.today:
                self.add(
                    (*where, SUNSET),
                    "sunset-in-the-past",
                    f"{what} is now deprecated with an {SUNSET} that has passed "
                    f"({after.isoformat()}): clients get no notice",
                    "sunset brought forward",
                    operation,
                )
            else:
                self.add(
                    (*where, "deprecated"),
                    "deprecated",
                    f"{what} is now deprecated; it may be removed from {after.isoformat()}",
                    "deprecated",
                    operation,
                )
        elif before == "unreadable":
            self.add(
                (*where, SUNSET),
                "sunset-unreadable",
                f"{what}: the earlier {SUNSET} {_show(old.get(SUNSET))} was not a date, so "
                "whether it moved earlier cannot be told",
                "sunset unreadable",
                operation,
            )
        elif isinstance(before, datetime.date) and (after is None or after < before):
            now = after.isoformat() if after else "(none)"
            self.add(
                (*where, SUNSET),
                "sunset-brought-forward",
                f"{what}: {SUNSET} {before.isoformat()} -> {now}: clients were promised longer",
                "sunset brought forward",
                operation,
            )

    def stability(
        self,
        old: dict[str, Any] | None,
        new: dict[str, Any] | None,
        where: Location,
        what: str,
        operation: str | None = None,
    ) -> None:
        """An x-stability-level that cannot be read (on either side), or that went down."""
        levels = []
        for node in (old, new):
            value = (node or {}).get(STABILITY, "stable")
            if node is not None and value not in STABILITY_LEVELS:
                self.add(
                    (*where, STABILITY),
                    "stability-unreadable",
                    f"{what}: {STABILITY} {_show(value)} is not one of "
                    f"{', '.join(STABILITY_LEVELS)}",
                    "stability unreadable",
                    operation,
                )
                return
            levels.append(value)
        if old is None or new is None or levels[0] == levels[1]:
            return
        lower = STABILITY_LEVELS.index(levels[1]) < STABILITY_LEVELS.index(levels[0])
        change = "decreased" if lower else "increased"
        self.add(
            (*where, STABILITY),
            f"stability-{change}",
            f"{what}: {STABILITY} {levels[0]} -> {levels[1]}",
            f"stability {change}",
            operation,
        )

    def removal(self, node: dict[str, Any], where: Location, what: str, kind: str) -> bool:
        """Report the removal of a `deprecated` node; False when it was not deprecated."""
        if not node.get("deprecated"):
            return False
        try:
            date = sunset(node)
        except Unreadable as error:
            self.add(where, "sunset-unreadable", f"{what} was removed: {error}", kind)
            return True
        if date is not None and date <= self.today:
            self.add(
                where,
                "removed-after-sunset",
                f"{what} was removed after its {SUNSET} {date.isoformat()}",
                "removed after its sunset",
            )
        else:
            until = f"before its {SUNSET} {date.isoformat()}" if date else f"without an {SUNSET}"
            self.add(where, "removed-before-sunset", f"{what} was removed {until}", kind)
        return True

    # Operations

    def compare(self) -> list[Change]:
        self._operations("paths")
        self._operations("webhooks")
        return self.changes

    def _operations(self, section: str) -> None:
        old_ops = {op.operation_id or op.label: op for op in operations(self.old, section)}
        new_ops = {op.operation_id or op.label: op for op in operations(self.new, section)}
        by_route = {(op.method, _normal_path(op.path)): op for op in new_ops.values()}
        noun = "operation" if section == "paths" else "webhook"
        matched: set[str] = set()
        for key, old_op in old_ops.items():
            new_op = new_ops.get(key)
            if new_op is None:
                candidate = by_route.get((old_op.method, _normal_path(old_op.path)))
                if candidate is not None and (candidate.operation_id or candidate.label) not in (
                    old_ops
                ):
                    new_op = candidate
                if new_op is not None and old_op.operation_id != new_op.operation_id:
                    self.add(
                        (*new_op.location, "operationId"),
                        "operation-id-changed",
                        f"{old_op.method.upper()} {new_op.path}: operationId "
                        f"{old_op.operation_id!r} -> {new_op.operation_id!r} (generated clients "
                        "and links use it; the Protocol method is renamed)",
                        "operation id changed",
                    )
            if new_op is None:
                what = f"{old_op.method.upper()} {old_op.path} ({old_op.label})"
                if section == "webhooks":
                    what = f"webhook {old_op.label}"
                self.stability(old_op.node, None, old_op.location, what)
                if not self.removal(old_op.node, old_op.location, what, "operation removed"):
                    self.add(
                        old_op.location,
                        f"{noun}-removed",
                        f"{what} was removed",
                        "operation removed",
                    )
                continue
            matched.add(new_op.operation_id or new_op.label)
            self.operation(old_op, new_op)
        for key, new_op in new_ops.items():
            if key not in matched:
                what = f"{new_op.method.upper()} {new_op.path} ({new_op.label})"
                if section == "webhooks":
                    what = f"webhook {new_op.label}"
                self.add(
                    new_op.location,
                    f"{noun}-added",
                    f"{what} is new: implement it",
                    "operation added",
                )

    def operation(self, old: Operation, new: Operation) -> None:
        label = new.label
        if (old.method, old.path) != (new.method, new.path):
            same_route = (old.method, _normal_path(old.path)) == (
                new.method,
                _normal_path(new.path),
            )
            self.add(
                new.location,
                "operation-moved",
                f"{label}: {old.method.upper()} {old.path} -> {new.method.upper()} {new.path}"
                + (" (only path parameter names differ)" if same_route else ""),
                "path parameter names changed" if same_route else "operation moved",
            )
        self.deprecation(old.node, new.node, new.location, label)
        self.stability(old.node, new.node, new.location, label)
        self.security(old, new)
        self.parameters(old, new)
        self.request_body(old, new)
        self.responses(old, new)

    def security(self, old: Operation, new: Operation) -> None:
        before = effective_security(self.old, old)
        after = effective_security(self.new, new)
        old_kind, new_kind = security_kind(before), security_kind(after)
        old_schemes = {name for r in before for name in r}
        new_schemes = {name for r in after for name in r}
        if (old_kind, old_schemes) == (new_kind, new_schemes):
            return
        kind = "schemes changed" if old_kind == new_kind else f"{old_kind} -> {new_kind}"
        if old_kind == new_kind:
            # Requirements are alternatives: a client meets any one of them.
            old_ways = {frozenset(r) for r in before if r}
            new_ways = {frozenset(r) for r in after if r}
            if old_ways < new_ways:
                kind = "alternative added"
            elif new_ways < old_ways:
                kind = "alternative removed"
        schemes = (
            f" ({', '.join(sorted(old_schemes)) or '-'} -> {', '.join(sorted(new_schemes)) or '-'})"
        )
        self.add(
            (*new.location, "security"),
            "security-changed",
            f"{new.label}: authentication {old_kind} -> {new_kind}{schemes}",
            f"authentication {kind}",
        )

    def parameters(self, old: Operation, new: Operation) -> None:
        before, after = parameters(self.old, old), parameters(self.new, new)
        removed = [k for k in before if k not in after]
        added = [k for k in after if k not in before]
        label = new.label
        for kind in {k[0] for k in removed}:
            gone = [k for k in removed if k[0] == kind]
            came = [k for k in added if k[0] == kind]
            if len(gone) == 1 and len(came) == 1:
                self.add(
                    after[came[0]][1],
                    "parameter-renamed",
                    f"{label}: {kind} parameter {gone[0][1]!r} renamed to {came[0][1]!r}",
                    "path parameter renamed" if kind == "path" else "parameter renamed",
                )
                removed.remove(gone[0])
                added.remove(came[0])
                self._parameter(before[gone[0]], after[came[0]], label)
        for key in removed:
            what = f"{label}: {key[0]} parameter {key[1]!r}"
            where = (*new.location, "parameters")
            if not self.removal(before[key][0].node, where, what, "parameter removed"):
                self.add(where, "parameter-removed", f"{what} removed", "parameter removed")
        for key in added:
            resolved, location = after[key]
            presence = "required" if resolved.node.get("required") else "optional"
            self.add(
                location,
                "required-parameter-added" if presence == "required" else "parameter-added",
                f"{label}: {presence} {key[0]} parameter {key[1]!r} added",
                f"{presence} parameter added",
            )
        for key in before.keys() & after.keys():
            self._parameter(before[key], after[key], label)

    def _parameter(self, old: tuple[Any, Location], new: tuple[Any, Location], label: str) -> None:
        (old_param, _), (new_param, where) = old, new
        name = f"{new_param.node['in']} parameter {new_param.node['name']!r}"
        was, now = bool(old_param.node.get("required")), bool(new_param.node.get("required"))
        if was != now:
            self.add(
                (*where, "required"),
                "parameter-now-required" if now else "parameter-now-optional",
                f"{label}: {name} is now {'required' if now else 'optional'}",
                "parameter now required" if now else "parameter now optional",
            )
        self.deprecation(old_param.node, new_param.node, where, f"{label}: {name}")
        old_schema = old_param.node.get("schema", {})
        new_schema = new_param.node.get("schema", {})
        old_default = flatten(self.old, old_schema, old_param.location).keywords.get("default")
        new_default = flatten(self.new, new_schema, new_param.location).keywords.get("default")
        if old_default != new_default:
            self.add(
                (*where, "schema", "default"),
                "default-changed",
                f"{label}: {name} default {_brief(old_default)} -> {_brief(new_default)} "
                "(clients that leave it out get other behaviour)",
                "parameter default changed",
            )
        self.schema(
            (old_schema, (*old_param.location, "schema")),
            (new_schema, (*new_param.location, "schema")),
            "request",
            label,
        )

    def request_body(self, old: Operation, new: Operation) -> None:
        label = new.label
        where = (*new.location, "requestBody")
        old_body, new_body = request_body(self.old, old), request_body(self.new, new)
        if old_body.node is None and new_body.node is None:
            return
        if old_body.node is None:
            presence = "required" if new_body.node.get("required") else "optional"
            self.add(
                where,
                "request-body-added",
                f"{label}: a {presence} request body was added",
                f"{presence} request body added",
            )
            return
        if new_body.node is None:
            self.add(
                where,
                "request-body-removed",
                f"{label}: the request body was removed",
                "request body removed",
            )
            return
        if new_body.node.get("required") and not old_body.node.get("required"):
            self.add(
                where,
                "request-body-now-required",
                f"{label}: the request body is now required",
                "request body now required",
            )
        old_content = old_body.node.get("content") or {}
        new_content = new_body.node.get("content") or {}
        for media in sorted(old_content.keys() - new_content.keys()):
            self.add(
                (*new_body.location, "content"),
                "request-media-type-removed",
                f"{label}: request bodies as {media} are no longer accepted",
                "request media type removed",
            )
        for media in sorted(new_content.keys() - old_content.keys()):
            self.add(
                (*new_body.location, "content", media),
                "request-media-type-added",
                f"{label}: request bodies as {media} are accepted too",
                "request media type added",
            )
        for media in sorted(old_content.keys() & new_content.keys()):
            self.schema(
                (
                    old_content[media].get("schema", {}),
                    (*old_body.location, "content", media, "schema"),
                ),
                (
                    new_content[media].get("schema", {}),
                    (*new_body.location, "content", media, "schema"),
                ),
                "request",
                label,
            )

    def responses(self, old: Operation, new: Operation) -> None:
        label = new.label
        before = {str(k): v for k, v in (old.node.get("responses") or {}).items()}
        after = {str(k): v for k, v in (new.node.get("responses") or {}).items()}
        where = (*new.location, "responses")
        for code in sorted(before.keys() - after.keys()):
            outcome = _outcome(code)
            self.add(
                where,
                f"{outcome}-status-removed",
                f"{label}: no longer answers {code}",
                f"{outcome} status removed",
            )
        for code in sorted(after.keys() - before.keys()):
            outcome = _outcome(code)
            self.add(
                (*where, code),
                f"{outcome}-status-added",
                f"{label}: may now answer {code}",
                f"{outcome} status added",
            )
        for code in sorted(before.keys() & after.keys()):
            old_response = resolve(self.old, before[code], (*old.location, "responses", code))
            new_response = resolve(self.new, after[code], (*where, code))
            if isinstance(old_response.node, dict) and isinstance(new_response.node, dict):
                self._response(old_response.node, old_response.location, new_response, code, label)

    def _response(
        self, old: dict[str, Any], old_location: Location, new: Resolved, code: str, label: str
    ) -> None:
        node, where = new.node, new.location
        outcome = _outcome(code)
        old_headers = {str(h).lower(): (h, v) for h, v in (old.get("headers") or {}).items()}
        new_headers = {str(h).lower(): (h, v) for h, v in (node.get("headers") or {}).items()}
        for name in sorted(old_headers.keys() - new_headers.keys()):
            self.add(
                (*where, "headers"),
                "response-header-removed",
                f"{label}: the {code} no longer sends {old_headers[name][0]}",
                f"{outcome} response header removed",
            )
        for name in sorted(new_headers.keys() - old_headers.keys()):
            self.add(
                (*where, "headers", new_headers[name][0]),
                "response-header-added",
                f"{label}: the {code} now sends {new_headers[name][0]}",
                f"{outcome} response header added",
            )
        for name in sorted(old_headers.keys() & new_headers.keys()):
            old_name, old_header = old_headers[name]
            new_name, new_header = new_headers[name]
            old_h = resolve(self.old, old_header, (*old_location, "headers", old_name))
            new_h = resolve(self.new, new_header, (*where, "headers", new_name))
            if isinstance(old_h.node, dict) and isinstance(new_h.node, dict):
                was, now = bool(old_h.node.get("required")), bool(new_h.node.get("required"))
                if was != now:
                    state = "required" if now else "optional"
                    self.add(
                        (*new_h.location, "required"),
                        f"response-header-now-{state}",
                        f"{label}: the {code}'s {new_name} header is now {state}",
                        f"response header now {state}",
                    )
                self.schema(
                    (old_h.node.get("schema", {}), (*old_h.location, "schema")),
                    (new_h.node.get("schema", {}), (*new_h.location, "schema")),
                    "response",
                    label,
                )
        old_content = old.get("content") or {}
        new_content = node.get("content") or {}
        for media in sorted(old_content.keys() - new_content.keys()):
            self.add(
                (*where, "content"),
                "response-media-type-removed",
                f"{label}: the {code} no longer comes as {media}",
                f"{outcome} media type removed",
            )
        for media in sorted(new_content.keys() - old_content.keys()):
            self.add(
                (*where, "content", media),
                "response-media-type-added",
                f"{label}: the {code} may come as {media}",
                f"{outcome} media type added",
            )
        for media in sorted(old_content.keys() & new_content.keys()):
            self.schema(
                (old_content[media].get("schema", {}), (*old_location, "content", media, "schema")),
                (new_content[media].get("schema", {}), (*where, "content", media, "schema")),
                "response",
                label,
            )


def compare(
    old: dict[str, Any], new: dict[str, Any], today: datetime.date | None = None
) -> list[Change]:
    """Every difference between two specs that a client or the server could notice.

    `today` (default: the UTC date) decides whether an `x-sunset` has passed.
    """
    return Comparison(old, new, today).compare()


def rules() -> str:
    """Every rule id with what it reports, for `--rules`."""
    width = max(map(len, RULES))
    return "".join(f"{rule:<{width}}  {text}\n" for rule, text in RULES.items())


def major(document: dict[str, Any]) -> int | None:
    version = str((document.get("info") or {}).get("version", ""))
    match = re.match(r"v?(\d+)", version)
    return int(match[1]) if match else None


# git


class GitError(Exception):
    pass


def _git(cwd: Path, *args: str) -> str:
    try:
        result = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False
        )
    except FileNotFoundError as error:
        raise GitError("git is not installed") from error
    if result.returncode != 0:
        raise GitError(result.stderr.strip() or f"git {' '.join(args)} failed")
    return result.stdout


def default_ref(cwd: Path) -> tuple[str, str]:
    """The merge base of HEAD with main (or origin/main), and how to call it."""
    for base in BASE_BRANCHES:
        try:
            return _git(cwd, "merge-base", "HEAD", base).strip(), f"the merge base with {base}"
        except GitError:
            continue
    raise GitError(
        "no merge base with main or origin/main; name the revision to compare with, e.g. HEAD~1"
    )


def spec_at(ref: str, spec: Path) -> tuple[str | None, str]:
    """The spec's text at `ref` (None when the file did not exist there) and the short commit."""
    folder = spec.resolve().parent
    try:
        commit = _git(folder, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
    except GitError as error:
        hint = " (a shallow clone? `git fetch --unshallow`)" if "~" in ref or "^" in ref else ""
        raise GitError(f"unknown revision {ref!r}{hint}") from error
    top = Path(_git(folder, "rev-parse", "--show-toplevel").strip())
    relative = spec.resolve().relative_to(top.resolve()).as_posix()
    try:
        return _git(top, "show", f"{commit}:{relative}"), commit[:12]
    except GitError:
        return None, commit[:12]


# Report


def report(changes: list[Change], old: dict[str, Any], new: dict[str, Any], against: str) -> str:
    old_version = (old.get("info") or {}).get("version", "?")
    new_version = (new.get("info") or {}).get("version", "?")
    lines = [f"Spec changes since {against}: info.version {old_version} -> {new_version}", ""]
    if not changes:
        lines.append("No changes a client or the server could notice.")
    sections = [
        ("Breaking for clients", [c for c in changes if c.client]),
        ("Server work only (src/ must handle or produce what changed)",
         [c for c in changes if c.server and not c.client]),
        ("Compatible", [c for c in changes if not c.client and not c.server]),
    ]  # fmt: skip
    for title, found in sections:
        if found:
            lines.append(f"{title} ({len(found)}):")
            for change in found:
                also = " (server work too)" if change.client and change.server else ""
                lines.append(f"  - {change}{also}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def verdict(changes: list[Change], old: dict[str, Any], new: dict[str, Any]) -> tuple[int, str]:
    breaking = [c for c in changes if c.client]
    if not breaking:
        return 0, "OK: nothing breaks clients."
    before, after = major(old), major(new)
    if before is not None and after is not None and after > before:
        return 0, (
            f"OK: {len(breaking)} change(s) break clients, and info.version's major went up "
            f"({before} -> {after})."
        )
    return 1, (
        f"FAIL: {len(breaking)} change(s) break clients and info.version's major number did not "
        f"go up ({before} -> {after}). Keep the old behaviour (add instead of change), or bump "
        "the major version to release a breaking change."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ref", nargs="?", help="git revision (default: merge base with main)")
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC)
    parser.add_argument("--old-spec", type=Path, help="compare with this file instead of git")
    parser.add_argument("--rules", action="store_true", help="list every rule id and exit")
    args = parser.parse_args(argv)
    if args.rules:
        sys.stdout.write(rules())
        return 0
    try:
        new = load(args.spec)
        if args.old_spec:
            old, against = load(args.old_spec), str(args.old_spec)
        else:
            ref, name = args.ref, args.ref
            if ref is None:
                ref, name = default_ref(args.spec.resolve().parent)
            text, commit = spec_at(ref, args.spec)
            shown = f"{name} ({commit})"
            if text is None:
                old, against = {}, f"{shown}, where the spec did not exist yet"
            else:
                old, against = load_text(text, f"{ref}:{args.spec}"), shown
    except (GitError, SpecError, OSError) as error:
        sys.stderr.write(f"breaking: {error}\n")
        return 2
    changes = compare(old, new)
    status, summary = verdict(changes, old, new)
    sys.stdout.write(report(changes, old, new, against) + summary + "\n")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
