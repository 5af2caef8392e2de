"""A department (条线) user on the phone pages: sees and handles, with a photo, the cases dispatched to their
department, and nothing of another department's."""

from __future__ import annotations

from bot.auth import hash_token, new_token
from intake.store.models import Case, CaseEvent, Media, User
from tests.bot.conftest import Staff, walk
from tests.bot.worker.conftest import Site
from tests.bot.worker.photo_files import phone_photo
from tests.bot.worker.test_pages import signed_in
from tests.bot.worker.test_photos import handle_form


async def department_user(site: Site, who: str, department: str) -> None:
    user = await User.create(name=f"条线 {who}", role="department", token_hash=hash_token(new_token()),
                             department_code=department, origin="apitest")
    site.api.staff[who] = Staff("", user.id)  # signs in by a task card's link, no token needed


async def test_a_department_user_handles_their_departments_case_with_a_photo(site: Site, uid: str) -> None:
    case_no = await walk(site.api, "registered", f"dp-{uid}")
    sent = await site.api.call("POST", f"/admin/v1/cases/{case_no}/actions", "desk",
                               json={"action": "dispatch", "note": "派遣", "department": "water"})
    assert sent.status == 200, sent.body
    department = (await Case.get(case_no=case_no)).assignee_department
    assert department is not None
    await department_user(site, f"dept-{uid}", department)
    phone, csrf = await signed_in(site, f"dept-{uid}", case_no)  # the page opens: 200 with its form
    async with phone:
        async with phone.post(f"/worker/cases/{case_no}", data={"csrf": csrf, "action": "accept"},
                              allow_redirects=False) as resp:
            assert resp.status == 303
        assert (await Case.get(case_no=case_no)).status == "handling"
        async with phone.post(f"/worker/cases/{case_no}", data=handle_form(csrf, phone_photo()),
                              allow_redirects=False) as resp:
            assert resp.status == 303
    assert (await Case.get(case_no=case_no)).status == "handled"
    event = await CaseEvent.get(case_no=case_no, action="handle")
    assert event.actor == f"user:{site.api.staff[f'dept-{uid}'].user_id}"
    assert event.attachments == [(await Media.get(case_no=case_no, source="staff")).media_id]


async def test_another_departments_user_finds_no_such_case(site: Site, uid: str) -> None:
    case_no = await walk(site.api, "registered", f"dq-{uid}")
    sent = await site.api.call("POST", f"/admin/v1/cases/{case_no}/actions", "desk",
                               json={"action": "dispatch", "note": "派遣", "department": "water"})
    assert sent.status == 200, sent.body
    await department_user(site, f"other-{uid}", f"elsewhere-{uid}")
    async with site.phone() as phone, phone.get(site.link(f"other-{uid}", case_no)) as resp:
        assert resp.status == 404 and case_no not in await resp.text()
    assert (await Case.get(case_no=case_no)).status == "dispatched"
