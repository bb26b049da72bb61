"""Abbreviation definitions: "Long Form (ABBR)" and "ABBR (Long Form)".

The Schwartz & Hearst (2003) algorithm, as scispacy uses it: a short form
in parentheses is matched character by character, right to left, against
the words before it; the long form is the shortest word sequence whose
initials and letters contain the short form, with the short form's first
character starting a word.

>>> text = "We use Low-Rank Adaptation (LoRA) and the Vision Transformer (ViT)."
>>> [(text[a.long_start:a.long_end], text[a.short_start:a.short_end]) for a in find_abbreviations(text)]
[('Low-Rank Adaptation', 'LoRA'), ('Vision Transformer', 'ViT')]
>>> text = "trained with PTQ (post-training quantization) only"
>>> [(text[a.long_start:a.long_end], text[a.short_start:a.short_end]) for a in find_abbreviations(text)]
[('post-training quantization', 'PTQ')]
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Abbreviation:
    long_start: int
    long_end: int
    short_start: int
    short_end: int


_PAREN = re.compile(r"\(([^()]{1,80})\)")
_WORD = re.compile(r"\S+")


def is_short_form(candidate: str) -> bool:
    """A plausible abbreviation: 2–10 characters, one or two words, a letter first, a capital inside.

    >>> is_short_form("LoRA"), is_short_form("e.g."), is_short_form("see Table 2"), is_short_form("M2")
    (True, False, False, True)
    """
    c = candidate.strip()
    return (2 <= len(c) <= 10 and len(c.split()) <= 2 and c[0].isalnum()
            and any(ch.isupper() for ch in c) and any(ch.isalpha() for ch in c)
            and not c.lower().startswith(("e.g", "i.e", "fig", "table", "eq", "see", "sec")))


def best_long_form(short: str, long_text: str) -> int | None:
    """Start index in ``long_text`` of the shortest long form for ``short``, or ``None``.

    >>> t = "the parameter efficient fine tuning"
    >>> t[best_long_form("PEFT", t):]
    'parameter efficient fine tuning'
    """
    s = [ch.lower() for ch in short if ch.isalnum()]
    if not s:
        return None
    li = len(long_text) - 1
    si = len(s) - 1
    while si >= 0:
        ch = s[si]
        while li >= 0 and (long_text[li].lower() != ch or
                           (si == 0 and li > 0 and long_text[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return None
        li -= 1
        si -= 1
    start = li + 1
    return start


def _window(text: str, end: int, short: str) -> int:
    """Start of the ``min(|A| + 5, 2|A|)`` words before ``end``."""
    n = min(len(short) + 5, len(short) * 2)
    begin = max(0, end - 60 * n)  # no word is longer than this: search only the text just before
    words = list(_WORD.finditer(text, begin, end))
    if begin > 0 and words:
        words = words[1:]  # the first match may be a cut word
    return words[-n].start() if len(words) >= n else (words[0].start() if words else end)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def find_abbreviations(text: str) -> list[Abbreviation]:
    """Every abbreviation definition in ``text``, in order."""
    found = []
    for m in _PAREN.finditer(text):
        inner = m.group(1)
        inner_start = m.start(1)
        if ";" in inner or "," in inner:
            inner = re.split(r"[;,]", inner)[0]
        before_end = m.start()
        while before_end > 0 and text[before_end - 1] == " ":
            before_end -= 1
        if is_short_form(inner):
            win = _window(text, before_end, inner)
            segment = text[win:before_end]
            cut = max(segment.rfind(ch) for ch in ".;:()[]")
            if cut >= 0:
                segment, win = segment[cut + 1:], win + cut + 1
            rel = best_long_form(inner, segment)
            if rel is None:
                continue
            ls, le = _trim(text, win + rel, before_end)
            ss, se = _trim(text, inner_start, inner_start + len(inner))
            long_words = text[ls:le].split()
            if ls < le and len(long_words) >= 1 and le - ls > se - ss and \
                    len(long_words) <= len(inner) + 5 and "and" not in long_words[1:-1]:
                found.append(Abbreviation(ls, le, ss, se))
        else:
            # "ABBR (Long Form)": the word before the parenthesis is the short form.
            words = list(_WORD.finditer(text, 0, before_end))
            if not words or len(inner.split()) < 2:
                continue
            short = words[-1]
            ss, se = _trim(text, short.start(), short.end())
            if not is_short_form(text[ss:se]):
                continue
            rel = best_long_form(text[ss:se], inner)
            if rel is None or rel > 0 and inner[:rel].strip():
                continue
            ls, le = _trim(text, inner_start, inner_start + len(inner))
            found.append(Abbreviation(ls, le, ss, se))
    return found
