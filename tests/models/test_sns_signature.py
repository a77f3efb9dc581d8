"""Which addresses an SNS signing certificate or subscription confirmation may come from."""

from __future__ import annotations

import pytest

from models.sns_signature import is_signing_cert_url, is_sns_url


@pytest.mark.parametrize(
    "url",
    [
        "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-9c6465fa.pem",
        "https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-1.pem",
        "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-1.pem",
        "https://SNS.EU-WEST-1.AMAZONAWS.COM/SimpleNotificationService-1.pem",
        "https://sns.eu-west-1.amazonaws.com:443/SimpleNotificationService-1.pem",
    ],
)
def test_aws_sns_regional_hosts_over_https_serve_certificates(url):
    assert is_signing_cert_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://sns.eu-west-1.amazonaws.com/SimpleNotificationService-1.pem",
        "https://sns.amazonaws.com/SimpleNotificationService-1.pem",
        "https://sns.eu-west-1.amazonaws.com.evil.example/SimpleNotificationService-1.pem",
        "https://sns.eu-west-1.amazonaws.com.cn.evil.example/x.pem",
        "https://evilsns.eu-west-1.amazonaws.com/x.pem",
        "https://sns.eu_west_1.amazonaws.com/x.pem",
        "https://sns.eu-west-1.amazonaws.com:8443/x.pem",
        "https://sns.eu-west-1.amazonaws.com:not-a-port/x.pem",
        "https://user:pass@sns.eu-west-1.amazonaws.com/x.pem",
        "https://sns.eu-west-1.amazonaws.com/x.pem.txt",
        "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription",
        "https://sns.eu-west-1.amazonaws.com/x.pem",
        "https://sns.eu-west-1.amazonaws.com/any/path/SimpleNotificationService-1.pem",
        "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-1.pem?Action=Publish",
        "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-../x.pem",
        "//sns.eu-west-1.amazonaws.com/x.pem",
        "",
    ],
)
def test_anything_else_is_never_fetched_for_a_certificate(url):
    assert not is_signing_cert_url(url)


def test_a_subscription_is_confirmed_on_aws_sns_host_over_https_only():
    assert is_sns_url("https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&T=1")
    assert not is_sns_url("http://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription")
    assert not is_sns_url("http://169.254.169.254/latest/meta-data/")
    assert not is_sns_url("https://bucket.s3.amazonaws.com/x")
