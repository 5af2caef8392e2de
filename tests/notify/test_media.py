"""Fetching a resident's photo by MediaId into local storage."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from notify.media import LocalMediaStorage, MediaError, fetch_media
from tests.notify.conftest import Api

JPEG = b"\xff\xd8\xff\xe0" + b"photo" * 1000 + b"\xff\xd9"


async def test_photo_is_fetched_and_stored(api: Api, tmp_path: Path) -> None:
    storage = LocalMediaStorage(tmp_path)
    media_id = api.fake.add_media(JPEG)
    ref = await fetch_media(api.wechat(), media_id, storage)
    assert ref.content_type == "image/jpeg" and ref.size == len(JPEG) and ref.ref.endswith(".jpg")
    assert ref.sha256 == hashlib.sha256(JPEG).hexdigest()
    assert storage.path_of(ref.ref).read_bytes() == JPEG
    again = await fetch_media(api.wechat(), media_id, storage)
    assert again.ref == ref.ref and len(list(tmp_path.rglob("*.jpg"))) == 1  # noqa: ASYNC240 (content-addressed)


async def test_unknown_media_id(api: Api, tmp_path: Path) -> None:
    with pytest.raises(MediaError) as info:
        await fetch_media(api.wechat(), "nosuchmedia", LocalMediaStorage(tmp_path))
    assert info.value.errcode == 40007 and not info.value.retry


async def test_expired_token_is_refreshed_for_media(api: Api, tmp_path: Path) -> None:
    client = api.wechat()
    await client.access_token()
    api.fake.expire_tokens()
    ref = await fetch_media(client, api.fake.add_media(JPEG), LocalMediaStorage(tmp_path))
    assert ref.size == len(JPEG)


@pytest.mark.parametrize("media_id", ["../../etc/passwd", "", "a" * 200, "id\n"])
async def test_hostile_media_ids_are_refused(api: Api, tmp_path: Path, media_id: str) -> None:
    with pytest.raises(MediaError):
        await fetch_media(api.wechat(), media_id, LocalMediaStorage(tmp_path))
    assert not api.fake.gate.answers


async def test_disallowed_content_type(api: Api, tmp_path: Path) -> None:
    media_id = api.fake.add_media(b"MZ\x90\x00", "application/x-msdownload")
    with pytest.raises(MediaError):
        await fetch_media(api.wechat(), media_id, LocalMediaStorage(tmp_path))
    assert not list(tmp_path.rglob("*"))  # noqa: ASYNC240


def test_references_cannot_escape_the_root(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        LocalMediaStorage(tmp_path).path_of("local:../secret")
    with pytest.raises(ValueError):
        LocalMediaStorage(tmp_path).path_of("s3:bucket/x")


async def test_a_photo_larger_than_one_network_read_arrives_whole(api: Api, tmp_path: Path) -> None:
    # Real photos are megabytes: they reach us over many socket reads, never in one.
    photo = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 12_000 + b"\xff\xd9"
    ref = await fetch_media(api.wechat(), api.fake.add_media(photo), LocalMediaStorage(tmp_path))
    assert ref.size == len(photo)
    assert ref.sha256 == hashlib.sha256(photo).hexdigest()
