"""Search: the autocomplete vocabulary."""

from __future__ import annotations

from django.db import models


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
