"""Understanding a message: the index built once from content, and `Index.understand(text)`."""
from bot.understanding.danger import Danger, referral_wins
from bot.understanding.index import Candidate, Index, Match

__all__ = ["Candidate", "Danger", "Index", "Match", "referral_wins"]
