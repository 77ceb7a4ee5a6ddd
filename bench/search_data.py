"""Synthetic listings for bench/search.py: controlled vocabularies, so probe terms have known rates.

Half the listings are Chinese, a third English, the rest mixed (Chinese text with English words).
Titles are 5-15 words / 8-25 Han characters; descriptions 20-60 words / 40-120 characters.
Probe words are inserted with fixed probabilities and appear nowhere else in the vocabularies:

    wallpaper   in 35% of English and mixed texts, plus every listing of category "wallpaper"
    axolotl     in 0.02% of English and mixed texts (about 0.01% of all listings)
    壁纸        in about 30% of Chinese and mixed texts
    烧卖        in 0.45% of Chinese and mixed texts (about 0.3% of all)
    唐人街      in 1.5% of Chinese and mixed texts (about 1% of all); "人街" is a substring of it only
    赛博朋克    in 8% of Chinese and mixed texts
    qwertyzzz   nowhere

Chinese phrases are joined with punctuation or placed so that no bigram across a phrase boundary
spells a probe. The hit counts the benchmark prints are measured, not assumed.
"""

from __future__ import annotations

import random

EN_ADJ = [
    "dreamy",
    "soft",
    "vibrant",
    "moody",
    "pastel",
    "bold",
    "minimalist",
    "vintage",
    "retro",
    "cozy",
    "glowing",
    "cinematic",
    "ethereal",
    "whimsical",
    "gritty",
    "elegant",
    "playful",
    "serene",
    "dramatic",
    "luminous",
    "muted",
    "rustic",
    "sleek",
    "detailed",
    "hand-drawn",
    "crisp",
    "golden",
    "misty",
    "colorful",
    "dark",
    "bright",
    "tropical",
    "frosty",
]
EN_STYLE = [
    "neon",
    "watercolor",
    "ukiyo-e",
    "anime",
    "pixel-art",
    "vaporwave",
    "cyberpunk",
    "art-deco",
    "lo-fi",
    "synthwave",
    "oil-painting",
    "ink-wash",
    "isometric",
    "low-poly",
    "papercut",
    "kawaii",
    "gothic",
    "boho",
    "cottagecore",
    "steampunk",
    "impressionist",
    "flat-design",
    "line-art",
    "chibi",
    "collage",
    "risograph",
]
EN_SUBJECT = [
    "koi",
    "cat",
    "fox",
    "panda",
    "dragon",
    "lantern",
    "skyline",
    "forest",
    "mountain",
    "ocean",
    "sunset",
    "city",
    "street",
    "garden",
    "teahouse",
    "robot",
    "astronaut",
    "samurai",
    "geisha",
    "dumpling",
    "noodle",
    "bakery",
    "cafe",
    "bicycle",
    "lighthouse",
    "temple",
    "bamboo",
    "crane",
    "peony",
    "lotus",
    "moon",
    "galaxy",
    "desert",
    "waterfall",
    "mushroom",
    "whale",
    "owl",
    "rabbit",
    "tiger",
    "corgi",
    "shiba",
    "bonsai",
    "sakura",
    "harbor",
    "train",
]
EN_NOUN = [
    "emoji",
    "stickers",
    "portrait",
    "poster",
    "logo",
    "icon",
    "set",
    "pattern",
    "print",
    "illustration",
    "mockup",
    "background",
    "scene",
    "character",
    "headshot",
    "avatar",
    "banner",
    "cover",
    "label",
    "packaging",
    "nails",
    "t-shirt",
    "design",
    "product",
    "shot",
]
EN_FILLER = [
    "for",
    "with",
    "and",
    "the",
    "of",
    "in",
    "a",
    "on",
    "your",
    "high",
    "resolution",
    "prompt",
    "pack",
    "ready",
    "to",
    "use",
    "easy",
    "customise",
    "variables",
    "tested",
    "seeds",
    "each",
    "style",
    "lighting",
    "colors",
    "detailed",
    "guide",
    "works",
    "best",
    "at",
    "upscale",
    "once",
    "print",
    "phone",
    "desktop",
    "tablet",
    "aspect",
    "ratio",
    "includes",
    "variations",
    "examples",
    "shop",
    "brand",
    "social",
    "media",
    "every",
    "mood",
    "palette",
    "layered",
    "clean",
    "lines",
    "sharp",
    "texture",
    "gentle",
    "shadows",
    "perfect",
    "gift",
    "daily",
    "use",
    "quick",
    "results",
]

ZH_PHRASES = [
    "表情包",
    "国风",
    "汉服",
    "穿戴甲",
    "轻小说插画",
    "水墨",
    "山水",
    "古风",
    "仙侠",
    "可爱",
    "萌系",
    "治愈系",
    "手绘",
    "插画",
    "海报",
    "头像",
    "猫咪",
    "熊猫",
    "锦鲤",
    "灯笼",
    "樱花",
    "竹林",
    "茶馆",
    "小笼包",
    "火锅",
    "奶茶",
    "月亮",
    "星空",
    "城市夜景",
    "霓虹灯",
    "复古",
    "像素风",
    "水彩",
    "油画",
    "工笔",
    "剪纸",
    "刺绣",
    "青花瓷",
    "故宫",
    "江南",
    "烟雨",
    "少女",
    "武侠",
    "机甲",
    "未来感",
    "赛璐璐",
    "厚涂",
    "简约",
    "高级感",
    "质感",
    "氛围感",
    "渐变",
    "配色",
    "构图",
    "光影",
    "细节丰富",
    "高清",
    "原创",
    "模板",
    "提示词",
    "参数",
    "风格",
    "节日",
    "春节",
    "中秋",
    "端午",
    "新年",
    "红包",
    "祝福",
    "贺卡",
    "包装",
    "标志",
    "品牌",
    "商品图",
    "模特",
    "服装",
    "美甲",
    "指甲",
    "清新",
    "温柔",
    "梦幻",
    "暗黑",
    "蒸汽波",
    "极光",
    "海边",
    "森林",
    "花园",
    "咖啡馆",
    "书店",
    "雨夜",
    "雪景",
    "晚霞",
    "日落",
]
ZH_SENTENCES = (
    "附赠多组已验证的变体",
    "推荐使用竖版画幅",
    "打印前放大一次即可",
    "示例图全部使用本提示词生成",
    "手部和文字都能保持干净",
    "适合做手机和电脑桌面",
    "可以直接替换变量",
    "色彩饱满层次分明",
    "适合社交媒体发布",
    "商用请选择商业授权",
    "新手也能轻松上手",
    "每一张都经过反复调试",
    "细节丰富质感高级",
    "支持多种尺寸输出",
)
ZH_PUNCT = "，，，。、"

TAGS = [
    "emoji",
    "neon",
    "watercolor",
    "anime",
    "guofeng",
    "hanfu",
    "nails",
    "cyberpunk",
    "kawaii",
    "retro",
    "minimal",
    "poster",
    "logo",
    "sticker",
    "portrait",
    "landscape",
    "cute",
    "festival",
    "food",
    "fashion",
    "ink",
    "pixel",
]


def _en_words(rng: random.Random, count: int, *, wallpaper: bool, axolotl: bool) -> list[str]:
    words: list[str] = [rng.choice(EN_ADJ), rng.choice(EN_STYLE), rng.choice(EN_SUBJECT), rng.choice(EN_NOUN)]
    pools = (EN_FILLER, EN_FILLER, EN_ADJ, EN_SUBJECT, EN_STYLE, EN_NOUN)
    while len(words) < count:
        words.append(rng.choice(rng.choice(pools)))
    words = words[:count]
    if wallpaper:
        words.insert(rng.randrange(len(words) + 1), rng.choice(("wallpaper", "wallpapers")))
    if axolotl:
        words.insert(rng.randrange(len(words) + 1), "axolotl")
    return words


def _zh_text(rng: random.Random, low: int, high: int, extras: list[str], *, sentences: bool) -> str:
    """Han text of low..high characters (roughly), made of phrases and punctuation."""
    target = rng.randint(low, high)
    parts: list[str] = []
    length = 0
    pending = list(extras)
    rng.shuffle(pending)
    while length < target or pending:
        if pending and (length >= target or rng.random() < 0.35):
            piece = pending.pop()
        elif sentences and rng.random() < 0.3:
            piece = rng.choice(ZH_SENTENCES)
        else:
            piece = rng.choice(ZH_PHRASES)
        parts.append(piece)
        length += len(piece)
        if sentences:
            parts.append(rng.choice(ZH_PUNCT))
        else:
            parts.append(rng.choice((" ", "·", "", "、")))
        length += 1
    text = "".join(parts).rstrip("，、· ")
    return text + ("。" if sentences else "")


def texts(rng: random.Random, kind: str, category: str) -> tuple[str, str, list[str]]:
    """(title, description, tags) for kind in {"en", "zh", "mixed"}."""
    latin = kind in ("en", "mixed")
    han = kind in ("zh", "mixed")
    wallpaper = latin and rng.random() < 0.35
    axolotl = latin and rng.random() < 0.0002
    zh_extras: list[str] = []
    if han:
        if rng.random() < 0.30:
            zh_extras.append(rng.choice(("壁纸", "手机壁纸", "高清壁纸", "动态壁纸")))
        if rng.random() < 0.0045:
            zh_extras.append(rng.choice(("烧卖", "蟹黄烧卖", "糯米烧卖")))
        if rng.random() < 0.015:
            zh_extras.append(rng.choice(("唐人街", "纽约唐人街", "唐人街夜市")))
        if rng.random() < 0.08:
            zh_extras.append("赛博朋克")
    # Each probe goes to the title or the description, so ranking sees both weights.
    title_extras = [e for e in zh_extras if rng.random() < 0.5]
    body_extras = [e for e in zh_extras if e not in title_extras]
    in_title_wallpaper = wallpaper and rng.random() < 0.5
    if kind == "en":
        title = " ".join(
            _en_words(
                rng, rng.randint(5, 15) - in_title_wallpaper, wallpaper=in_title_wallpaper, axolotl=False
            )
        ).capitalize()
        body_words = _en_words(
            rng, rng.randint(20, 60), wallpaper=wallpaper and not in_title_wallpaper, axolotl=axolotl
        )
        description = " ".join(body_words).capitalize() + "."
    elif kind == "zh":
        title = _zh_text(rng, 8, 25, title_extras, sentences=False)
        description = _zh_text(rng, 40, 120, body_extras, sentences=True)
    else:  # mixed: Chinese with a few English words (styles, subjects, the wallpaper probe)
        english = _en_words(rng, rng.randint(1, 3), wallpaper=in_title_wallpaper, axolotl=False)
        title = _zh_text(rng, 6, 18, title_extras, sentences=False) + " " + " ".join(english)
        body = _zh_text(rng, 30, 90, body_extras, sentences=True)
        body_english = _en_words(
            rng, rng.randint(4, 12), wallpaper=wallpaper and not in_title_wallpaper, axolotl=axolotl
        )
        cut = rng.randrange(len(body))
        description = body[:cut] + " " + " ".join(body_english) + " " + body[cut:]
    tags = sorted(
        set(rng.sample(TAGS, rng.randint(1, 4)) + (["wallpaper"] if category == "wallpaper" else []))
    )
    return title[:120], description, tags
