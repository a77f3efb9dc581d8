"""Contacts in text people read are masked: an address keeps its first character and domain, a
number its country code and last two digits."""

from __future__ import annotations

from models.contact_masking import mask_contacts


def test_an_address_keeps_its_first_character_and_domain():
    masked = mask_contacts("to jane.doe+promo@mail.example.com (fr)")

    assert masked == "to j***@mail.example.com (fr)"


def test_a_number_keeps_its_country_code_and_last_two_digits():
    assert mask_contacts("by sms to +33612345689:") == "by sms to +33******89:"
    assert mask_contacts("+3247000010") == "+32******10"


def test_the_stars_do_not_tell_the_length_of_what_is_hidden():
    assert mask_contacts("a@x.example b.much.longer.name@x.example") == (
        "a***@x.example b***@x.example"
    )
    assert mask_contacts("+4412345678901 +4412345601") == "+44******01 +44******01"


def test_every_contact_in_an_error_is_masked_and_the_rest_is_kept():
    error = "RCPT TO <u1@example.com>: 550 5.1.1 no such user; SNS: +6591234567 opted out"

    assert mask_contacts(error) == (
        "RCPT TO <u***@example.com>: 550 5.1.1 no such user; SNS: +65******67 opted out"
    )


def test_text_without_contacts_is_left_alone():
    text = "2025-06-01 12:00:00+00:00 count=+12 smtp://127.0.0.1:2525 user@localhost"

    assert mask_contacts(text) == text


def test_an_address_with_any_character_a_local_part_allows_shows_only_its_first():
    text = "o'brien@example.com first.last+promo&co@ex.com j/d=x{1}@ex.com a!b#c$d%e@ex.com"

    assert mask_contacts(text) == "o***@example.com f***@ex.com j***@ex.com a***@ex.com"
