"""Search: the autocomplete vocabulary."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchTerm(models.Model):
    """Autocomplete vocabulary: tags, titles and the words jieba finds in titles, with a weight."""

    term = models.CharField(max_length=120, unique=True)
    display = models.CharField(max_length=120)
    weight = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            models.Index(fields=["term"], name="search_term_prefix", opclasses=["varchar_pattern_ops"])
        ]

    def __str__(self) -> str:
        return self.display


class SearchSynonym(models.Model):
    """A group of terms that mean the same to a buyer, in either language ("熊猫", "panda").

    Search expands a query word with the other terms of its groups when it runs, so an edit here
    applies to the next searches without re-indexing (prompts/search/synonyms.py).
    """

    terms = models.TextField(
        _("terms"),
        help_text=_(
            'One term per line, in any language: a word or a phrase ("ink wash"). '
            "A search for any of them also finds the others."
        ),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("search synonym group")
        verbose_name_plural = _("search synonyms")

    def __str__(self) -> str:
        return " ↔ ".join(self.term_list()[:4])

    def term_list(self) -> list[str]:
        return [line.strip() for line in self.terms.splitlines() if line.strip()]
