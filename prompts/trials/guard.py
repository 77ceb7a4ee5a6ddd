"""What keeps a trial from revealing its prompt: a detector for values that ask the model to repeat
its instructions, and a filter for outputs that contain the prompt or a long run of it.

Both compare normalised text (NFKC, case-folded, punctuation dropped), so full-width letters,
spacing and case tricks do not slip through. The filter works on words for Latin text and on single
characters for Han text, which has no spaces between words.
"""

from __future__ import annotations

import re
import unicodedata

from prompts.cleaning import VARIABLE

# Runs of the prompt that may not appear in an output: this many consecutive words, or Han characters.
WORD_RUN = 8
HAN_RUN = 12

_EXTRACTION_PATTERNS = [
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(above|previous|prior|earlier|preceding|instructions?|prompt|rules)\b",
    r"\b(print|repeat|reveal|show|output|display|echo|recite|tell|give|write|copy|leak|dump|spell)\b"
    r".{0,40}\b(instructions?|prompt|system message|rules|everything above|text above|the above|verbatim)\b",
    r"\b(what|which)\b.{0,20}\b(were|are|is)\b.{0,20}\byour\b.{0,20}\b(instructions?|prompt|rules)\b",
    r"\bsystem prompt\b",
    r"\bprevious (text|message|content)\b",
    r"忽略.{0,10}(以上|上面|上述|之前|前面|前述|所有|指令|提示)",
    r"(输出|打印|显示|重复|复述|告诉|给出|泄露|写出|展示|透露|列出).{0,12}(提示词|提示|指令|说明|上面|以上|上述|前面|原文|系统)",
    r"(你的|原始|完整|系统)(提示词|指令|设定|提示)",
    r"(上面|以上|上述|前面)的?(内容|文字|文本|话)",
]
_EXTRACTION = [re.compile(pattern, re.IGNORECASE | re.DOTALL) for pattern in _EXTRACTION_PATTERNS]
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def is_extraction_attempt(value: str) -> bool:
    """Does this value try to make the model repeat its instructions?"""
    text = " ".join(normalize(value).split())
    return any(pattern.search(text) for pattern in _EXTRACTION)


def _words(text: str) -> list[str]:
    """Latin words, and each Han character as a word of its own."""
    tokens: list[str] = []
    for word in _WORD.findall(normalize(text)):
        if _HAN.search(word):
            tokens.extend(_HAN.sub(lambda m: f" {m.group(0)} ", word).split())
        else:
            tokens.append(word)
    return tokens


def _han(text: str) -> str:
    return "".join(_HAN.findall(normalize(text)))


def _runs(tokens: list[str], length: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + length]) for i in range(len(tokens) - length + 1)}


def _repeats_a_run(output: str, prompt: str) -> bool:
    prompt_words = _words(prompt)
    if len(prompt_words) >= WORD_RUN and _runs(prompt_words, WORD_RUN) & _runs(_words(output), WORD_RUN):
        return True
    prompt_han = _han(prompt)
    if len(prompt_han) >= HAN_RUN:
        output_han = _han(output)
        return any(prompt_han[i : i + HAN_RUN] in output_han for i in range(len(prompt_han) - HAN_RUN + 1))
    return False


def reveals(output: str, prompt: str) -> bool:
    """Does ``output`` contain the prompt, or WORD_RUN consecutive words or HAN_RUN consecutive Han
    characters of it? Both sides are normalised first."""
    if not output or not prompt:
        return False
    flat_output, flat_prompt = " ".join(_words(output)), " ".join(_words(prompt))
    if flat_prompt and flat_prompt in flat_output:
        return True
    return _repeats_a_run(output, prompt)


# A template whose own text is shorter than this is not held back for appearing whole in an output.
TEMPLATE_MIN_WORDS = 4


def _find(tokens: list[str], part: list[str], start: int) -> int:
    """Where ``part`` next occurs in ``tokens`` from ``start`` (the index just past it), or -1."""
    for i in range(start, len(tokens) - len(part) + 1):
        if tokens[i : i + len(part)] == part:
            return i + len(part)
    return -1


def reveals_template(output: str, template: str) -> bool:
    """Does ``output`` repeat the template's own text: WORD_RUN words or HAN_RUN Han characters in a
    row of one stretch between its [variables], or every stretch in order whatever fills the
    variables? The variables are holes, so what a buyer typed into them never counts: an answer
    that repeats the buyer's own words is not held back for it."""
    if not output or not template:
        return False
    stretches = VARIABLE.split(template)[::2]  # the split keeps each variable's name at the odd places
    if any(_repeats_a_run(output, stretch) for stretch in stretches):
        return True
    parts = [words for words in map(_words, stretches) if words]
    if sum(map(len, parts)) < TEMPLATE_MIN_WORDS:
        return False
    tokens, at = _words(output), 0
    for part in parts:
        at = _find(tokens, part, at)
        if at < 0:
            return False
    return True
