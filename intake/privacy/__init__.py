"""Residents' personal data under PIPL (个人信息保护法): how long it is kept, what a resident may take away
or have deleted, and who on the staff read it.

- :mod:`erase` removes one case's personal data (text, reporter, address, exact point, photos, what the
  resident sent) as an ``anonymise`` step on its chain, so ``audit verify`` stays clean: the chain holds
  digests, and the step commits to the anonymised report.
- :mod:`retention` runs it over cases ended more than the retention period ago, and over every ended case
  of a resident who asked for deletion.
- :mod:`resident` is the resident's side: their data as a document (export), and the deletion request.
- :mod:`reads` is the staff access log.
"""
