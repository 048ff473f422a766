"""Signing in to the console: invitations, passwords, the second factor, sessions."""

from __future__ import annotations

from tests.support.pages import PageClient, text
from tests.support.suite import Suite

PASSWORD = "kopi tubruk manis pagi"


def test_an_invited_officer_sets_a_password_and_lands_on_their_queue(
    console_suite: Suite,
) -> None:
    console_suite.person("signin-officer-1")
    link = console_suite.invitation("signin-officer-1")
    person = PageClient(console_suite.urls["console"])

    opened = person.get(link)
    assert opened.status_code == 200
    assert "Signin Officer 1" in text(opened)

    weak = person.post(link, {"password": "password123", "password_again": "password123"})
    assert weak.status_code == 422
    assert "terlalu umum" in text(weak)

    done = person.accept_invitation(link, PASSWORD)
    assert done.status_code == 200, text(done)
    assert done.url.endswith("/kasus"), done.url
    assert "Kasus saya" in text(done)


def test_the_sign_in_pages_speak_english_on_request(console_suite: Suite) -> None:
    person = PageClient(console_suite.urls["console"])

    page = person.get("/masuk?lang=en")
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    shown = text(page)
    # Indonesian here means the catalogue is not compiled: `make translations`.
    assert "Sign in to Pantau" in shown, shown
    assert "Forgotten your password?" in shown
    assert "Masuk ke Pantau" not in shown

    empty = person.post("/masuk", {"email": "", "password": ""})
    assert empty.status_code == 422
    assert "Enter your email address." in text(empty)
    assert "Enter your password." in text(empty)

    assert "Forgotten password" in text(person.get("/masuk/lupa")), "the choice is kept"
    assert "Masuk ke Pantau" in text(person.get("/masuk?lang=id"))


def test_a_link_may_name_the_page_to_land_on_but_only_one_of_the_console(
    console_suite: Suite,
) -> None:
    console_suite.person("signin-next-1")
    console_suite.person("signin-next-2")
    person = PageClient(console_suite.urls["console"])
    link = console_suite.invitation("signin-next-1") + "?next=/akun"
    person.get(link)
    landed = person.post(link, {"password": PASSWORD, "password_again": PASSWORD})
    assert landed.url.endswith("/akun"), landed.url

    stranger = PageClient(console_suite.urls["console"])
    link = console_suite.invitation("signin-next-2") + "?next=https://elsewhere.example/x"
    stranger.get(link)
    landed = stranger.post(link, {"password": PASSWORD, "password_again": PASSWORD})
    assert landed.url.startswith(console_suite.urls["console"]), landed.url


def test_a_persons_open_sessions_are_named_by_their_device(console_suite: Suite) -> None:
    console_suite.person("signin-phone")
    phone = PageClient(console_suite.urls["console"])
    phone.session.headers["User-Agent"] = (
        "Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36"
    )
    phone.accept_invitation(console_suite.invitation("signin-phone"), PASSWORD)

    account = text(phone.get("/akun"))
    # As people name their phone, not the string their browser sends.
    assert "Chrome di Android" in account
    assert "AppleWebKit" not in account
