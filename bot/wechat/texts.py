"""Every sentence the 公众号 says to a resident, through gettext (msgids are English).

Kept in one module so translators and reviewers see the whole voice of the
channel at once; ``tests/bot/test_locale.py`` checks every msgid here has a
zh_CN and a zh_HK translation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from intake.i18n import gettext_for


@dataclass(frozen=True, slots=True)
class CaseLine:
    case_no: str
    category: str
    status: str
    deadline: str | None


class Texts:
    """The phrases for one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._ = gettext_for(lang).gettext

    def welcome(self) -> str:
        return self._("Welcome! Tell us what needs fixing near you: send text, voice, photos and your location. "
                      "Menu: 我要反映 to report, 我的诉求 to follow your reports.")

    def help(self) -> str:
        return self._("Send what happened (text or voice), a photo and your location, and we open a case. "
                      "Commands: 查询 (my reports), 进度 + case number, 取消 (cancel), English / 中文, "
                      "设置 自动提交 (submit without confirming).")

    def start_report(self) -> str:
        return self._("Please describe the problem. You can send text, voice, photos and a location.")

    def ask_place(self) -> str:
        return self._("Where is it? Send your location (+ → Location) or type the address.")

    def ask_what(self) -> str:
        return self._("What happened? Please describe the problem in a sentence.")

    def ask_type(self) -> str:
        return self._("Sorry, we could not understand the voice message. Please type it.")

    def photo_received(self, count: int) -> str:
        return self._("Photo received ({count} so far).").format(count=count)

    def summary(self, category: str, place: str, grid: str, photos: int = 0) -> str:
        lines = self._("Please confirm your report:\nCategory: {category}\nPlace: {place}\nGrid: {grid}\n"
                       "Reply 1 to submit, 2 to change the category, 3 to add details.").format(
            category=category, place=place, grid=grid).split("\n")
        if photos:
            lines.insert(len(lines) - 1, self.photos_line(photos))  # above the reply choices
        return "\n".join(lines)

    def unknown_category(self) -> str:
        return self._("to be classified by staff")

    def unknown_grid(self) -> str:
        return self._("to be assigned by staff")

    def choose_category(self, names: Sequence[str]) -> str:
        lines = [f"{i}. {name}" for i, name in enumerate(names, start=1)]
        return self._("Reply with the number of the right category:") + "\n" + "\n".join(lines)

    def add_details(self) -> str:
        return self._("Please send the additional details.")

    def submitted(self, case_no: str, deadline: str, evidence: str = "", *, dispatched: bool = False) -> str:
        head = self._("Submitted and dispatched to the grid worker. Your case number is {case_no}.") if dispatched \
            else self._("Submitted. Your case number is {case_no}.")
        text = head.format(case_no=case_no) + self._(" Expect an answer {deadline}. Send 进度 {case_no} to check "
                                                     "progress.").format(case_no=case_no, deadline=deadline)
        return text + ("\n" + self._("Evidence code: {code}").format(code=evidence) if evidence else "")

    def photos_line(self, count: int) -> str:
        return self._("Photos: {count}").format(count=count)

    def duplicate(self, category: str, place: str, ago: str) -> str:
        """The offer to join: by category, place and time only — another resident's words can hold their
        name or phone number and are never shown to a stranger."""
        return self._("There is already a report of {category} at {place}, from {ago}.").format(
            category=category, place=place, ago=ago) + "\n" + self.offer_again()

    def seconded(self, case_no: str) -> str:
        return self._("You have joined case {case_no}; you will receive its updates.").format(case_no=case_no)

    def cancelled(self) -> str:
        return self._("Cancelled. Send a message any time to start a new report.")

    def nothing_to_cancel(self) -> str:
        return self._("There is no report in progress.")

    def no_cases(self) -> str:
        return self._("You have no reports yet.")

    def my_cases(self, lines: Sequence[CaseLine]) -> str:
        rows = [self._("{case_no} {category}: {status}").format(case_no=c.case_no, category=c.category,
                                                               status=c.status)
                + (self._(", due {deadline}").format(deadline=c.deadline) if c.deadline else "") for c in lines]
        return self._("Your recent reports:") + "\n" + "\n".join(rows)

    def case_not_found(self) -> str:
        return self._("No report of yours has that number. Please check the digits.")

    def auto_submit(self, on: bool) -> str:
        return self._("Reports will now be submitted without confirmation.") if on else \
            self._("Reports will now be confirmed before submission.")

    def location_sharing(self, on: bool) -> str:
        return self._("We will keep your last shared location for alerts.") if on else \
            self._("We will no longer keep your location.")

    def alerts_muted(self, muted: bool) -> str:
        if muted:
            return self._("Alerts are off: you will only receive red warnings, which concern lives. "
                          "Send 订阅预警 to turn them back on.")
        return self._("Alerts are on again for your places.")

    def my_data(self, cases: int, numbers: list[str], messages: int, home: bool, location: bool) -> str:
        listed = self._(" (latest: {numbers})").format(numbers="、".join(numbers)) if numbers else ""
        home_text = self._(", your home grid for alerts") if home else ""
        location_text = self._(", your last shared location") if location else ""
        words = self._("We keep {cases} report(s) of yours{numbers}, {messages} message(s) you sent{home}{location}. "
                       "The mini-program's 我的数据 gives you all of it as a file. To delete it, send 删除我的数据.")
        return words.format(cases=cases, numbers=listed, messages=messages, home=home_text, location=location_text)

    def erase_ask(self) -> str:
        return self._("Deleting removes the text, place and photos of your finished reports at once, and of open "
                      "ones when they are finished; it cannot be undone. To go ahead, send 确认删除我的数据.")

    def erased(self, erased: int, pending: int) -> str:
        return self._("Done: the personal data of {erased} finished report(s) is deleted; {pending} open "
                      "report(s) will follow when finished. Your location is forgotten; alerts for your home "
                      "still reach you (send 退订 to stop them).").format(erased=erased, pending=pending)

    def ask_home(self) -> str:
        return self._("To receive weather and typhoon alerts for your home, send your home location.")

    def home_bound(self, grid: str) -> str:
        return self._("Alerts subscribed for {grid}.").format(grid=grid)

    def outside_grid(self) -> str:
        return self._("That place is outside the area we serve.")

    def language_set(self) -> str:
        return self._("Language switched.")

    def not_understood(self) -> str:
        return self._("Sorry, we did not understand. Reply 帮助 for help.")

    def menu(self) -> str:
        return self._("To report a problem, describe it in a sentence (what and where), or tap 我要反映. "
                      "Reply 查询 for your reports, 帮助 for all commands.")

    def greeting(self) -> str:
        return self._("Hello! We pass problems in your neighbourhood to the grid worker in charge.") + "\n" + \
            self.menu()

    def thanks(self) -> str:
        return self._("You are welcome. Send a message any time you see something that needs fixing.")

    def unclear(self) -> str:
        return self._("Sorry, we did not understand that as a report.") + "\n" + self.menu()

    def offer_again(self) -> str:
        return self._("Please reply 附议 to join the existing report, 新建 to submit yours separately, "
                      "or 取消 to cancel.")

    def choose_again(self) -> str:
        return self._("Please reply with one of the numbers above, or 取消 to cancel.")

    # -- a resident's own report: 催办, 补充, 撤件, 我的网格员 ------------------------------------------

    def urged(self, case_no: str) -> str:
        return self._("We have urged the people handling case {case_no}.").format(case_no=case_no)

    def urge_too_soon(self, case_no: str, hours: str) -> str:
        return self._("You urged case {case_no} recently; you can urge it again in {hours} hours.").format(
            case_no=case_no, hours=hours)

    def ask_supplement(self, case_no: str) -> str:
        return self._("Send the details or a location to add to case {case_no}, or 取消 to cancel.").format(
            case_no=case_no)

    def supplemented(self, case_no: str) -> str:
        return self._("Added to case {case_no}. Thank you.").format(case_no=case_no)

    def withdrawn(self, case_no: str) -> str:
        return self._("Case {case_no} has been withdrawn.").format(case_no=case_no)

    def cannot_withdraw(self, case_no: str) -> str:
        return self._("Case {case_no} is already being handled and can no longer be withdrawn. "
                      "Send 催办 to urge it.").format(case_no=case_no)

    def not_open(self, case_no: str) -> str:
        return self._("Case {case_no} is already finished.").format(case_no=case_no)

    def no_open_case(self) -> str:
        return self._("You have no open report. Describe a problem to report one.")

    def worker_card(self, name: str, contact: str, hours: str) -> str:
        return self._("Your grid worker: {name}\nContact: {contact}\nOffice hours: {hours}").format(
            name=name, contact=contact, hours=hours)

    def wecom_contact(self, wecom: str) -> str:
        return self._("WeCom {wecom}").format(wecom=wecom)

    def mobile_contact(self, mobile: str) -> str:
        return self._("mobile {mobile}").format(mobile=mobile)

    def no_contact(self) -> str:
        return self._("through this account")

    def no_worker(self) -> str:
        return self._("We do not know your grid worker yet: report a problem with its location first.")

    def confirm_again(self) -> str:
        return self._("Reply 1 to submit, 2 to change the category, 3 to add details, or 取消 to cancel.")
