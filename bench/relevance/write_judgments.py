"""Write bench/relevance/judgments.toml from the judgments below.

    .venv/bin/python bench/relevance/write_judgments.py

Each judgment is a query, its class, a reason, and a grading rule stated in terms of what a buyer
reads on a listing: its subject (what the picture shows: for the generated catalog the `subject`
it was written with, for the demo catalog the annotations in DEMO below, made by reading each
title, description and tags), its category and its target model. The rule is applied to every
listing of both catalogs and the explicit grades are written to judgments.toml, which run.py
reads. Nothing here looks at what the search engine returns.

Grades: 3 exactly what was asked, 2 relevant, 1 marginal (right subject in another category, or
right category for a query that names a subject too).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = HERE / "judgments.toml"

# Demo listings by index in demo_listings.json: what a buyer would say each one is about, with a
# grade for how squarely (3: it is that; 2: it clearly includes it).
DEMO: dict[int, dict[str, int]] = {
    0: {"panda": 3},
    1: {"food": 3, "dumpling": 2, "boba": 2, "kawaii": 3},
    2: {"ink-wash": 2, "guofeng": 3, "light-novel": 3, "landscape": 2},
    3: {"cyberpunk": 3, "neon": 3, "tokyo": 3, "rain": 3},
    4: {"cyberpunk": 3, "neon": 3, "rain": 2},
    5: {"retro": 3, "sunset": 3},
    6: {"koi": 3},
    7: {"galaxy": 3, "pastel": 3},
    8: {"sakura": 3},
    9: {"streetwear": 3},
    10: {"hanfu": 3},
    11: {"skincare": 3, "minimal": 2},
    12: {"boba": 2, "milk-tea": 3, "guochao": 3},
    13: {"mascot": 3, "animal": 2},
    14: {"calligraphy": 3},
    15: {"copywriting": 3, "seo": 2},
    16: {"copywriting": 3, "xiaohongshu": 3},
    17: {"animal": 3, "watercolor": 3, "storybook": 3},
    18: {"anime": 3, "light-novel": 3},
    19: {"lofi": 3, "anime": 2, "cat": 2, "rain": 2},
    20: {"dunhuang": 3, "guofeng": 3},
    21: {"clay": 3},
    22: {"panda": 3, "kungfu": 3},
    23: {"monogram": 3, "minimal": 3},
    24: {"qipao": 3},
    25: {"sneakers": 3},
    26: {"poetry": 3, "guofeng": 2},
    27: {"chrome": 3},
    28: {"office-worker": 3, "funny": 3},
    29: {"isometric": 3, "game-art": 3},
    30: {"xianxia": 3, "cover": 3},
    31: {"couture": 3, "runway": 3},
    32: {"mooncake": 3, "packaging": 3},
    33: {"graffiti": 3, "skate": 3},
    34: {"landscape": 3, "minimal": 3, "ink-wash": 1},
    35: {"midjourney-tool": 3},
}

Listing = dict[str, Any]
Rule = Callable[[Listing], int]


def listings() -> list[Listing]:
    demo = json.loads((ROOT / "marketplace/demo/demo_listings.json").read_text(encoding="utf-8"))
    generated = json.loads((HERE / "catalog.json").read_text(encoding="utf-8"))
    rows = [dict(row, key=f"demo:{row['title']}", subjects=DEMO[i]) for i, row in enumerate(demo)]
    for row in generated:
        subjects = {row["subject"]: 3} if "subject" in row else {}
        rows.append(dict(row, subjects=subjects))
    return rows


# --- Rules ---------------------------------------------------------------------------------------


def subject(*names: str) -> Rule:
    """The listing is about one of these subjects, in any category."""
    return lambda row: max((row["subjects"].get(name, 0) for name in names), default=0)


def category(*names: str) -> Rule:
    return lambda row: 3 if row["category"] in names else 0


def model(name: str, mentions: tuple[str, ...] = ()) -> Rule:
    """Listings for this model; listings about prompting it (their subject) are relevant too."""

    def rule(row: Listing) -> int:
        if row["target_model"] == name:
            return 3
        return 2 if any(row["subjects"].get(m) for m in mentions) else 0

    return rule


def both(first: Rule, second: Rule, *, first_alone: int = 1, second_alone: int = 0) -> Rule:
    """3 when both hold (the grade of the weaker), else the grade given for one alone."""

    def rule(row: Listing) -> int:
        a, b = first(row), second(row)
        if a and b:
            return min(a, b)
        if a:
            return min(a, first_alone)
        if b:
            return min(b, second_alone)
        return 0

    return rule


def nothing(row: Listing) -> int:
    return 0


SUBJECT_WORDS = {
    # subject: (English query, Chinese query)
    "panda": ("panda", "熊猫"),
    "cat": ("cat", "猫咪"),
    "fox": ("fox", "狐狸"),
    "koi": ("koi", "锦鲤"),
    "dragon": ("dragon", "中国龙"),
    "rabbit": ("bunny", "兔子"),
    "corgi": ("corgi", "柯基"),
    "crane": ("red-crowned crane", "仙鹤"),
    "cyberpunk": ("cyberpunk", "赛博朋克"),
    "ink-wash": ("ink wash", "水墨"),
    "sakura": ("sakura", "樱花"),
    "galaxy": ("galaxy", "星空"),
    "ocean": ("ocean wave", "海浪"),
    "maple": ("autumn maple", "枫叶"),
    "christmas": ("christmas", "圣诞节"),
    "new-year": ("lunar new year", "春节"),
    "dumpling": ("dumpling", "饺子"),
    "boba": ("boba tea", "珍珠奶茶"),
    "hotpot": ("hotpot", "火锅"),
    "astronaut": ("astronaut", "宇航员"),
    "vaporwave": ("vaporwave", "蒸汽波"),
    "pixel-art": ("pixel art", "像素风"),
    "watercolor-flowers": ("watercolor flowers", "水彩花卉"),
    "mecha": ("mecha", "机甲"),
    "hanfu": ("hanfu", "汉服"),
    "streetwear": ("streetwear", "街头潮流"),
    "wedding": ("wedding", "婚纱"),
    "coffee": ("coffee", "咖啡"),
    "perfume": ("perfume", "香水"),
    "skincare": ("skincare", "护肤品"),
}

CATEGORY_WORDS = {
    # category: (English query, Chinese query)
    "wallpaper": ("wallpaper", "壁纸"),
    "emoji": ("emoji", "表情包"),
    "t-shirt": ("t-shirt", "T恤"),
    "press-on-nails": ("press-on nails", "美甲"),
    "illustration": ("illustration", "插画"),
    "fashion-model": ("fashion model", "模特"),
    "product": ("product shots", "产品图"),
    "logo": ("logo", "标志"),
}

Judgment = tuple[str, str, str, Rule]  # query, class, reason, rule

J: list[Judgment] = []

# English subject queries: every listing showing the subject, whatever its language.
for slug, (en, zh) in SUBJECT_WORDS.items():
    J.append(
        (
            en,
            "english",
            f"A buyer typing '{en}' wants {en} pictures of any kind; Chinese listings of {zh} count as much.",
            subject(slug),
        )
    )
# Chinese subject queries: the same sets from the other side.
for slug, (en, zh) in SUBJECT_WORDS.items():
    J.append(
        (
            zh,
            "chinese",
            f"'{zh}' asks for {en} listings of any kind; English-only {en} listings count as much.",
            subject(slug),
        )
    )

# Category queries in both languages.
for cat, (en, zh) in CATEGORY_WORDS.items():
    J.append((en, "category", f"The category name: every {cat} listing is what was asked.", category(cat)))
    J.append(
        (
            zh,
            "category",
            f"'{zh}' is the Chinese name of the {cat} category: every {cat} listing, English ones too.",
            category(cat),
        )
    )

# Subject + category, English, Chinese and mixed.
PAIRS = [
    ("panda wallpaper", "english", "panda", "wallpaper"),
    ("koi wallpaper", "english", "koi", "wallpaper"),
    ("cat emoji", "english", "cat", "emoji"),
    ("dragon t-shirt", "english", "dragon", "t-shirt"),
    ("sakura nails", "english", "sakura", "press-on-nails"),
    ("galaxy nails", "english", "galaxy", "press-on-nails"),
    ("fox logo", "english", "fox", "logo"),
    ("cyberpunk illustration", "english", "cyberpunk", "illustration"),
    ("christmas nails", "english", "christmas", "press-on-nails"),
    ("boba logo", "english", "boba", "logo"),
    ("熊猫壁纸", "chinese", "panda", "wallpaper"),
    ("锦鲤美甲", "chinese", "koi", "press-on-nails"),
    ("猫咪表情包", "chinese", "cat", "emoji"),
    ("水墨插画", "chinese", "ink-wash", "illustration"),
    ("赛博朋克壁纸", "chinese", "cyberpunk", "wallpaper"),
    ("樱花穿戴甲", "chinese", "sakura", "press-on-nails"),
    ("宇航员T恤", "chinese", "astronaut", "t-shirt"),
    ("火锅标志", "chinese", "hotpot", "logo"),
    ("汉服模特", "chinese", "hanfu", "fashion-model"),
    ("春节表情包", "chinese", "new-year", "emoji"),
    ("熊猫 wallpaper", "mixed", "panda", "wallpaper"),
    ("panda 表情包", "mixed", "panda", "emoji"),
    ("cyberpunk 壁纸", "mixed", "cyberpunk", "wallpaper"),
    ("赛博朋克 t-shirt", "mixed", "cyberpunk", "t-shirt"),
    ("koi 美甲", "mixed", "koi", "press-on-nails"),
    ("水墨 logo", "mixed", "ink-wash", "logo"),
    ("corgi 表情包", "mixed", "corgi", "emoji"),
    ("柯基 t-shirt", "mixed", "corgi", "t-shirt"),
    ("galaxy 壁纸", "mixed", "galaxy", "wallpaper"),
    ("dumpling 表情包", "mixed", "dumpling", "emoji"),
    ("咖啡 logo", "mixed", "coffee", "logo"),
    ("mecha 插画", "mixed", "mecha", "illustration"),
]
for q, cls, slug, cat in PAIRS:
    J.append(
        (
            q,
            cls,
            f"{slug} in the {cat} category is exactly it (3); {slug} in another category is marginal (1).",
            both(subject(slug), category(cat)),
        )
    )

# Typos and spelling forms: graded as the intended query.
TYPOS = [
    ("wallpapr", "wallpaper", category("wallpaper")),
    ("walpaper", "wallpaper", category("wallpaper")),
    ("emoij", "emoji", category("emoji")),
    ("emjoi", "emoji", category("emoji")),
    ("pnada", "panda", subject("panda")),
    ("panda wallpapr", "panda wallpaper", both(subject("panda"), category("wallpaper"))),
    ("cyberpunck", "cyberpunk", subject("cyberpunk")),
    ("cyber punk", "cyberpunk", subject("cyberpunk")),
    ("astronot", "astronaut", subject("astronaut")),
    ("skincar", "skincare", subject("skincare")),
    ("illustation", "illustration", category("illustration")),
    ("dumpling emoij", "dumpling emoji", both(subject("dumpling"), category("emoji"))),
    ("sakkura", "sakura", subject("sakura")),
    ("corgy", "corgi", subject("corgi")),
    ("vaporware", "vaporwave", subject("vaporwave")),
    ("streetware", "streetwear", subject("streetwear")),
]
for q, meant, rule in TYPOS:
    J.append((q, "typo", f"A misspelling of '{meant}': graded as '{meant}'.", rule))

# Normalisation: hyphens, spaces, width and suffixes of the same word.
for q in ["tshirt", "t shirt", "T-Shirt", "Ｔ恤", "T恤衫", "TSHIRT"]:
    J.append(
        (q, "normalisation", "Another spelling of t-shirt / T恤: every t-shirt listing.", category("t-shirt"))
    )
for q, slug in [
    ("hot pot", "hotpot"),
    ("lunar-new-year", "new-year"),
    ("pixelart", "pixel-art"),
    ("Ｐａｎｄａ", "panda"),
]:
    J.append(
        (q, "normalisation", f"Spacing, hyphen or full-width form of the {slug} subject.", subject(slug))
    )

# Synonyms and translations that are not the listing's own words.
SYNONYMS = [
    (
        "sticker",
        "Stickers are what the emoji category sells (titles say Sticker Pack, Reaction Stickers).",
        category("emoji"),
    ),
    ("stickers", "Plural of sticker: the emoji category.", category("emoji")),
    ("贴纸", "Chinese for stickers: the emoji category.", category("emoji")),
    ("tee", "Tee means t-shirt: the t-shirt category (the golf tee is not).", category("t-shirt")),
    ("manicure", "Manicure designs are the press-on nails category.", category("press-on-nails")),
    ("nail art", "Nail art is the press-on nails category, not hardware nails.", category("press-on-nails")),
    (
        "穿戴甲",
        "Press-on nails in Chinese: the whole nails category, English listings too.",
        category("press-on-nails"),
    ),
    ("lock screen", "Lock screen backgrounds are phone wallpapers.", category("wallpaper")),
    ("phone background", "Phone backgrounds are wallpapers.", category("wallpaper")),
    (
        "手机壁纸",
        "Phone wallpapers: the wallpaper category (the generated ones come in vertical and wide versions).",
        category("wallpaper"),
    ),
    ("kitty", "Kitty is a cat.", subject("cat")),
    ("小猫", "小猫 is a kitten/cat.", subject("cat")),
    ("rabbit", "Rabbit: the bunny listings (tagged rabbit in English only).", subject("rabbit")),
    ("兔", "One-character word for rabbit.", subject("rabbit")),
    ("龙", "Dragon; the dragon fruit smoothie (火龙果) is not about dragons.", subject("dragon")),
    (
        "bubble tea",
        "Bubble tea is boba tea; the demo milk tea shots count as relevant.",
        subject("boba", "milk-tea"),
    ),
    ("奶茶", "Milk tea: the boba listings and the demo tea drink shots.", subject("boba", "milk-tea")),
    ("cherry blossom", "Cherry blossom is sakura.", subject("sakura")),
    ("starry sky", "Starry sky is the galaxy subject (星空).", subject("galaxy")),
    ("chinese ink painting", "Chinese ink painting is ink wash (水墨).", subject("ink-wash")),
    ("koi fish", "Koi fish: the koi listings.", subject("koi")),
    ("fall leaves", "Autumn leaves: the autumn maple listings.", subject("maple")),
    ("spaceman", "A spaceman is an astronaut.", subject("astronaut")),
    ("robot mech", "Mech/mecha robots.", subject("mecha")),
    ("mooncake", "The demo mooncake gift box.", subject("mooncake")),
    ("chinese new year", "Chinese New Year is the Lunar New Year subject.", subject("new-year")),
    ("bride", "Bridal looks: the wedding listings.", subject("wedding")),
    ("新年", "New year in Chinese: the Spring Festival listings.", subject("new-year")),
]
for q, reason, rule in SYNONYMS:
    J.append((q, "synonym_cross_language", reason, rule))

# Model names: listings for that model; listings about prompting it are relevant too.
MODELS = [
    ("midjourney", "midjourney"),
    ("Midjourney", "midjourney"),
    ("sdxl", "sdxl"),
    ("flux", "flux"),
    ("dall-e", "dall-e"),
    ("dalle", "dall-e"),
    ("stable diffusion", "stable-diffusion"),
    ("ernie-vilg", "ernie-vilg"),
    ("文心一格", "ernie-vilg"),
    ("chatgpt", "chatgpt"),
    ("taiyi", "taiyi"),
    ("太乙", "taiyi"),
]
for q, name in MODELS:
    J.append(
        (
            q,
            "model_name",
            f"Listings made for {name} (shown on every card); guides about prompting it count as relevant.",
            model(name, ("midjourney-tool",) if name == "midjourney" else ()),
        )
    )
for q, name, cat in [
    ("sdxl wallpaper", "sdxl", "wallpaper"),
    ("midjourney emoji", "midjourney", "emoji"),
    ("flux logo", "flux", "logo"),
    ("文心一格 表情包", "ernie-vilg", "emoji"),
]:
    J.append(
        (
            q,
            "model_name",
            f"{cat} listings for {name} (3); other {cat} listings are marginal (1).",
            both(model(name), category(cat), first_alone=0, second_alone=1),
        )
    )

# Demo-catalog descriptions and tags (the issue's own examples and other buyer words).
DEMO_QUERIES = [
    ("neon", "english", "Neon city wallpapers (demo) are about neon.", subject("neon")),
    ("霓虹", "chinese", "霓虹 is neon: both demo cyberpunk wallpapers.", subject("neon")),
    ("lofi", "english", "The lo-fi study room wallpapers.", subject("lofi")),
    ("国风", "chinese", "Guofeng style: the demo listings tagged or described as 国风.", subject("guofeng")),
    ("轻小说", "chinese", "Light novel art: two demo illustration listings.", subject("light-novel")),
    (
        "light novel",
        "synonym_cross_language",
        "The two 轻小说 demo listings are in Chinese only.",
        subject("light-novel"),
    ),
    ("敦煌", "chinese", "The Dunhuang wallpaper.", subject("dunhuang")),
    (
        "dunhuang",
        "synonym_cross_language",
        "The 敦煌飞天 wallpaper, written in Chinese only.",
        subject("dunhuang"),
    ),
    ("旗袍", "chinese", "The qipao fashion shoot.", subject("qipao")),
    ("qipao", "synonym_cross_language", "The 旗袍 shoot, in Chinese only.", subject("qipao")),
    (
        "calligraphy logo",
        "synonym_cross_language",
        "The 书法字体Logo demo listing, in Chinese.",
        subject("calligraphy"),
    ),
    ("书法", "chinese", "The calligraphy logo.", subject("calligraphy")),
    (
        "copywriting",
        "english",
        "Copywriting prompts in both languages (demo and generated).",
        subject("copywriting"),
    ),
    ("文案", "chinese", "Copywriting prompts in both languages.", subject("copywriting")),
    ("小红书", "chinese", "Xiaohongshu post writers.", subject("xiaohongshu")),
    (
        "xiaohongshu",
        "synonym_cross_language",
        "Pinyin of 小红书: the Xiaohongshu writers.",
        subject("xiaohongshu"),
    ),
    ("sneakers", "english", "The sneaker ad renders.", subject("sneakers")),
    ("isometric", "english", "Isometric tiny worlds.", subject("isometric")),
    ("game art", "english", "Isometric dioramas for game art.", subject("game-art")),
    ("仙侠", "chinese", "The xianxia novel cover.", subject("xianxia")),
    ("monogram", "english", "The monogram logos.", subject("monogram")),
    ("打工人", "chinese", "The office-worker emoji pack.", subject("office-worker")),
    (
        "chrome nails",
        "english",
        "The chrome aura nails.",
        both(subject("chrome"), category("press-on-nails")),
    ),
    (
        "watercolor animals",
        "english",
        "The storybook animals are watercolour woodland animals; the animal mascot logos are marginal.",
        both(subject("watercolor"), subject("animal"), first_alone=1, second_alone=1),
    ),
    ("月饼", "chinese", "The demo mooncake gift box.", subject("mooncake")),
    ("kawaii food", "english", "The demo kawaii food emoji pack.", subject("kawaii", "food")),
    (
        "skincare product",
        "english",
        "Skincare product shots (demo and generated).",
        both(subject("skincare"), category("product")),
    ),
    (
        "minimal logo",
        "english",
        "Minimal monogram logos are exactly it; other logos marginal; minimal things that are not logos are not it.",
        both(subject("minimal"), category("logo"), first_alone=0, second_alone=1),
    ),
    ("retro sunset", "english", "The retro sunset T-shirt prints.", subject("sunset")),
    ("graffiti", "english", "The skater graffiti tees.", subject("graffiti")),
    (
        "熊猫 T恤",
        "mixed",
        "The kung-fu panda T-shirt and the generated panda tees (3); other panda listings marginal.",
        both(subject("panda"), category("t-shirt")),
    ),
    (
        "功夫熊猫",
        "chinese",
        "The demo kung-fu panda T-shirt is exactly it; other pandas marginal.",
        both(subject("kungfu"), subject("panda"), first_alone=3, second_alone=1),
    ),
]
J.extend(DEMO_QUERIES)

# Near-duplicates that must be found for themselves.
NEAR = [
    ("pandan cake", "The pandan chiffon cakes, nothing about pandas.", subject("pandan")),
    ("班兰蛋糕", "The pandan cake listings.", subject("pandan")),
    ("hardware nails", "Steel nails and screws, not nail art.", subject("hardware-nails")),
    ("dragon fruit", "The dragon fruit smoothies, not dragons.", subject("dragon-fruit")),
    ("火龙果", "The dragon fruit smoothies.", subject("dragon-fruit")),
    ("tower crane", "The construction crane illustrations, not the bird.", subject("tower-crane")),
    ("printer ink", "Ink cartridges, not ink wash.", subject("printer-ink")),
    ("golf tee", "The golf tee product shots, not T-shirts.", subject("golf-tee")),
]
for q, reason, rule in NEAR:
    J.append((q, "near_duplicate", reason, rule))

# No relevant listing anywhere: reported apart (what came back is a false positive).
NONE = [
    ("qwertyzzz", "Nonsense."),
    ("tattoo design", "No tattoo listings in either catalog."),
    ("纹身", "Tattoo in Chinese: none."),
    ("interior design render", "No interiors."),
    ("婚礼请柬", "Wedding invitations: none (the wedding listings are model shoots and nails)."),
    ("resume writer", "No resume/CV prompts."),
]
for q, reason in NONE:
    J.append((q, "no_relevant", reason, nothing))

TRAP_SUBJECTS = {
    "trap-pandan-cake": "pandan",
    "trap-hardware-nails": "hardware-nails",
    "trap-dragon-fruit": "dragon-fruit",
    "trap-tower-crane": "tower-crane",
    "trap-printer-ink": "printer-ink",
    "trap-golf-tee": "golf-tee",
    "trap-galaxy-phone": "galaxy-phone",
    "trap-cathedral": "cathedral",
    "trap-foxglove": "foxglove",
}
EXTRA_SUBJECTS = {
    "copy-xhs-zh": {"xiaohongshu": 3},
    "copy-seo-mixed": {"seo": 3},
    "copy-midjourney-helper-en": {"midjourney-tool": 3, "copywriting": 0},
    "copy-translate-mixed": {"translation": 3, "copywriting": 1},
    "boba-product-en": {"milk-tea": 2},
    "boba-product-zh": {"milk-tea": 2},
}


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def render() -> str:
    rows = listings()
    for row in rows:
        for prefix, name in TRAP_SUBJECTS.items():
            if row["key"].startswith(prefix):
                row["subjects"] = {name: 3}
        row["subjects"].update(EXTRA_SUBJECTS.get(row["key"], {}))
    lines = [
        "# The relevance set: one [[query]] per judged query. Written by write_judgments.py from the",
        "# rules and reasons there; grades 3 exactly what was asked, 2 relevant, 1 marginal.",
        "# Keys: catalog.json's `key`, or demo:<title> for marketplace/demo/demo_listings.json.",
        "",
    ]
    seen = set()
    for q, cls, reason, rule in J:
        assert (q, cls) not in seen, q
        seen.add((q, cls))
        grades = {row["key"]: rule(row) for row in rows}
        relevant = {k: g for k, g in sorted(grades.items(), key=lambda kv: (-kv[1], kv[0])) if g > 0}
        if cls != "no_relevant":
            assert relevant, f"{q!r} has no relevant listing"
        lines += [
            "[[query]]",
            f"q = {_toml_string(q)}",
            f"class = {_toml_string(cls)}",
            f"reason = {_toml_string(reason)}",
        ]
        lines.append("[query.relevant]")
        lines += [f"{_toml_string(k)} = {g}" for k, g in relevant.items()]
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {len(J)} queries to {OUT}")


if __name__ == "__main__":
    main()
