"""Understanding a message: the index built once from content, and `Index.understand(text)`.

reading: content into rows; spelling: typos and Latin-typed Russian/Kazakh; language: which
language; index: weights, postings, scoring; parts: clauses and two questions; danger: the
example a message holds; odds: the odds of danger from every word.
"""
from bot.understanding.danger import REFERRAL_RULES, Danger, referral_rule
from bot.understanding.index import Index
from bot.understanding.match import Candidate, Match
from bot.understanding.reading import near_miss_of

__all__ = ["REFERRAL_RULES", "Candidate", "Danger", "Index", "Match", "near_miss_of", "referral_rule"]
