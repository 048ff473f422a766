"""The broker setting names one node or a cluster's nodes; every client tries them in turn."""

from __future__ import annotations

import pika
import pytest
from pydantic import ValidationError

from shared.broker.addresses import broker_urls, connection_parameters, first_url, safe_url
from shared.settings import Settings

CLUSTER = (
    "amqp://pantau:s3cret@rmq-0:5672/pantau, amqp://pantau:s3cret@rmq-1:5672/pantau,"
    "amqp://pantau:s3cret@rmq-2:5672/pantau"
)


def test_one_url_is_a_list_of_one() -> None:
    assert broker_urls("amqp://guest:guest@127.0.0.1:5672/%2F") == [
        "amqp://guest:guest@127.0.0.1:5672/%2F"
    ]


def test_a_cluster_list_keeps_its_order_and_drops_blanks() -> None:
    assert [url.split("@")[1][:5] for url in broker_urls(CLUSTER + ",")] == [
        "rmq-0",
        "rmq-1",
        "rmq-2",
    ]
    assert first_url(CLUSTER).startswith("amqp://pantau:s3cret@rmq-0")


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("", "no broker URL"),
        (" , ", "no broker URL"),
        ("amqp://a:b@rmq-0/v,http://rmq-1/v", "not a broker URL"),
        ("rmq-0:5672", "not a broker URL"),
        ("amqp://a:b@rmq-0/one,amqp://a:b@rmq-1/two", "different virtual hosts"),
    ],
)
def test_a_wrong_setting_is_refused_naming_why(setting: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        broker_urls(setting)


def test_settings_refuse_a_bad_list_at_start_without_echoing_its_password() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(amqp_url="amqp://pantau:s3cret@rmq-0/v,amqps://pantau:s3cret@/v")
    assert "amqp_url" in str(refused.value)
    assert "s3cret" not in str(refused.value)


def test_every_node_gets_the_same_client_settings_in_an_order_of_the_calls_own() -> None:
    def configure(params: pika.URLParameters) -> None:
        params.socket_timeout = 3

    orders = set()
    for _ in range(60):
        parameters = connection_parameters(CLUSTER, configure)
        assert {p.host for p in parameters} == {"rmq-0", "rmq-1", "rmq-2"}
        assert {p.virtual_host for p in parameters} == {"pantau"}
        assert {p.socket_timeout for p in parameters} == {3}
        orders.add(tuple(p.host for p in parameters))
    # Replicas spread over the nodes: not every process starts at rmq-0.
    assert len({order[0] for order in orders}) == 3


def test_printed_urls_hide_every_password() -> None:
    shown = safe_url(CLUSTER)
    assert "s3cret" not in shown
    assert shown.count("pantau:***@") == 3
    assert safe_url("amqp://127.0.0.1/%2F") == "amqp://127.0.0.1/%2F"
