"""Write bench/relevance/catalog.json: the generated bilingual catalog of the relevance set.

    .venv/bin/python bench/relevance/make_catalog.py        # rewrites catalog.json (seed 17)

Deterministic (random.Random(17)); the output is committed, and judgments.toml refers to its
listings by `key`. Re-run only on purpose: changed text can change what a judgment should say.

What it exercises:
- subjects x categories in English, Chinese and mixed titles (熊猫 Panda 手机壁纸);
- tags in one language only, so a cross-language query must go through the term table;
- category words that are synonyms of the category name (tee, sticker, manicure, lock screen);
- target model names in some titles (Midjourney, SDXL, FLUX, 文心一格);
- near-duplicates that must NOT match: pandan cake vs panda, hardware nails vs nail art, printer
  ink vs ink wash, dragon fruit vs dragon, tower crane vs the crane bird, golf tee vs tee shirt,
  Galaxy phone cases vs galaxy art.

Every listing carries `subject` (and `trap` for near-duplicates): judging aids, not loaded.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "catalog.json"

# slug, English name, Chinese name, categories
SUBJECTS: list[tuple[str, str, str, list[str]]] = [
    ("panda", "Panda", "熊猫", ["emoji", "wallpaper", "t-shirt", "illustration", "logo", "press-on-nails"]),
    ("cat", "Cat", "猫咪", ["emoji", "wallpaper", "t-shirt", "illustration", "logo"]),
    ("fox", "Fox", "狐狸", ["emoji", "wallpaper", "illustration", "logo"]),
    ("koi", "Koi", "锦鲤", ["wallpaper", "press-on-nails", "illustration"]),
    ("dragon", "Dragon", "中国龙", ["wallpaper", "t-shirt", "illustration", "logo"]),
    ("rabbit", "Bunny", "兔子", ["emoji", "press-on-nails", "illustration"]),
    ("corgi", "Corgi", "柯基", ["emoji", "t-shirt", "product"]),
    ("crane", "Red-crowned Crane", "仙鹤", ["wallpaper", "illustration", "t-shirt"]),
    ("cyberpunk", "Cyberpunk", "赛博朋克", ["wallpaper", "fashion-model", "illustration", "t-shirt", "logo"]),
    ("ink-wash", "Ink Wash", "水墨", ["wallpaper", "illustration", "logo", "t-shirt"]),
    ("sakura", "Sakura", "樱花", ["wallpaper", "press-on-nails", "illustration", "fashion-model"]),
    ("galaxy", "Galaxy", "星空", ["wallpaper", "press-on-nails", "t-shirt"]),
    ("ocean", "Ocean Wave", "海浪", ["wallpaper", "press-on-nails", "illustration"]),
    ("maple", "Autumn Maple", "秋日枫叶", ["wallpaper", "press-on-nails", "illustration"]),
    ("christmas", "Christmas", "圣诞节", ["emoji", "wallpaper", "press-on-nails", "product"]),
    ("new-year", "Lunar New Year", "春节", ["emoji", "wallpaper", "product", "t-shirt"]),
    ("dumpling", "Dumpling", "饺子", ["emoji", "product", "logo"]),
    ("boba", "Boba Tea", "珍珠奶茶", ["emoji", "product", "logo"]),
    ("hotpot", "Hotpot", "火锅", ["product", "logo", "illustration"]),
    ("astronaut", "Astronaut", "宇航员", ["wallpaper", "t-shirt", "illustration"]),
    ("vaporwave", "Vaporwave", "蒸汽波", ["wallpaper", "t-shirt"]),
    ("pixel-art", "Pixel Art", "像素风", ["emoji", "wallpaper", "logo"]),
    ("watercolor-flowers", "Watercolor Flowers", "水彩花卉", ["wallpaper", "press-on-nails", "illustration"]),
    ("mecha", "Mecha", "机甲", ["wallpaper", "illustration", "t-shirt"]),
    ("hanfu", "Hanfu", "汉服", ["fashion-model", "illustration"]),
    ("streetwear", "Streetwear", "街头潮流", ["fashion-model", "t-shirt"]),
    ("wedding", "Wedding", "婚纱", ["fashion-model", "press-on-nails"]),
    ("coffee", "Coffee", "咖啡", ["product", "logo"]),
    ("perfume", "Perfume", "香水", ["product"]),
    ("skincare", "Skincare", "护肤品", ["product"]),
]

CATEGORY_WORDS: dict[str, dict[str, list[str]]] = {
    "emoji": {"en": ["Sticker Pack", "Emoji Set", "Reaction Stickers"], "zh": ["表情包", "聊天贴纸"]},
    "wallpaper": {
        "en": ["Phone Wallpapers", "Desktop Wallpaper", "Lock Screen Backgrounds"],
        "zh": ["手机壁纸", "桌面壁纸"],
    },
    "t-shirt": {"en": ["T-shirt Print", "Tee Graphic", "Shirt Design"], "zh": ["T恤印花", "T恤图案"]},
    "press-on-nails": {
        "en": ["Press-on Nails", "Nail Art Set", "Manicure Designs"],
        "zh": ["穿戴甲", "美甲款式"],
    },
    "illustration": {"en": ["Illustration", "Storybook Art", "Poster Art"], "zh": ["插画", "绘本插图"]},
    "fashion-model": {"en": ["Model Photoshoot", "Fashion Editorial"], "zh": ["模特写真", "时尚大片"]},
    "product": {"en": ["Product Shots", "Packaging Mockup"], "zh": ["产品图", "包装效果图"]},
    "logo": {"en": ["Logo Design", "Mascot Logo"], "zh": ["标志设计", "Logo设计"]},
}

CATEGORY_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "emoji": {
        "en": "A set of {n} expressive {s} faces for chats and messaging apps, bold outlines on white.",
        "zh": "一套{s}聊天表情，开心、生气、加油等情绪都有，粗描边白底，适合微信。",
    },
    "wallpaper": {
        "en": "{s} scenes composed for screens, vertical and wide versions, calm colours behind icons.",
        "zh": "{s}主题的屏幕背景，竖屏与横屏两种构图，图标后面也清爽。",
    },
    "t-shirt": {
        "en": "A print-ready {s} graphic for shirts and hoodies, transparent background, two colourways.",
        "zh": "{s}主题的服装印花图案，透明背景，适合丝网印刷和数码直喷。",
    },
    "press-on-nails": {
        "en": "{s} motifs sized for press-on nail tips, with matching accent nails for a full set.",
        "zh": "{s}元素的甲片设计，按甲片尺寸排版，含搭配的点缀款。",
    },
    "illustration": {
        "en": "Detailed {s} artwork for book covers, posters and prints, soft light and rich texture.",
        "zh": "细腻的{s}主题画作，适合封面、海报与装饰画，光线柔和。",
    },
    "fashion-model": {
        "en": "Full-body {s} looks on a model, studio and street light, consistent across a lookbook.",
        "zh": "{s}风格的模特全身照，棚拍与街拍光线，整套风格统一。",
    },
    "product": {
        "en": "{s} product photos for online shops: clean backdrop, soft shadows, ready for ads.",
        "zh": "{s}电商主图与海报，干净背景，柔和阴影，直接用于商品详情页。",
    },
    "logo": {
        "en": "A flat {s} emblem for shops and channels, readable from favicon to signboard.",
        "zh": "扁平风格的{s}品牌标志，小到头像大到招牌都清晰。",
    },
}

CATEGORY_TAGS = {
    "emoji": ("emoji", "表情包"),
    "wallpaper": ("wallpaper", "壁纸"),
    "t-shirt": ("t-shirt", "T恤"),
    "press-on-nails": ("nails", "美甲"),
    "illustration": ("illustration", "插画"),
    "fashion-model": ("fashion", "模特"),
    "product": ("product", "产品图"),
    "logo": ("logo", "标志"),
}

IMAGE_MODELS = ["stable-diffusion", "sdxl", "flux", "midjourney", "dall-e", "ernie-vilg", "taiyi", "other"]
MODEL_TITLE = {
    "midjourney": "Midjourney",
    "sdxl": "SDXL",
    "flux": "FLUX",
    "dall-e": "DALL-E",
    "stable-diffusion": "Stable Diffusion",
    "ernie-vilg": "文心一格",
    "taiyi": "太乙",
}

# Near-duplicates of real subjects: the word is there, the meaning is not.
TRAPS: list[dict[str, Any]] = [
    {
        "key": "trap-pandan-cake-en",
        "trap": "panda",
        "language": "en",
        "target_model": "flux",
        "category": "product",
        "title": "Pandan Chiffon Cake Product Shots",
        "tags": ["cake", "bakery", "pandan"],
        "description": "Green pandan chiffon slices on marble for bakery menus and delivery apps.",
    },
    {
        "key": "trap-pandan-cake-zh",
        "trap": "panda",
        "language": "zh-hans",
        "target_model": "ernie-vilg",
        "category": "product",
        "title": "班兰戚风蛋糕产品图",
        "tags": ["蛋糕", "烘焙"],
        "description": "翠绿班兰戚风切块，大理石台面，适合烘焙店菜单与外卖平台。",
    },
    {
        "key": "trap-hardware-nails-en",
        "trap": "nails",
        "language": "en",
        "target_model": "sdxl",
        "category": "product",
        "title": "Steel Nails and Screws Catalog Shots",
        "tags": ["hardware", "tools"],
        "description": "Galvanised nails, wood screws and anchors on white for a hardware store catalog.",
    },
    {
        "key": "trap-hardware-nails-zh",
        "trap": "nails",
        "language": "zh-hans",
        "target_model": "stable-diffusion",
        "category": "product",
        "title": "五金钉子螺丝产品图",
        "tags": ["五金", "工具"],
        "description": "镀锌钉子、木螺丝和膨胀螺栓白底图，适合五金店商品目录。",
    },
    {
        "key": "trap-printer-ink-en",
        "trap": "ink-wash",
        "language": "en",
        "target_model": "dall-e",
        "category": "product",
        "title": "Printer Ink Cartridge Product Shots",
        "tags": ["printer", "office"],
        "description": "Ink cartridges and toner boxes on a clean desk for office supply shops.",
    },
    {
        "key": "trap-printer-ink-zh",
        "trap": "ink-wash",
        "language": "zh-hans",
        "target_model": "flux",
        "category": "product",
        "title": "打印机墨盒产品图",
        "tags": ["办公", "打印"],
        "description": "墨盒与硒鼓的办公用品主图，干净桌面背景。",
    },
    {
        "key": "trap-dragon-fruit-en",
        "trap": "dragon",
        "language": "en",
        "target_model": "flux",
        "category": "product",
        "title": "Dragon Fruit Smoothie Ads",
        "tags": ["smoothie", "fruit", "drinks"],
        "description": "Pink pitaya smoothies with splashes and ice for juice bar promotions.",
    },
    {
        "key": "trap-dragon-fruit-zh",
        "trap": "dragon",
        "language": "zh-hans",
        "target_model": "ernie-vilg",
        "category": "product",
        "title": "火龙果冰沙海报",
        "tags": ["饮品", "水果"],
        "description": "红心火龙果冰沙配冰块飞溅，适合果汁店促销海报。",
    },
    {
        "key": "trap-tower-crane-en",
        "trap": "crane",
        "language": "en",
        "target_model": "stable-diffusion",
        "category": "illustration",
        "title": "Tower Crane Construction Site Illustration",
        "tags": ["construction", "industrial"],
        "description": "Tower cranes over a half-built skyline at dawn, flat industrial style.",
    },
    {
        "key": "trap-tower-crane-zh",
        "trap": "crane",
        "language": "zh-hans",
        "target_model": "taiyi",
        "category": "illustration",
        "title": "塔吊工地插画",
        "tags": ["工地", "工业"],
        "description": "清晨城市工地上的塔吊与脚手架，扁平工业风插画。",
    },
    {
        "key": "trap-golf-tee-en",
        "trap": "t-shirt",
        "language": "en",
        "target_model": "dall-e",
        "category": "product",
        "title": "Golf Tee and Ball Product Shots",
        "tags": ["golf", "sports"],
        "description": "Wooden golf tees and balls on fresh grass for sporting goods stores.",
    },
    {
        "key": "trap-galaxy-phone-en",
        "trap": "galaxy",
        "language": "en",
        "target_model": "sdxl",
        "category": "product",
        "title": "Galaxy Phone Case Mockups",
        "tags": ["phone-case", "mockup"],
        "description": "Silicone cases for Samsung Galaxy phones in six colours, studio light.",
    },
    {
        "key": "trap-cathedral-en",
        "trap": "cat",
        "language": "en",
        "target_model": "midjourney",
        "category": "wallpaper",
        "title": "Gothic Cathedral Wallpapers",
        "tags": ["gothic", "architecture"],
        "description": "Stained glass and vaulted ceilings in deep blue light, for desktop screens.",
    },
    {
        "key": "trap-foxglove-en",
        "trap": "fox",
        "language": "en",
        "target_model": "midjourney",
        "category": "illustration",
        "title": "Foxglove Botanical Illustration",
        "tags": ["botanical", "flowers"],
        "description": "Vintage botanical plates of foxglove and bluebells in watercolour.",
    },
]

COPYWRITING: list[dict[str, Any]] = [
    {
        "key": "copy-etsy-en",
        "language": "en",
        "title": "Etsy Listing Copywriter",
        "tags": ["copywriting", "etsy"],
        "description": "Writes Etsy titles, tags and descriptions from your product notes.",
    },
    {
        "key": "copy-instagram-en",
        "language": "en",
        "title": "Instagram Caption Generator",
        "tags": ["instagram", "social-media"],
        "description": "Ten captions with hashtags for any photo, in your brand voice.",
    },
    {
        "key": "copy-newsletter-en",
        "language": "en",
        "title": "Email Newsletter Writer",
        "tags": ["email", "marketing"],
        "description": "Turns a week of updates into a friendly newsletter with a clear call to action.",
    },
    {
        "key": "copy-xhs-zh",
        "language": "zh-hans",
        "title": "小红书种草笔记生成器",
        "tags": ["小红书", "文案"],
        "description": "输入产品卖点，生成带表情和话题标签的种草笔记。",
    },
    {
        "key": "copy-douyin-zh",
        "language": "zh-hans",
        "title": "抖音短视频脚本助手",
        "tags": ["短视频", "脚本"],
        "description": "按开头钩子、卖点、结尾引导三段生成短视频口播脚本。",
    },
    {
        "key": "copy-seo-mixed",
        "language": "zh-hans",
        "title": "电商 SEO 标题优化 · Product Title Optimizer",
        "tags": ["seo", "电商"],
        "description": "为淘宝和 Amazon 商品生成含关键词的标题 / keyword-rich titles for shops.",
    },
    {
        "key": "copy-translate-mixed",
        "language": "en",
        "title": "Listing Translator 中英商品翻译",
        "tags": ["translation", "翻译"],
        "description": "Translates product listings between English and Chinese 中英互译，保留卖点。",
    },
    {
        "key": "copy-midjourney-helper-en",
        "language": "en",
        "title": "Midjourney Prompt Helper for Beginners",
        "tags": ["midjourney", "prompt-writing"],
        "description": "Answers questions and turns a sentence into a Midjourney prompt with style words.",
    },
]


def _listing(rng: random.Random, slug: str, en: str, zh: str, category: str, language: str) -> dict[str, Any]:
    words = CATEGORY_WORDS[category]
    model = rng.choice(IMAGE_MODELS[:5] if language == "en" else IMAGE_MODELS)
    named = model in MODEL_TITLE and rng.random() < 0.2
    en_word, zh_word = rng.choice(words["en"]), rng.choice(words["zh"])
    en_tag, zh_tag = CATEGORY_TAGS[category]
    subject_en_tag = slug if len(slug) <= 30 else en.lower()
    if language == "en":
        title = f"{en} {en_word}"
        description = CATEGORY_DESCRIPTIONS[category]["en"].format(s=en.lower(), n=rng.choice([16, 24, 40]))
        tags = [subject_en_tag, en_tag] + ([zh, zh_tag] if rng.random() < 0.3 else [])
        lang = "en"
    elif language == "zh":
        title = f"{zh}{zh_word}"
        description = CATEGORY_DESCRIPTIONS[category]["zh"].format(s=zh)
        tags = [zh, zh_tag] + ([subject_en_tag, en_tag] if rng.random() < 0.3 else [])
        lang = "zh-hans"
    else:  # mixed: Chinese listing with the English subject in the title, tags in one language
        title = rng.choice([f"{zh} {en} {zh_word}", f"{en} {zh}{zh_word}"])
        description = (
            CATEGORY_DESCRIPTIONS[category]["zh"].format(s=zh)
            + " "
            + CATEGORY_DESCRIPTIONS[category]["en"].format(s=en.lower(), n=24)
        )
        tags = [zh, zh_tag] if rng.random() < 0.5 else [subject_en_tag, en_tag]
        lang = "zh-hans"
    if named:
        title += f" ({MODEL_TITLE[model]})" if language == "en" else f" {MODEL_TITLE[model]}"
    return {
        "key": f"{slug}-{category}-{language}",
        "subject": slug,
        "language": lang,
        "target_model": model,
        "category": category,
        "title": title,
        "description": description,
        "tags": tags,
    }


def build() -> list[dict[str, Any]]:
    rng = random.Random(17)
    listings: list[dict[str, Any]] = []
    for slug, en, zh, categories in SUBJECTS:
        for category in categories:
            # Every subject/category pair in one or two languages; the first pair of each subject in all three.
            languages = (
                ["en", "zh", "mixed"] if category == categories[0] else rng.sample(["en", "zh", "mixed"], 2)
            )
            for language in languages:
                listings.append(_listing(rng, slug, en, zh, category, language))
    for trap in TRAPS:
        listings.append(dict(trap))
    for copy in COPYWRITING:
        listings.append(dict(copy, target_model="chatgpt", category="other", subject="copywriting"))
    for index, listing in enumerate(listings):
        listing["seller"] = index % 3
        currency = "USD" if listing["language"] == "en" else rng.choice(["CNY", "USD"])
        prices = [199, 299, 499, 990, 1500] if currency == "USD" else [900, 1900, 2900, 4900]
        listing["price_amount"] = 0 if index % 8 == 0 else rng.choice(prices)
        listing["price_currency"] = currency
        listing["prompt_text"] = f"[subject] in the style of listing {listing['key']}, [details]"
    demo = json.loads(
        (Path(__file__).resolve().parents[2] / "marketplace/demo/demo_listings.json").read_text("utf-8")
    )
    demo_titles = {row["title"] for row in demo}
    for listing in listings:  # titles identify listings in the database: none may repeat a demo title
        if listing["title"] in demo_titles:
            listing["title"] += " 套图" if listing["language"] == "zh-hans" else " Set"
    keys = [listing["key"] for listing in listings]
    titles = [listing["title"] for listing in listings]
    assert len(set(keys)) == len(keys), "duplicate keys"
    assert len(set(titles)) == len(titles) and not demo_titles & set(titles), "duplicate titles"
    return listings


def main() -> None:
    listings = build()
    OUT.write_text(json.dumps(listings, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(listings)} listings to {OUT}")


if __name__ == "__main__":
    main()
