"""Satisfaction surveys (满意度回访): asked after a case closes, answered in chat or in the mini-program.

``lifecycle`` schedules and withdraws them as cases close and reopen, ``answers``
records an answer and applies what an unhappy one does, ``parse`` reads a chat
message as an answer, ``reminders`` sends the one reminder, ``stats`` counts.
"""
