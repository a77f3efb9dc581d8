"""Specifications of the journey loader: what a valid journey reads as, and how each mistake is
named (file, step, field, value, expectation)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from models.calendar_spans import CalendarSpan, parse_span
from models.journeys import DbtKnowledge, JourneyError, load_journey, load_journeys

DBT = DbtKnowledge(
    models={"trg_abandoned_basket", "trg_vehicle_welcome", "seg_lapsed_customers"},
    customer_columns={"customer_id", "loyalty_card_id", "orders_count", "country"},
)

BASKET_STEPS = [
    {"id": "basket_email", "message": {"channel": "email"}},
    {"id": "a_day", "wait": {"for": "24h"}},
    {
        "id": "answered",
        "branch": {
            "if": {"reaction": "clicked", "step": "basket_email", "within": "24h"},
            "then": "done",
            "else": "basket_sms",
        },
    },
    {"id": "basket_sms", "message": {"channel": "sms"}},
    {"id": "done", "exit": {"reason": "answered"}},
]


def _journey(**overrides) -> dict:
    journey = {
        "name": "basket_recovery",
        "description": "A basket left behind: an e-mail, then an SMS if it went unanswered.",
        "entry": {"trigger": "trg_abandoned_basket"},
        "priority": 80,
        "conversion": {"goal": "order", "window_days": 3},
        "exit_when": ["order", "unsubscribed"],
        "steps": BASKET_STEPS,
    }
    return {**journey, **overrides}


def _templates(folder: Path, journey: str, step: str, parts: tuple[str, ...]) -> None:
    for part in parts:
        path = folder / "templates" / journey / step / "en" / part
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("Hello {{ customer.first_name }}\n")


EMAIL = ("subject.txt", "email.html", "email.txt")
SMS = ("sms.txt",)


def _write(folder: Path, journey: dict, with_templates: bool = True) -> Path:
    path = folder / f"{journey['name']}.yml"
    path.write_text(yaml.safe_dump(journey, sort_keys=False))
    if with_templates:
        for step in journey["steps"]:
            message = step.get("message") if isinstance(step, dict) else None
            parts = {"email": EMAIL, "sms": SMS, "best": EMAIL + SMS}
            if message and message.get("channel") in parts:
                _templates(folder, journey["name"], step["id"], parts[message["channel"]])
    return path


def _error(tmp_path: Path, journey: dict, with_templates: bool = True) -> str:
    path = _write(tmp_path, journey, with_templates)
    with pytest.raises(JourneyError) as raised:
        load_journey(path, DBT)
    message = str(raised.value)
    assert all(line.startswith(f"{path}: ") for line in message.splitlines()), message
    return message


def test_a_journey_reads_as_its_steps_in_order_with_spans_in_calendar_units(tmp_path):
    journey = load_journey(_write(tmp_path, _journey()), DBT)

    assert [step.id for step in journey.steps] == [s["id"] for s in BASKET_STEPS]
    assert [step.kind for step in journey.steps] == ["message", "wait", "branch", "message", "exit"]
    assert journey.step("a_day").wait.for_ == CalendarSpan(minutes=24 * 60)
    assert journey.successors(0) == ["a_day"]  # the step written next
    assert journey.successors(2) == ["done", "basket_sms"]
    assert journey.successors(3) == ["done"]
    assert journey.successors(4) == []
    assert journey.exit_when == ("order", "unsubscribed")


def test_the_version_follows_what_decides_behaviour_and_not_the_description(tmp_path):
    first = load_journey(_write(tmp_path, _journey()), DBT).version
    reworded = load_journey(_write(tmp_path, _journey(description="Other words.")), DBT).version
    steps = [*BASKET_STEPS[:1], {"id": "a_day", "wait": {"for": "48h"}}, *BASKET_STEPS[2:]]
    longer_wait = load_journey(_write(tmp_path, _journey(steps=steps)), DBT).version

    assert first == reworded
    assert longer_wait != first
    assert len(first) == 12


def test_every_journey_of_a_folder_is_loaded_and_every_problem_reported_at_once(tmp_path):
    _write(tmp_path, _journey())
    _write(tmp_path, _journey(name="broken", priority="high"))
    _write(tmp_path, _journey(name="also_broken", entry={"trigger": "trg_nothing"}))

    with pytest.raises(JourneyError) as raised:
        load_journeys(tmp_path, DBT)

    message = str(raised.value)
    assert "broken.yml: priority: got 'high'" in message
    assert "also_broken.yml: entry.trigger: got 'trg_nothing'" in message
    assert "trg_abandoned_basket" in message  # the models that exist are named


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        (
            {"id": "basket_sms", "message": {"channel": "fax"}},
            "steps[basket_sms].message.channel: got 'fax'; expected 'email', 'sms' or 'best'",
        ),
        (
            {"id": "basket_sms", "message": {"channel": "sms"}, "wait": {"for": "1d"}},
            "steps[basket_sms]: expected exactly one of message, wait, branch, split, exit "
            "(got message, wait)",
        ),
        (
            {"id": "basket_sms", "wait": {"for": "a while"}},
            "steps[basket_sms].wait.for: got 'a while'; expected a span such as 7d",
        ),
        (
            {"id": "basket_sms", "wait": {"offset": "-14d"}},
            "steps[basket_sms].wait: got {'offset': '-14d'}; "
            "offset: expected only together with until",
        ),
        (
            {"id": "basket_sms", "wait": {"until": "due_date", "first_of": [{"until": "x"}]}},
            "expected until or first_of, not both",
        ),
        (
            {"id": "basket_sms", "wait": {"first_of": [{"until": "due_date", "at": "10:00"}]}},
            "steps[basket_sms].wait.first_of.0.at: unknown field",
        ),
        (
            {
                "id": "basket_sms",
                "branch": {
                    "if": {"customer": {"column": "country", "equals": "FR"}, "offset": "3y"},
                    "then": "done",
                    "else": "done",
                },
            },
            "offset: expected only together with date",
        ),
        (
            {"id": "basket_sms", "message": {"channel": "sms", "sender": "x"}},
            "steps[basket_sms].message.sender: unknown field",
        ),
        (
            {"id": "Basket SMS", "message": {"channel": "sms"}},
            "steps[4].id: got 'Basket SMS'; expected lowercase letters",
        ),
    ],
)
def test_a_wrong_step_is_named_by_its_id_and_field(tmp_path, step, expected):
    steps = [*BASKET_STEPS[:3], step, BASKET_STEPS[4]]
    assert expected in _error(tmp_path, _journey(steps=steps))


def test_a_step_leading_nowhere_is_refused_with_the_steps_there_are(tmp_path):
    steps = [*BASKET_STEPS[:3], {**BASKET_STEPS[3], "next": "thank_you"}, BASKET_STEPS[4]]
    message = _error(tmp_path, _journey(steps=steps))
    assert "steps[basket_sms]: leads to 'thank_you'; expected one of the steps: basket_email" in (
        message
    )


def test_an_unreachable_step_is_refused(tmp_path):
    steps = [
        {"id": "basket_email", "message": {"channel": "email"}, "next": "done"},
        {"id": "forgotten", "wait": {"for": "1d"}},
        {"id": "done", "exit": {}},
    ]
    message = _error(tmp_path, _journey(steps=steps))
    assert (
        "steps[forgotten]: unreachable; expected every step to be reached from 'basket_email'"
        in (message)
    )


def test_a_loop_without_a_wait_is_refused_and_one_with_a_wait_is_accepted(tmp_path):
    spinning = [
        {"id": "reminder", "message": {"channel": "email"}},
        {"id": "due_date", "wait": {"until": "next_service_due_on", "offset": "-14d"}},
        {
            "id": "still_ours",
            "branch": {
                "if": {"customer": {"column": "orders_count", "at_least": 1}},
                "then": "reminder",
                "else": "done",
            },
        },
        {"id": "done", "exit": {}},
    ]
    message = _error(tmp_path, _journey(steps=spinning))
    assert "loops without a wait (reminder → due_date → still_ours → reminder)" in message

    waiting = [spinning[0], {**spinning[1], "wait": {**spinning[1]["wait"], "at": "10:00"}}]
    load_journey(_write(tmp_path, _journey(steps=[*waiting, *spinning[2:]])), DBT)


def test_a_loop_on_the_next_date_to_come_is_accepted(tmp_path):
    """`first_of` counts only dates after the arrival: it always takes time."""
    next_date = {
        "id": "due_date",
        "wait": {"first_of": [{"until": "next_service_due_on", "offset": "-14d"}]},
    }
    steps = [
        {"id": "reminder", "message": {"channel": "email"}},
        next_date,
        {
            "id": "still_ours",
            "branch": {
                "if": {"date": "delivered_on", "offset": "3y"},
                "then": "done",
                "else": "reminder",
            },
        },
        {"id": "done", "exit": {}},
    ]
    journey = load_journey(_write(tmp_path, _journey(steps=steps)), DBT)

    assert journey.step("still_ours").branch.if_.offset == parse_span("3y")


def test_a_branch_asks_about_an_earlier_message_step(tmp_path):
    ask_later = {
        "id": "answered",
        "branch": {
            "if": {"reaction": "opened", "step": "basket_sms"},
            "then": "done",
            "else": "basket_sms",
        },
    }
    steps = [*BASKET_STEPS[:2], ask_later, *BASKET_STEPS[3:]]
    assert (
        "steps[answered].branch.if.step: got 'basket_sms'; expected a message step that comes"
        in (_error(tmp_path, _journey(steps=steps)))
    )

    ask_a_wait = {
        **ask_later,
        "branch": {**ask_later["branch"], "if": {"reaction": "opened", "step": "a_day"}},
    }
    steps = [*BASKET_STEPS[:2], ask_a_wait, *BASKET_STEPS[3:]]
    assert "steps[answered].branch.if.step: got 'a_day'; expected a message step" in (
        _error(tmp_path, _journey(steps=steps))
    )


def test_a_survey_score_needs_bounds_and_a_customer_test_a_known_column(tmp_path):
    scored = {"reaction": "scored", "step": "basket_email"}
    steps = [
        *BASKET_STEPS[:2],
        {**BASKET_STEPS[2], "branch": {**BASKET_STEPS[2]["branch"], "if": scored}},
        *BASKET_STEPS[3:],
    ]
    assert "expected at_least and/or at_most (0-10) with reaction: scored" in _error(
        tmp_path, _journey(steps=steps)
    )

    by_shoe_size = {"customer": {"column": "shoe_size", "at_least": 42}}
    branch = {**BASKET_STEPS[2]["branch"], "if": by_shoe_size}
    steps[2] = {**BASKET_STEPS[2], "branch": branch}
    assert (
        "steps[answered].branch.if.customer.column: got 'shoe_size'; "
        "expected a column of dim_customers" in _error(tmp_path, _journey(steps=steps))
    )


def test_leaving_a_segment_is_an_exit_only_for_a_segment_entry(tmp_path):
    message = _error(tmp_path, _journey(exit_when=["left_segment"]))
    assert "exit_when: got 'left_segment'; expected it only with a segment entry" in message


def test_each_message_step_and_each_variant_of_another_channel_needs_its_templates(tmp_path):
    experiment = {
        "control": "by_mail",
        "variants": {"by_mail": {"weight": 1}, "by_text": {"weight": 1, "channel": "sms"}},
    }
    steps = [
        {**BASKET_STEPS[0], "message": {"channel": "email", "experiment": experiment}},
        *BASKET_STEPS[1:],
    ]
    message = _error(tmp_path, _journey(steps=steps))
    assert "steps[basket_email].experiment.variants.by_text: default_locale: 'en' lacks" in message
    assert "basket_email/en/sms.txt" in message

    _templates(tmp_path, "basket_recovery", "basket_email.by_text", SMS)
    load_journey(tmp_path / "basket_recovery.yml", DBT)


def test_an_experiment_names_its_control_among_its_variants(tmp_path):
    experiment = {
        "control": "plain",
        "variants": {"ten_percent": {"weight": 1}, "ten_euros": {"weight": 1}},
    }
    steps = [
        {**BASKET_STEPS[0], "message": {"channel": "email", "experiment": experiment}},
        *BASKET_STEPS[1:],
    ]
    assert "control: got 'plain'; expected one of the variants: ten_percent, ten_euros" in _error(
        tmp_path, _journey(steps=steps)
    )


def test_the_name_is_the_file_stem_and_steps_are_required(tmp_path):
    path = tmp_path / "basket_recovery.yml"
    path.write_text(yaml.safe_dump(_journey(name="baskets", steps=[])))
    with pytest.raises(JourneyError) as raised:
        load_journey(path, DBT)
    assert "name: got 'baskets'; expected 'basket_recovery', the name of the file" in str(
        raised.value
    )
    assert "steps: expected a list of steps" in str(raised.value)


@pytest.mark.parametrize(
    ("text", "span", "written"),
    [
        ("7d", CalendarSpan(days=7), "7d"),
        ("2w", CalendarSpan(days=14), "14d"),
        ("3y", CalendarSpan(months=36), "3y"),
        ("1y6mo", CalendarSpan(months=18), "1y6mo"),
        ("-14d", CalendarSpan(days=-14), "-14d"),
        ("1d12h", CalendarSpan(days=1, minutes=720), "1d12h"),
        ("90m", CalendarSpan(minutes=90), "1h30m"),
    ],
)
def test_spans_keep_calendar_units_apart_from_elapsed_time(text, span, written):
    assert parse_span(text) == span
    assert str(span) == written
    assert parse_span(str(span)) == span


@pytest.mark.parametrize("text", ["", "7", "d7", "7 days", "1.5d", "--1d", "7x"])
def test_a_span_that_is_not_one_is_refused(text):
    with pytest.raises(ValueError, match="expected a span such as 7d"):
        parse_span(text)
