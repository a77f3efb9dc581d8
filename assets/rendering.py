"""Rendering one campaign message for one recipient — pure, no database.

Templates are untrusted (docs/architecture.md, Sending invariants): Jinja2's sandbox with
autoescape on for HTML and off for text parts, `StrictUndefined` so a misspelt variable fails
instead of printing nothing, dates and money formatted by Babel. Values are data, never template
source, so a first name `{{ 7*7 }}` is printed as written. Subjects are one line, since they
become a header; marketing SMS end with the opt-out words in the recipient's language, and an
SMS longer than the segment cap fails here, where the marketer sees it, rather than being queued.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, format_percent
from jinja2 import (
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
    nodes,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from models.campaign_templates import (
    EMAIL_HTML,
    EMAIL_TEXT,
    LAST_RESORT_LOCALE,
    SMS_TEXT,
    SUBJECT,
    TEMPLATE_PARTS,
    TEMPLATES_FOLDER,
    TemplateFile,
    campaign_templates_folder,
    locale_chain,
    normalize_locale,
    resolve_template,
)
from models.campaigns import CampaignError, CampaignSpec
from models.message_text import one_line, opt_out_words
from models.tracking import survey_marker
from senders.sms_composition import DEFAULT_MAX_SEGMENTS, over_segment_limit

# Errors a template can cause at render time; anything else is a bug of ours and propagates.
_TEMPLATE_FAULTS = (TemplateError, ValueError, TypeError, ArithmeticError)


class RenderError(Exception):
    """A template that cannot be rendered; the message names campaign, locale, file and cause."""


@dataclass(frozen=True)
class RenderedMessage:
    """One message ready for the outbox; the parts its channel does not use are None."""

    locale: str  # the locale folder that served the body: the message's Content-Language
    subject: str | None = None
    text: str | None = None
    html: str | None = None
    sms_text: str | None = None


# The context key holding the Babel locale the filters format in; set for every render.
FORMAT_LOCALE = "_format_locale"


def format_locale(recipient: str, template_locale: str) -> Locale:
    """The recipient's conventions when the template speaks their language (fr-BE reading the
    fr template gets Belgian formats); else the template's, so an English fallback reads as
    English throughout rather than English words around Dutch dates."""
    recipient = normalize_locale(recipient)
    same_language = recipient.split("-")[0] == template_locale.split("-")[0]
    return _babel_locale(recipient if same_language else template_locale)


@lru_cache(maxsize=256)
def _babel_locale(tag: str) -> Locale:
    for candidate in locale_chain(tag, LAST_RESORT_LOCALE):
        try:
            return Locale.parse(candidate, sep="-")
        except (ValueError, UnknownLocaleError):
            continue
    return Locale.parse(LAST_RESORT_LOCALE)


@pass_context
def _date_filter(context: Context, value: object, format: str = "long") -> str:
    """`{{ voucher.expires_at | date }}`; format short, medium, long (default) or full."""
    return format_date(_as_date(value), format=format, locale=context[FORMAT_LOCALE])


@pass_context
def _money_filter(context: Context, value: object, currency: str | None = None) -> str:
    """`{{ event.match.price | money(event.match.currency) }}` → `189,00 €` in French."""
    if not currency:
        raise ValueError(f"money needs a currency code, as in money('EUR'); got {currency!r}")
    return format_currency(_as_decimal(value), currency, locale=context[FORMAT_LOCALE])


@pass_context
def _percent_filter(context: Context, value: object) -> str:
    """`{{ 30 | percent }}` → `30 %` in French: the value is in percent, not a fraction."""
    fraction = _as_decimal(value) / 100
    return format_percent(fraction, locale=context[FORMAT_LOCALE], decimal_quantization=False)


FILTERS = {"date": _date_filter, "money": _money_filter, "percent": _percent_filter}
# `{{ survey_link(9) }}`: where the link answering a survey with 9 goes. The signed link needs
# the message id and the tracking service, so the mail composer writes it in (right after
# rendering, or at dispatch for a row composed under other settings).
GLOBALS = {"survey_link": survey_marker}


def _as_date(value: object) -> date:
    """Dates arrive as dates, date-times, or ISO 8601 text from a trigger's JSON context."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip()).date()
        except ValueError:
            pass
    raise ValueError(f"date expects a date or ISO 8601 text, got {value!r}")


def _as_decimal(value: object) -> Decimal:
    if isinstance(value, int | float | Decimal | str) and not isinstance(value, bool):
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            pass
    raise ValueError(f"expected a number, got {value!r}")


class _Sandbox(SandboxedEnvironment):
    def getattr(self, obj: Any, attribute: str) -> Any:
        """`event.items` is the basket's items, not `dict.items`: for mappings, keys win over
        methods, so templates read the trigger context the way docs/triggers.md writes it."""
        if isinstance(obj, Mapping) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


@lru_cache(maxsize=8)
def template_environment(templates_dir: Path) -> SandboxedEnvironment:
    """One sandbox per templates folder for the checks at load; it caches compiled templates
    and reloads edited ones."""
    return _sandbox(templates_dir, auto_reload=True)


def _sandbox(templates_dir: Path, auto_reload: bool) -> SandboxedEnvironment:
    environment = _Sandbox(
        loader=FileSystemLoader(templates_dir, encoding="utf-8"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=auto_reload,
    )
    environment.filters.update(FILTERS)
    environment.globals.update(GLOBALS)
    return environment


class TemplateOwner(Protocol):
    """Whose templates: a campaign, or a journey's message step (assets/journey_rendering.py).
    `name` is the templates' folder under the templates folder."""

    @property
    def name(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def default_locale(self) -> str: ...
    @property
    def marketing(self) -> bool: ...


class TemplateRenderer:
    """Renders the messages of some campaigns; templates are resolved once per locale. An SMS
    of more than ``sms_max_segments`` segments is a RenderError.

    A renderer serves one run, so it has a sandbox of its own that compiles each template once
    and never looks at its file again: checking every template's file for edits at every
    message (and every layout it extends) cost 5–6 s of the 50 k messages of a first pass at
    1 M customers. The next run's renderer reads what was edited since."""

    def __init__(
        self,
        campaigns_dir: Path,
        specs: Mapping[str, TemplateOwner],
        sms_max_segments: int = DEFAULT_MAX_SEGMENTS,
    ) -> None:
        self._campaigns_dir = campaigns_dir
        self._specs = dict(specs)
        self._sms_max_segments = sms_max_segments
        self._environment = _sandbox(campaigns_dir / TEMPLATES_FOLDER, auto_reload=False)
        self._resolved: dict[tuple[str, str, str], TemplateFile] = {}

    def render(
        self, campaign: str, channel: str, locale: str, variables: Mapping[str, Any]
    ) -> RenderedMessage:
        """`channel` is the one this message goes by: for a `best` campaign, the resolved one."""
        spec = self._specs.get(campaign)
        if spec is None:
            raise RenderError(f"campaign {campaign!r}: not among the campaigns loaded")
        if channel not in ("email", "sms"):
            raise RenderError(
                f"campaign {campaign!r}: expected the channel the message goes by, email or sms "
                f"(for a best campaign, the resolved one); got {channel!r}"
            )
        if spec.channel not in ("best", channel):
            raise RenderError(f"campaign {campaign!r} sends by {spec.channel}, not by {channel!r}")
        if channel == "sms":
            return self._render_sms(spec, locale, variables)
        subject, _ = self._part(spec, locale, SUBJECT, variables)
        html, html_file = self._part(spec, locale, EMAIL_HTML, variables)
        text, _ = self._part(spec, locale, EMAIL_TEXT, variables)
        return RenderedMessage(
            locale=html_file.locale, subject=one_line(subject), text=text.strip(), html=html
        )

    def _render_sms(
        self, spec: TemplateOwner, locale: str, variables: Mapping[str, Any]
    ) -> RenderedMessage:
        sms, sms_file = self._part(spec, locale, SMS_TEXT, variables)
        text = self._sms(spec, locale, sms)
        problem = over_segment_limit(text, self._sms_max_segments)
        if problem:
            raise RenderError(f"campaign {spec.name!r}, locale {locale!r}: {problem}")
        return RenderedMessage(locale=sms_file.locale, sms_text=text)

    def _part(
        self, spec: TemplateOwner, locale: str, part: str, variables: Mapping[str, Any]
    ) -> tuple[str, TemplateFile]:
        file = self._resolve(spec, locale, part)
        context = {**variables, FORMAT_LOCALE: format_locale(locale, file.locale)}
        try:
            rendered = self._environment.get_template(file.name).render(context)
        except _TEMPLATE_FAULTS as error:
            raise RenderError(_failure(spec.name, locale, file, error)) from error
        if part in (SUBJECT, SMS_TEXT) and not rendered.strip():
            raise RenderError(_failure(spec.name, locale, file, ValueError("rendered empty")))
        return rendered, file

    def _resolve(self, spec: TemplateOwner, locale: str, part: str) -> TemplateFile:
        key = (spec.name, locale, part)
        if key not in self._resolved:
            try:
                self._resolved[key] = resolve_template(
                    self._campaigns_dir, spec.name, spec.default_locale, locale, part
                )
            except FileNotFoundError as error:
                raise RenderError(f"campaign {spec.name!r}, locale {locale!r}: {error}") from None
        return self._resolved[key]

    @staticmethod
    def _sms(spec: TemplateOwner, locale: str, text: str) -> str:
        text = text.strip()
        return f"{text}\n{opt_out_words(locale)}" if spec.marketing else text


def render_message(
    spec: CampaignSpec,
    campaigns_dir: Path,
    locale: str,
    variables: Mapping[str, Any],
    channel: str | None = None,
) -> RenderedMessage:
    """One message of `spec`; `channel` is required for `best` campaigns (the resolved one)."""
    chosen = channel or spec.channel
    return TemplateRenderer(campaigns_dir, {spec.name: spec}).render(
        spec.name, chosen, locale, variables
    )


def check_templates(spec: TemplateOwner, campaigns_dir: Path) -> None:
    """Compile (not render) every template of `spec` and the layouts it extends or imports;
    CampaignError naming file, line, cause.

    Compiling catches syntax errors and unknown filters at load time, before any send. Jinja
    looks a layout up only when rendering, so a missing one is looked for here too.
    """
    environment = template_environment(campaigns_dir / TEMPLATES_FOLDER)
    folder = campaign_templates_folder(campaigns_dir, spec.name)
    checked: set[str] = set()
    problems = []
    for path in sorted(folder.glob("*/*")):
        if path.name in TEMPLATE_PARTS:
            name = f"{spec.name}/{path.parent.name}/{path.name}"
            problems += _compile_problems(environment, name, path, checked)
    if problems:
        raise CampaignError("\n".join(problems))


# The tags that name another template: {% extends %}, {% include %}, {% import %}, {% from %}.
_REFERENCES = (nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)


def _compile_problems(
    environment: SandboxedEnvironment, name: str, path: Path, checked: set[str]
) -> list[str]:
    """Problems of template `name` (at `path`) and of the templates it names, each once."""
    if name in checked:
        return []
    checked.add(name)
    try:
        tree = environment.parse(path.read_text(encoding="utf-8"))
        environment.get_template(name)
    except TemplateNotFound:  # a path out of the templates folder, such as ../secrets
        return [f"{path}: expected a template inside {path.parents[name.count('/')]}"]
    except TemplateSyntaxError as error:
        return [f"{path}: line {error.lineno}: {error.message}"]
    except UnicodeDecodeError as error:
        return [f"{path}: expected UTF-8 text ({error.reason})"]
    problems = []
    templates_dir = path.parents[name.count("/")]  # `name` is relative to it
    for node in tree.find_all(_REFERENCES):
        if not isinstance(node.template, nodes.Const):
            continue  # a name computed at render time; rendering reports it if it is missing
        referenced = templates_dir / node.template.value
        if referenced.is_file():
            problems += _compile_problems(environment, node.template.value, referenced, checked)
        else:
            problems.append(
                f"{path}: line {node.lineno}: {node.template.value!r} not found; "
                f"expected the file {referenced}"
            )
    return problems


def _failure(campaign: str, locale: str, file: TemplateFile, error: Exception) -> str:
    line = _template_line(error, file.path)
    where = f"{file.path}, line {line}" if line else str(file.path)
    return f"campaign {campaign!r}, locale {locale!r}: {where}: {_cause(error)}"


def _cause(error: Exception) -> str:
    if isinstance(error, SecurityError):
        return f"unsafe template: {error}"
    if isinstance(error, UndefinedError):
        return f"undefined variable: {error}"
    if isinstance(error, TemplateSyntaxError):
        return f"template syntax: {error.message}"
    if isinstance(error, ValueError):  # our filters' messages, already written for people
        return str(error)
    return f"{type(error).__name__}: {error}"


def _template_line(error: Exception, path: Path) -> int | None:
    """The template line an error came from: Jinja rewrites tracebacks to template lines."""
    if isinstance(error, TemplateSyntaxError):
        return error.lineno
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == str(path)]
    return frames[-1].lineno if frames else None
