"""CAP parsing: every real sample, the China profile, the negative sample and hostile XML."""

from __future__ import annotations

import pytest

from intake.alerts.cap import CapError, parse
from intake.alerts.compose import from_cap
from intake.alerts.signals import catalogue
from intake.errors import Invalid
from tests.conftest import shared_data, shared_names

CN_SAMPLE = "standards/cap_example_cn_henan_11B06.xml"
SAMPLES = [name for name in shared_names("cap", "*.xml") if "/NEGATIVE" not in name]


def test_samples_are_there() -> None:
    assert len([p for p in shared_data("cap").glob("*.xml") if not p.name.startswith("NEGATIVE")]) == 12
    assert shared_data(CN_SAMPLE).is_file()


@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_parses(name: str) -> None:
    msg = parse(shared_data(name).read_bytes())
    draft = from_cap(msg, catalogue())
    assert msg.profile == "oasis" and msg.identifier and msg.sender and msg.sent.tzinfo is not None
    assert msg.msg_type in ("Alert", "Update", "Cancel")
    assert draft.colour in ("blue", "yellow", "orange", "red") and draft.headline
    assert draft.deliver is (msg.status == "Actual")
    # Other countries' geocodes (FIPS, SAME, UGC) are not Chinese division codes.
    assert msg.area.divisions == ()


def test_polygons_are_read_as_lat_lon() -> None:
    msg = parse(shared_data("cap/oasis_spec_A2_severe_thunderstorm_polygon_geocode.cap.xml").read_bytes())
    lng, lat = msg.area.polygons[0][0]
    assert 30 < lat < 50 and -130 < lng < -100  # California, written "lat,lon" in CAP
    assert msg.area.polygons[0][0] == msg.area.polygons[0][-1]


def test_update_references_are_identifiers() -> None:
    msg = parse(shared_data("cap/ca_thunderstorm_bilingual_polygons_geocodes.cap.xml").read_bytes())
    assert msg.msg_type == "Update"
    assert msg.references == ("2.49.0.1.124.a3f342a4.2012", "2.49.0.1.124.60f31a3a.2012")
    assert len(msg.area.polygons) == 4


def test_negative_sample_is_refused_with_a_clear_error() -> None:
    negative = next(shared_data("cap").glob("NEGATIVE_*.xml"))
    with pytest.raises(CapError) as err:
        parse(negative.read_bytes())
    assert "urn:oasis:names:tc:emergency:cap:1.2" in err.value.message
    assert "alerts:1.2" in err.value.message


def test_china_profile() -> None:
    msg = parse(shared_data(CN_SAMPLE).read_bytes())
    draft = from_cap(msg, catalogue())
    assert msg.profile == "cn" and msg.msg_type == "Update"
    assert msg.identifier == "41000041600000_20200205105119"
    assert msg.references == ("41000041600000_20200204121842",)
    assert msg.event_code == "11B06" and msg.severity == "Blue"
    assert msg.sent.isoformat() == "2020-02-05T10:45:00+08:00"
    assert msg.area.divisions == ("410000000000",)
    assert draft.colour == "blue" and draft.signal is not None and draft.signal.name_zh == "大风"
    assert draft.headline.startswith("河南省气象局发布大风蓝色预警")


def _cn(severity: str = "Red", geocode: str = "440307011000", extra: str = "") -> bytes:
    return f"""<alert><identifier>44030041600000_20230901080000</identifier><sender>深圳市气象台</sender>
<sendTime>2023-09-01 08:00:00</sendTime><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
<info><eventType>11B01</eventType><severity>{severity}</severity><headline>深圳市气象台发布台风红色预警</headline>
<description>台风苏拉将严重影响我市</description><area><areaDesc>南澳</areaDesc><polygon/><circle/>
<geocode>{geocode}</geocode></area></info>{extra}</alert>""".encode()


def test_china_profile_signal_by_name_and_naive_time_is_beijing() -> None:
    msg = parse(_cn())
    draft = from_cap(msg, catalogue())
    assert draft.signal is not None and draft.signal.code == "01" and draft.colour == "red"
    assert msg.sent.utcoffset() is not None and msg.sent.utcoffset().total_seconds() == 8 * 3600  # type: ignore[union-attr]
    assert parse(_cn(geocode="440307011000，440307009000")).area.divisions == ("440307011000", "440307009000")


def test_china_profile_unknown_severity_takes_the_headline_colour() -> None:
    assert from_cap(parse(_cn(severity="Unknown")), catalogue()).colour == "red"


HOSTILE = {
    "billion laughs": b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
                      b"<alert><identifier>&lol2;</identifier></alert>",
    "external entity": b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                       b"<alert><identifier>&xxe;</identifier></alert>",
    "external dtd": b'<?xml version="1.0"?><!DOCTYPE alert SYSTEM "http://example.com/cap.dtd"><alert/>',
    "malformed": b"<alert><identifier>x</alert>",
    "not xml": b"\xff\xfe garbage",
    "other root": b"<html><body>hi</body></html>",
    "no info": b"<alert><identifier>a</identifier><sender>s</sender><sendTime>2023-01-01 00:00:00</sendTime>"
               b"<status>Actual</status><msgType>Alert</msgType></alert>",
    "ack type": _cn().replace(b"<msgType>Alert", b"<msgType>Ack"),
    "bad time": _cn().replace(b"2023-09-01 08:00:00", b"yesterday"),
    "bad polygon": _cn().replace(b"<polygon/>", b"<polygon>22.5,114.5 nonsense</polygon>"),
    "polygon out of range": _cn().replace(b"<polygon/>", b"<polygon>95,114 22,114 22,115 95,114</polygon>"),
    "huge circle": _cn().replace(b"<circle/>", b"<circle>22.5,114.5 99999</circle>"),
    "nan circle": _cn().replace(b"<circle/>", b"<circle>nan,114.5 10</circle>"),
    "no identifier": _cn().replace(b"44030041600000_20230901080000", b""),
    "long identifier": _cn().replace(b"44030041600000_20230901080000", b"x" * 300),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_input_is_refused(name: str) -> None:
    with pytest.raises(Invalid) as err:  # CapError, or Invalid for a bad shape
        parse(HOSTILE[name])
    assert getattr(err.value, "code", "") in ("invalid_cap", "invalid")
    assert "lol" not in str(err.value) and "root:" not in str(err.value)


def test_oasis_geocode_with_a_chinese_scheme_is_a_division() -> None:
    doc = shared_data("cap/oasis_spec_A4_amber_multi_info.cap.xml").read_bytes()
    doc = doc.replace(b"<valueName>SAME</valueName>", b"<valueName>GB/T 2260</valueName>")
    doc = doc.replace(b"<value>006037</value>", b"<value>440307</value>")
    assert parse(doc).area.divisions == ("440307",)
