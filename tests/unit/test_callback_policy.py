"""Which hosts hub callbacks may target."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from cascade.events.callbacks import CallbackPolicy
from cascade.tmf.errors import TmfError


def resolver(table: dict[str, list[str]]) -> object:
    def resolve(host: str) -> Sequence[str]:
        return table.get(host, [])

    return resolve


NAMES = {"public.example": ["93.184.216.34"], "sneaky.example": ["10.0.0.5"]}


def policy(setting: str | None, loopback: bool = False) -> CallbackPolicy:
    base = CallbackPolicy.from_setting(setting, server_on_loopback=loopback)
    return CallbackPolicy(base.allowed, base.allow_loopback, resolver(NAMES))  # type: ignore[arg-type]


def refused(chosen: CallbackPolicy, url: str) -> bool:
    try:
        chosen.check(url)
    except TmfError as error:
        assert error.status == 400 and error.code == "callbackNotAllowed"
        return True
    return False


def test_default_allows_public_addresses_only() -> None:
    default = policy(None)
    assert not refused(default, "https://93.184.216.34/events")
    assert not refused(default, "https://public.example/events")
    for internal in (
        "http://10.1.2.3/x",
        "http://192.168.0.1/x",
        "http://169.254.169.254/latest/meta-data",
        "http://127.0.0.1:9000/x",
        "http://[::1]:9000/x",
        "http://sneaky.example/x",  # a name that resolves to a private address
    ):
        assert refused(default, internal), internal


def test_loopback_allowed_when_the_server_itself_is_on_loopback() -> None:
    local = policy(None, loopback=True)
    assert not refused(local, "http://127.0.0.1:9000/x")
    assert refused(local, "http://10.1.2.3/x")


def test_an_unresolvable_name_waits_for_delivery_time_under_the_default() -> None:
    assert not refused(policy(None), "http://not-yet.example/x")
    assert policy(None).refusal("http://not-yet.example/x") is not None


def test_allow_list_of_names_networks_and_star() -> None:
    listed = policy("listener.example.test, *.partner.test, 10.0.0.0/8")
    assert not refused(listed, "http://listener.example.test/x")
    assert not refused(listed, "http://a.partner.test/x")
    assert not refused(listed, "http://10.9.9.9/x")
    assert not refused(listed, "http://sneaky.example/x")  # resolves into 10.0.0.0/8
    assert refused(listed, "http://127.0.0.1/x")
    assert refused(listed, "http://public.example/x")
    assert refused(listed, "http://unknown.test/x")
    assert not refused(policy("*"), "http://127.0.0.1/x")


@pytest.mark.parametrize("setting", ["", "  "])
def test_blank_setting_is_the_default(setting: str) -> None:
    assert policy(setting).allowed is None
