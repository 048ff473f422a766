"""The OpenAPI 3.1 document of every service, from descriptions placed on the views themselves.

A view says what it is with :func:`operation` (its summary, body, query, answers and
problems). :func:`build` walks the app's routes, turns each Flask rule into an OpenAPI path
with its path parameters, and assembles the document with the schemas of every model the
descriptions name. A route that no view describes is an error, so nothing is served
undocumented and the document cannot drift from the routes. The problem-details shape here
is the body ``shared.problems`` sends.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from flask import Blueprint, Flask, jsonify
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema

from shared.metrics import VERSION

REF: Final = "#/components/schemas/{model}"
BEARER: Final[list[dict[str, list[str]]]] = [{"bearerKey": []}]
SECURITY_SCHEMES: Final = {"bearerKey": {"type": "http", "scheme": "bearer"}}
PROBLEM_JSON: Final = "application/problem+json"
# Served by every app outside its API (``shared.web`` and :func:`serve`): probes, metrics and
# the document itself.
FRAME_ROUTES: Final = frozenset({"/healthz", "/readyz", "/metrics", "/openapi.json"})

_ATTRIBUTE: Final = "__pantau_operation__"
_EXTENSION: Final = "pantau.openapi"
_IGNORED_METHODS: Final = frozenset({"HEAD", "OPTIONS"})
# <case_id>, <path:x>, <any(a, b):kind>
_VARIABLE: Final = re.compile(r"<(?:(?P<converter>[^<>:]+):)?(?P<name>[A-Za-z_]\w*)>")

View = TypeVar("View", bound=Callable[..., Any])
# One model, or several of which the body or answer is any one.
Schema = type[BaseModel] | Sequence[type[BaseModel]]


class FieldError(BaseModel):
    field: str
    message: str
    code: str | None = None


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, with the request id to quote and per-field errors."""

    # Some problems carry more (the version in force, the content type received).
    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] = Field(default_factory=list)


# What each status means when the operation does not say more.
PROBLEM_TEXT: Final[Mapping[int, str]] = {
    400: "Malformed request (empty body, not JSON, not UTF-8, or a bad parameter).",
    401: "Missing, unknown or revoked API key.",
    403: "The key's role may not do this.",
    404: "No such resource, or not in your region.",
    409: "Conflict with the current state.",
    413: "Body too large.",
    415: "Body is not JSON.",
    422: "Invalid data; 'errors' names every field.",
    429: "Rate limit reached; see Retry-After.",
    500: "Something went wrong on our side; quote the request id.",
    503: "A dependency (the database, the broker or the key check) is unavailable; "
    "see Retry-After.",
}


class UndocumentedRoutes(LookupError):
    """Routes of an app whose view no :func:`operation` describes."""

    def __init__(self, routes: Sequence[str]) -> None:
        super().__init__("routes without an OpenAPI description: " + ", ".join(routes))
        self.routes = list(routes)


def ref(model: type[BaseModel] | str) -> dict[str, str]:
    name = model if isinstance(model, str) else model.__name__
    return {"$ref": REF.format(model=name)}


def _schema(schema: Schema) -> tuple[dict[str, Any], tuple[type[BaseModel], ...]]:
    if isinstance(schema, type):
        return ref(schema), (schema,)
    models = tuple(schema)
    return {"anyOf": [ref(m) for m in models]}, models


# ------------------------------------------------------------------------------- answers


@dataclass(frozen=True)
class Answer:
    """One documented answer: its OpenAPI response object and the models it names."""

    response: Mapping[str, Any]
    models: tuple[type[BaseModel], ...] = ()


def json_answer(
    schema: Schema, description: str, *, headers: Mapping[str, Any] | None = None
) -> Answer:
    """A JSON answer shaped by ``schema``, with the response ``headers`` it carries."""
    shown, models = _schema(schema)
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": shown}},
    }
    if headers:
        response["headers"] = dict(headers)
    return Answer(response, models)


def file_answer(media_type: str, description: str) -> Answer:
    """An answer of raw bytes (a download) of ``media_type``."""
    return Answer(
        {"description": description, "content": {media_type: {"schema": {"type": "string"}}}}
    )


def empty_answer(description: str) -> Answer:
    """An answer without a body (204)."""
    return Answer({"description": description})


def problem(status: int, description: str | None = None) -> dict[str, Any]:
    """A problem+json answer; ``description`` replaces the shared text of its status."""
    return {
        "description": description or PROBLEM_TEXT[status],
        "content": {PROBLEM_JSON: {"schema": ref(ProblemDetails)}},
    }


def path_parameter(name: str, description: str, **schema: Any) -> dict[str, Any]:
    """A path parameter described by hand (it replaces the one read from the route)."""
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", **schema},
    }


# ---------------------------------------------------------------------------- operations


@dataclass(frozen=True)
class Operation:
    """One operation as its view describes it; the route adds the path parameters."""

    summary: str
    description: str | None
    body: Schema | Mapping[str, Any] | None
    query: type[BaseModel] | None
    parameters: tuple[Mapping[str, Any], ...]
    answers: Mapping[int, Answer]
    problems: tuple[int, ...]
    texts: Mapping[int, str]
    security: Sequence[Mapping[str, Sequence[str]]] | None
    models: tuple[type[BaseModel], ...]

    def entry(self, path_parameters: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """The OpenAPI operation object for a route with these path parameters (a fresh copy:
        parts shared between operations are never the same object in a document)."""
        out: dict[str, Any] = {"summary": self.summary}
        if self.description:
            out["description"] = self.description
        if self.security is not None:
            out["security"] = [dict(s) for s in self.security]
        parameters = _merged(path_parameters, self.parameters)
        if self.query is not None:
            parameters += query_parameters(self.query)
        if parameters:
            out["parameters"] = parameters
        if self.body is not None:
            out["requestBody"] = _request_body(self.body)
        responses = {str(s): copy.deepcopy(dict(a.response)) for s, a in self.answers.items()}
        statuses = list(self.problems)
        if self.query is not None and 400 not in self.answers:
            # Every query string is read by shared.request_input.parse_query, which names a
            # wrong parameter (or one the operation does not read) in a 422; an operation
            # that answers a wrong parameter in its own format (Open311's 400) says so itself.
            statuses.append(422)
        if self.security is not None:
            # A key can be missing or revoked, and the database (or the key check) down, on
            # every operation that needs a key.
            statuses += [401, 503]
        for status in statuses:
            responses.setdefault(str(status), problem(status, self.texts.get(status)))
        out["responses"] = responses
        return out


def _request_body(body: Schema | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(body, Mapping):
        return dict(body)  # a request body object written out (forms, multipart)
    shown, _ = _schema(body)
    return {"required": True, "content": {"application/json": {"schema": shown}}}


def _merged(
    derived: Sequence[Mapping[str, Any]], given: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The route's path parameters, each replaced by one described by hand, then the rest."""
    by_key = {(p["name"], p["in"]): p for p in given}
    names = {p["name"] for p in derived}
    stray = sorted(name for name, where in by_key if where == "path" and name not in names)
    if stray:
        raise ValueError(f"path parameters not in the route: {', '.join(stray)}")
    merged = [by_key.pop((p["name"], "path"), p) for p in derived] + list(by_key.values())
    return [copy.deepcopy(dict(p)) for p in merged]


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """The query parameters ``model`` reads (its fields by alias), as OpenAPI parameters."""
    schema = model.model_json_schema(ref_template=REF)
    if schema.get("$defs"):
        raise ValueError(f"{model.__name__}: a query parameter is a plain value, not a model")
    required = set(schema.get("required", ()))
    parameters = []
    for name, prop in schema["properties"].items():
        parameter: dict[str, Any] = {"name": name, "in": "query", "required": name in required}
        if "description" in prop:
            parameter["description"] = prop["description"]
        parameter["schema"] = _without_null(prop)
        parameters.append(parameter)
    return parameters


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """An optional field's schema without its null: a query parameter is text or absent."""
    options = schema.get("anyOf")
    if not options or {"type": "null"} not in options:
        return schema
    rest = [option for option in options if option != {"type": "null"}]
    shown = {k: v for k, v in schema.items() if k != "anyOf" and not (k == "default" and v is None)}
    shown.update(rest[0] if len(rest) == 1 else {"anyOf": rest})
    return shown


def operation(
    *,
    summary: str,
    answers: Mapping[int, Answer | tuple[Schema, str]],
    description: str | None = None,
    body: Schema | Mapping[str, Any] | None = None,
    query: type[BaseModel] | None = None,
    parameters: Sequence[Mapping[str, Any]] = (),
    problems: Iterable[int] = (),
    texts: Mapping[int, str] | None = None,
    public: bool = False,
    security: Sequence[Mapping[str, Sequence[str]]] | None = None,
) -> Callable[[View], View]:
    """Describe the decorated view as one OpenAPI operation.

    ``answers`` maps a status to ``(model, text)`` or an :class:`Answer`; ``problems`` are the
    statuses answered with problem details, in the shared words unless ``texts`` has the
    operation's own. ``body`` is the JSON body's model (several: any one of them) or a request
    body object written out; ``query`` the model whose fields are the query parameters.
    ``parameters`` describe path parameters by hand or add headers. An operation needs a key
    unless ``public``; ``security`` replaces the bearer key (Open311 also takes ``api_key``).
    """
    shown = {
        status: answer if isinstance(answer, Answer) else json_answer(*answer)
        for status, answer in answers.items()
    }
    models: list[type[BaseModel]] = [m for a in shown.values() for m in a.models]
    if body is not None and not isinstance(body, Mapping):
        models += _schema(body)[1]
    described = Operation(
        summary=summary,
        description=description,
        body=body,
        query=query,
        parameters=tuple(parameters),
        answers=shown,
        problems=tuple(problems),
        texts=dict(texts or {}),
        security=None if public else (security or BEARER),
        models=tuple(models),
    )

    def describe(view: View) -> View:
        setattr(view, _ATTRIBUTE, described)
        return view

    return describe


def described(view: Callable[..., Any]) -> Operation | None:
    """The operation a view was described as, if any."""
    found: Operation | None = getattr(view, _ATTRIBUTE, None)
    return found


# ------------------------------------------------------------------------------ document


def openapi_path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    """A Flask rule as an OpenAPI path, with its path parameters in the order they appear:
    ``/v1/cases/<case_id>`` → ``/v1/cases/{case_id}``."""
    parameters: list[dict[str, Any]] = []

    def replace(match: re.Match[str]) -> str:
        name = match["name"]
        parameters.append(
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": _converter_schema(match["converter"]),
            }
        )
        return "{" + name + "}"

    return _VARIABLE.sub(replace, rule), parameters


def _converter_schema(converter: str | None) -> dict[str, Any]:
    kind, _, arguments = (converter or "string").partition("(")
    if kind == "any":
        choices = [a.strip(" '\"") for a in arguments.rstrip(")").split(",")]
        return {"type": "string", "enum": choices}
    if kind == "int":
        return {"type": "integer"}
    if kind == "float":
        return {"type": "number"}
    if kind == "uuid":
        return {"type": "string", "format": "uuid"}
    return {"type": "string"}


def build(
    app: Flask,
    *,
    title: str,
    description: str,
    version: str = VERSION,
    models: Iterable[type[BaseModel]] = (),
) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``app``'s routes, with the schemas of every model its
    operations name and of ``models``. Raises :class:`UndocumentedRoutes` if a view outside
    the frame (probes, metrics, the document) has no description."""
    paths: dict[str, dict[str, Any]] = {}
    named: dict[type[BaseModel], None] = dict.fromkeys([ProblemDetails, *models])
    missing: list[str] = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule in FRAME_ROUTES:
            continue
        methods = sorted((rule.methods or set()) - _IGNORED_METHODS)
        found = described(app.view_functions[rule.endpoint])
        if found is None:
            missing += [f"{method} {rule.rule}" for method in methods]
            continue
        if len(methods) != 1:
            raise ValueError(f"{rule.rule}: describe one method per view, not {methods}")
        path, parameters = openapi_path(rule.rule)
        try:
            paths.setdefault(path, {})[methods[0].lower()] = found.entry(parameters)
        except ValueError as exc:
            raise ValueError(f"{methods[0]} {rule.rule}: {exc}") from exc
        named.update(dict.fromkeys(found.models))
    if missing:
        raise UndocumentedRoutes(missing)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": _components(named), "securitySchemes": SECURITY_SCHEMES},
    }


def _components(models: Iterable[type[BaseModel]]) -> dict[str, Any]:
    """The schemas of ``models`` (and everything they use), keyed by model name."""
    listed = list(models)
    _, definitions = models_json_schema([(m, "validation") for m in listed], ref_template=REF)
    found: dict[str, Any] = definitions.get("$defs", {})
    # Two models of one name would be renamed by pydantic, and the references to them break.
    clashing = sorted(m.__name__ for m in listed if m.__name__ not in found)
    if clashing:
        raise ValueError(f"models named alike, rename one: {', '.join(clashing)}")
    return found


def serve(app: Flask, *, title: str, description: str) -> None:
    """Serve ``app``'s document at ``GET /openapi.json``, public like the API's own
    description should be; built at the first request, once."""

    @app.get("/openapi.json")
    def openapi() -> ResponseReturnValue:
        doc = app.extensions.get(_EXTENSION)
        if doc is None:
            doc = app.extensions[_EXTENSION] = build(app, title=title, description=description)
        return jsonify(doc)


def blueprint_document(
    blueprints: Iterable[Blueprint], *, title: str, description: str
) -> dict[str, Any]:
    """The document of ``blueprints`` on a bare app: what the service serves, without
    starting it (no database, broker or logging set up), for tools and tests."""
    app = Flask("pantau.openapi")
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    return build(app, title=title, description=description)
