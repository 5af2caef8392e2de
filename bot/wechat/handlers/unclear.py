"""Messages that are not (yet) a report: greetings, thanks, bare topics and noise, and the question the
conversation is waiting on, asked again after them (the rule itself is ``intake.intent``)."""

from __future__ import annotations

from bot.wechat.router import Turn
from intake import intent
from intake.intent import Intent


def intent_of(turn: Turn, words: str) -> Intent:
    confidence = turn.ctx.classifier.classify(words).confidence if intent.wants_classifier(words) else None
    return intent.classify(words, confidence)


def not_a_complaint(turn: Turn, kind: Intent) -> str:
    """A greeting, thanks or unclear text: answered, never added to the report; a pending question stays."""
    t = turn.t
    reply = t.greeting() if kind is Intent.GREETING else t.thanks() if kind is Intent.THANKS else t.unclear()
    waiting = pending(turn)
    return f"{reply}\n{waiting}" if waiting else reply


def pending(turn: Turn) -> str:
    """The question the conversation is waiting on, to ask again ("" when none)."""
    d, t = turn.draft, turn.t
    if d.state == "offering":
        return t.offer_again()
    if d.state == "choosing":
        return t.choose_again()
    if d.state == "confirming":
        return t.confirm_again()
    if d.state != "collecting" and not d.photos and not d.has_place:
        return ""
    return t.ask_what() if not d.texts else t.ask_place() if not d.has_place else ""
