"""The statistics of journey experiments against values worked out by hand or by a closed form
independent of the code's quadrature: Wilson bounds, P(one Beta beats another), P(best), and
when the rule of `winner: auto` settles."""

from __future__ import annotations

import math

import pytest

from models.experiment_stats import (
    Counts,
    decide_winner,
    probabilities_best,
    probability_beats,
    variant_statistics,
    wilson_interval,
)


def exact_probability_beats(variant: Counts, control: Counts) -> float:
    """P(B > A) for Beta posteriors with integer parameters, as a finite sum (Evan Miller,
    "Formulas for Bayesian A/B testing"): sum over i < α_B of
    B(α_A + i, β_A + β_B) / ((β_B + i) · B(1 + i, β_B) · B(α_A, β_A))."""
    a_a, b_a = 1 + control.conversions, 1 + control.recipients - control.conversions
    a_b, b_b = 1 + variant.conversions, 1 + variant.recipients - variant.conversions

    def log_beta(a: float, b: float) -> float:
        return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)

    return sum(
        math.exp(
            log_beta(a_a + i, b_a + b_b)
            - math.log(b_b + i)
            - log_beta(1 + i, b_b)
            - log_beta(a_a, b_a)
        )
        for i in range(a_b)
    )


# Wilson interval


def test_the_wilson_interval_of_10_in_100_is_the_hand_computed_one():
    # p = 0.1, z² = 3.8415: centre (0.1 + 0.019207) / 1.038415 = 0.114800,
    # half 1.96 · √(0.0009 + 0.000096) / 1.038415 = 0.059567
    interval = wilson_interval(Counts(recipients=100, conversions=10))

    assert interval.low == pytest.approx(0.055229, abs=1e-6)
    assert interval.high == pytest.approx(0.174366, abs=1e-6)


def test_the_wilson_interval_at_none_and_at_all_converting_stays_open_inside_0_to_1():
    # At 0 of n the bounds are 0 and z² / (n + z²); at n of n, n / (n + z²) and 1.
    z2 = 1.959963984540054**2
    none, every = wilson_interval(Counts(10, 0)), wilson_interval(Counts(10, 10))

    assert none.low == 0 and none.high == pytest.approx(z2 / (10 + z2), abs=1e-12)
    assert every.low == pytest.approx(10 / (10 + z2), abs=1e-12)
    assert every.high == pytest.approx(1, abs=1e-12)


def test_no_recipient_has_no_interval_and_no_rate():
    assert wilson_interval(Counts(0, 0)) is None
    assert Counts(0, 0).rate is None


def test_more_conversions_than_recipients_is_refused():
    with pytest.raises(ValueError, match="conversions <= recipients"):
        Counts(recipients=3, conversions=4)


# P(beats the control)


def test_one_conversion_of_one_beats_no_data_two_times_in_three():
    # Beta(2, 1) against Beta(1, 1): ∫ 2x · x dx over [0, 1] = 2/3.
    assert probability_beats(Counts(1, 1), Counts(0, 0)) == pytest.approx(2 / 3, abs=1e-6)


def test_a_success_against_a_failure_wins_five_times_in_six():
    # Beta(2, 1) against Beta(1, 2): ∫ 2x · (1 − (1 − x)²) dx = 4/3 − 1/2 = 5/6.
    assert probability_beats(Counts(1, 1), Counts(1, 0)) == pytest.approx(5 / 6, abs=1e-6)


@pytest.mark.parametrize(
    ("variant", "control"),
    [
        (Counts(20, 10), Counts(20, 5)),
        (Counts(200, 30), Counts(200, 20)),
        (Counts(1000, 100), Counts(1000, 120)),
        (Counts(100_000, 1200), Counts(100_000, 1100)),
        (Counts(300, 3), Counts(300, 0)),
        (Counts(30, 1), Counts(100_000, 1100)),
    ],
)
def test_the_probability_of_beating_the_control_matches_the_closed_form(variant, control):
    assert probability_beats(variant, control) == pytest.approx(
        exact_probability_beats(variant, control), abs=2e-5
    )


def test_equal_counts_beat_each_other_half_the_time():
    assert probability_beats(Counts(500, 40), Counts(500, 40)) == pytest.approx(0.5, abs=1e-12)


def test_a_large_gap_is_all_but_certain_and_its_mirror_all_but_impossible():
    better, worse = Counts(1000, 200), Counts(1000, 100)

    assert probability_beats(better, worse) > 0.999999
    assert probability_beats(worse, better) < 0.000001


# P(best)


def test_equal_variants_are_each_best_with_equal_probability():
    best = probabilities_best({"a": Counts(100, 10), "b": Counts(100, 10), "c": Counts(100, 10)})

    assert best == pytest.approx({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}, abs=1e-9)


def test_with_two_variants_being_best_is_beating_the_other():
    variant, control = Counts(200, 30), Counts(200, 20)

    best = probabilities_best({"v": variant, "c": control})

    assert best["v"] == pytest.approx(exact_probability_beats(variant, control), abs=2e-5)
    assert best["v"] + best["c"] == pytest.approx(1, abs=1e-12)


def test_the_statistics_name_the_control_and_compare_the_others_with_it():
    stats = variant_statistics({"ten": Counts(200, 20), "more": Counts(200, 30)}, control="ten")

    assert stats["ten"].beats_control is None
    assert stats["more"].beats_control == pytest.approx(
        exact_probability_beats(Counts(200, 30), Counts(200, 20)), abs=2e-5
    )
    assert stats["more"].interval == wilson_interval(Counts(200, 30))


# The decision


def test_a_clear_winner_wins_once_every_variant_has_its_sample():
    counts = {"control": Counts(100, 5), "bold": Counts(100, 20)}

    assert decide_winner(counts, min_sample=100) == "bold"
    assert decide_winner(counts, min_sample=101) is None


def test_a_variant_nobody_got_yet_keeps_the_experiment_open():
    counts = {"control": Counts(500, 5), "bold": Counts(500, 100), "late": Counts(0, 0)}

    assert decide_winner(counts, min_sample=1) is None


def test_no_winner_while_the_difference_could_be_chance():
    # 30 against 20 of 200: P(best) ≈ 0.933, short of 0.95.
    assert decide_winner({"a": Counts(200, 20), "b": Counts(200, 30)}, min_sample=50) is None
    assert decide_winner({"a": Counts(200, 20), "b": Counts(200, 20)}, min_sample=50) is None


def test_the_control_can_win():
    counts = {"control": Counts(400, 60), "cheaper": Counts(400, 20)}

    assert decide_winner(counts, min_sample=400) == "control"


def test_two_variants_both_beating_the_control_are_not_yet_a_winner():
    # Each beats the control almost surely, but which of the two is best is a coin toss.
    counts = {"control": Counts(1000, 50), "a": Counts(1000, 150), "b": Counts(1000, 151)}

    stats = variant_statistics(counts, "control")

    assert stats["a"].beats_control > 0.999 and stats["b"].beats_control > 0.999
    assert decide_winner(counts, min_sample=100) is None
