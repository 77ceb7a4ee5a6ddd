"""Shipped synonym groups added after 0016 (animals, foods, plants and objects that listings are
made of): each is added unless a stored group already holds one of its terms, so a staff edit of
those words stands and running it twice adds nothing."""

from typing import Any

from django.db import migrations

ADDED = {  # the first term of each group added to synonyms.json with this migration
    "柯基", "柴犬", "哈士奇", "丹顶鹤", "鲸鱼", "海豚", "大象", "猴子", "鸭子", "青蛙", "蘑菇", "仙人掌",
    "向日葵", "枫叶", "树叶", "火锅", "拉面", "蛋糕", "冰淇淋", "草莓", "西瓜", "芒果", "柠檬", "桃子",
    "樱桃", "包子", "披萨", "汉堡", "甜甜圈", "牛油果", "火龙果", "班兰", "塔吊", "墨盒", "打印机", "螺丝",
}  # fmt: skip


def add_groups(apps: Any, schema_editor: Any) -> None:
    from prompts.search.synonyms import shipped_groups

    synonym = apps.get_model("prompts", "SearchSynonym")
    stored = list(synonym.objects.values_list("terms", flat=True))
    if not stored:
        return  # 0016 loads every shipped group into an empty table, these included
    known = {term.casefold() for terms in stored for term in terms.splitlines()}
    missing = [
        terms
        for terms in shipped_groups()
        if terms[0] in ADDED and not any(term.casefold() in known for term in terms)
    ]
    synonym.objects.bulk_create(synonym(terms="\n".join(terms)) for terms in missing)


class Migration(migrations.Migration):
    dependencies = [
        ("prompts", "0020_documents_price_display"),
    ]

    operations = [
        migrations.RunPython(add_groups, migrations.RunPython.noop),
    ]
