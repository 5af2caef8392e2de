"""The console's staff media route: a case's photos with the case's scope (another street's → 404),
shown on the console's case page; a resident's photo served is logged as a personal-data read."""

from __future__ import annotations

import re

from intake.photos import stamp
from intake.photos.staff import new_media_id
from intake.store.models import Case, Media, PersonalDataRead
from tests.bot.conftest import Api, open_case
from tests.bot.console.conftest import browser, sign_in
from tests.bot.worker.photo_files import phone_photo

MEDIA = re.compile(r'src="(/console/media/m[0-9a-f]{32})"')


async def _photo(api: Api, case_no: str, source: str) -> Media:
    data = phone_photo(48, 48)
    path, digest = stamp.write(api.svc.home / "media", data, "image/jpeg")
    case = await Case.get(case_no=case_no)
    return await Media.create(media_id=new_media_id(), owner="user:1" if source == "staff" else case.reporter,
                              source=source, mime="image/jpeg", size=len(data), width=48, height=48, sha256=digest,
                              path=path, case_no=case_no, created_at=api.svc.clock(), original_sha256=digest)


async def test_console_media_keeps_the_cases_scope(console: Api, uid: str) -> None:
    mine = await open_case(console, f"console-photo-{uid}")
    other = await open_case(console, f"console-photo-other-{uid}", leaf=console.other_leaf)
    staff_photo, resident_photo = await _photo(console, mine, "staff"), await _photo(console, mine, "mp")
    elsewhere = await _photo(console, other, "staff")
    async with browser(console) as b:
        await sign_in(b, console.staff["street"].user_id)
        async with b.get(f"/console/cases/{mine}") as resp:
            assert resp.status == 200
            assert MEDIA.findall(await resp.text()) == [f"/console/media/{staff_photo.media_id}"]
        for row in (staff_photo, resident_photo):
            async with b.get(f"/console/media/{row.media_id}") as resp:
                assert resp.status == 200 and resp.headers["Content-Type"] == "image/jpeg"
                assert resp.headers["X-Content-Type-Options"] == "nosniff"
        async with b.get(f"/console/media/{elsewhere.media_id}") as resp:
            assert resp.status == 404
        async with b.get("/console/media/..%2F..%2Fetc%2Fpasswd") as resp:
            assert resp.status == 404
    reads = await PersonalDataRead.filter(case_no=mine, purpose="/console photo")
    assert len(reads) == 1 and reads[0].fields_read == ["photos"]  # the resident's photo only
