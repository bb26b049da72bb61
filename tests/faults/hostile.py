"""Hostile inputs, written on demand (never committed as big files): :func:`write_cases`.

Each :class:`Case` is one file (or folder entry) beside which a good input
file is put; it must either be read correctly (``"read"``: its papers, with
or without a warning) or be skipped with an :class:`~kg.errors.InputWarning`
naming its file (and line) (``"skipped"``), and never crash or hang a build.
The classes are those measured in issue 17: sizes over the bounds, deep
JSON, huge numbers, bad URLs, devices, FIFOs, undecodable names, links,
folders, encodings, control characters, markup, and texts that made a rule
quadratic (nested parentheses, thousands of names).

>>> import tempfile, pathlib
>>> cases = write_cases(pathlib.Path(tempfile.mkdtemp()), only={"empty", "tsv_no_header"})
>>> [(c.name, c.outcome, c.line) for c in cases]
[('tsv_no_header', 'skipped', 1), ('empty', 'skipped', 1)]
"""
from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

GOOD = [{"title": "FooNet: Fast Networks for Images",
         "abstract": "We propose FooNet, a network built on BERT. FooNet reaches 81.2% top-1 accuracy on ImageNet."},
        {"title": "BarNet: Slow Networks", "abstract": "We introduce BarNet, a slow network trained on CIFAR-10."}]
"""The good file's papers (:func:`write_good`)."""


def write_good(folder: Path) -> Path:
    """The good input file, ``good.jsonl`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "good.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in GOOD), encoding="utf-8")
    return path


@dataclass(frozen=True)
class Case:
    """One hostile input and what reading it must give.

    ``path``: the file or folder entry (named in the warning); ``outcome``:
    ``"read"`` or ``"skipped"``; ``warning``: text a warning about ``path``
    must hold (``None``: no warning needed); ``line``: the line that warning
    names; ``titles``: the titles read from it; ``in_folder``: the entry only
    exists inside an input folder (a FIFO, a link loop), so the folder is the input.
    """

    name: str
    path: Path
    outcome: str
    warning: str | None = None
    line: int | None = None
    titles: tuple[str, ...] = ()
    in_folder: bool = False


def _jsonl(*records) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def _rec(name: str, abstract: str = "", **fields) -> dict:
    """A record titled after its case (titles are unique across cases, so nothing merges)."""
    return {"title": f"Case {name}: FooNet variant",
            "abstract": abstract or "We propose FooNet, a network built on BERT.", **fields}


def _title(name: str) -> tuple[str, ...]:
    return (f"Case {name}: FooNet variant",)


MB = 1_000_000


def _specs() -> list[tuple]:
    """(name, file name, content (str, bytes, or a function making a big one), outcome, warning, line, titles)."""
    t = _title
    specs: list[tuple] = []

    def add(name, file, content, outcome, warning=None, line=None, titles=None):
        specs.append((name, file, content, outcome, warning, line,
                      (t(name) if outcome == "read" else ()) if titles is None else titles))

    # sizes (kg.ingest.bounds)
    big = "the model works well " * 60_000  # 1.26M characters
    cut = "characters cut to the first"
    add("abstract_1.2M_jsonl", "abstract_big.jsonl", lambda: _jsonl(_rec("abstract_1.2M_jsonl", big)), "read", cut, 1)
    add("abstract_1.2M_csv", "abstract_big.csv", lambda: f'title,abstract\n"{t("abstract_1.2M_csv")[0]}","{big}"\n',
        "read", cut, 2)
    add("abstract_1.2M_listing", "abstract_big.txt", lambda: f"{t('abstract_1.2M_listing')[0]}\n\n{big}\n", "read",
        cut, 1)
    add("abstract_1.2M_json", "abstract_big.json", lambda: json.dumps([_rec("abstract_1.2M_json", big)]), "read", cut, 1)
    over = "bytes, over the limit"
    add("title_10MB_jsonl", "title_big.jsonl", lambda: _jsonl({"title": "T" * (10 * MB), "abstract": "A b."}),
        "skipped", over, 1)
    add("title_10MB_json", "title_big.json", lambda: json.dumps([{"title": "T" * (10 * MB), "abstract": "A b."}]),
        "skipped", "title of 10,000,000 characters, over the limit", 1)
    add("title_5000_jsonl", "title_long.jsonl", _jsonl({"title": "Long " * 1000, "abstract": "We win."}),
        "skipped", "title of 4,999 characters, over the limit", 1)
    add("line_50MB_listing", "line_big.txt", lambda: "A Title Here\n" + "x " * (25 * MB) + "\n", "skipped", over, 2)
    add("line_50MB_jsonl", "line_big.jsonl", lambda: _jsonl({"title": "T", "abstract": "a" * (50 * MB)}), "skipped",
        over, 1)
    add("line_50MB_csv", "line_big.csv", lambda: "title,abstract\nT," + "a" * (50 * MB) + "\n", "skipped", over, 2)
    add("gzip_bomb_line", "bomb.jsonl.gz", lambda: gzip.compress(b'{"title": "' + b"a" * (30 * MB) + b'"}\n'),
        "skipped", over, 1)
    add("bad_lines_200000", "bad_lines.jsonl", lambda: "not json\n" * 200_000, "skipped", "malformed JSON", 1)
    # nesting and numbers
    for depth in (5_000, 100_000):
        deep = "[" * depth + "]" * depth
        add(f"deep_{depth}_jsonl", f"deep_{depth}.jsonl", '{"title": "T", "abstract": ' + deep + "}\n", "skipped",
            "nested too deeply", 1)
        add(f"deep_{depth}_json", f"deep_{depth}.json", deep, "skipped", "nested too deeply", 1)
        add(f"deep_obj_{depth}_jsonl", f"deep_obj_{depth}.jsonl", '{"a":' * depth + "1" + "}" * depth + "\n",
            "skipped", "nested too deeply", 1)
    add("deep_second_line", "deep_second.jsonl",
        _jsonl(_rec("deep_second_line"), '{"x": ' + "[" * 50_000 + "]" * 50_000 + "}"), "read", "nested too deeply", 2)
    huge = "1" * 5_000
    add("int_5000_digits_jsonl", "int_big.jsonl", '{"title": "%s", "abstract": "We win.", "year": %s}\n'
        % (t("int_5000_digits_jsonl")[0], huge), "read")
    add("int_5000_digits_json", "int_big.json", '[{"title": "%s", "abstract": "We win.", "upvotes": %s}]'
        % (t("int_5000_digits_json")[0], huge), "read", "ignored", 1)
    add("int_5000_digits_csv", "int_big.csv", f"title,abstract,year\n{t('int_5000_digits_csv')[0]},We win.,{huge}\n",
        "read")
    add("int_title", "int_title.jsonl", '{"title": %s, "abstract": "We win."}\n' % huge, "skipped", "no title", 1)
    add("float_inf_year", "inf.jsonl", _jsonl(_rec("float_inf_year", year=1e400, date="2020-02-31")), "read")
    add("nan_year", "nan.jsonl", '{"title": "%s", "abstract": "We win.", "year": NaN}\n' % t("nan_year")[0], "read")
    add("year_zero", "year0.jsonl", _jsonl(_rec("year_zero", year=0, date="0000-01-01")), "read")
    # URLs that are no IRI: read, the URL ignored with a warning
    urls = {"ctrl": "https://x.org/a\x01b", "del": "https://x.org/a\x7fb", "escape": "https://x.org/%zz",
            "bracket_host": "https://[x/a", "space": "https://x.org/a b", "nonascii_host": "https://例え.jp/a",
            "javascript": "javascript:alert(1)", "angle": "https://x.org/a>b<c", "quote": 'https://x.org/a"b',
            "double_fragment": "https://x.org/a#b#c", "bad_port": "https://x.org:abc/", "fffd": "https://x.org/\ufffd",
            "backslash": "https://x.org/a\\b", "long": "https://x.org/" + "a" * 3_000, "data": "data:text/html,<script>",
            "userinfo": "https://u:p@x.org/"}
    for key, url in urls.items():
        add(f"url_{key}", f"url_{key}.jsonl", _jsonl(_rec(f"url_{key}", url=url)), "read", "is not a valid", 1)
    add("url_nonascii_path", "url_nonascii_path.jsonl", _jsonl(_rec("url_nonascii_path", url="https://x.org/论文")),
        "read")
    add("url_csv_ctrl", "url_ctrl.csv", f"title,abstract,url\n{t('url_csv_ctrl')[0]},We win.,https://x.org/a\x1bb\n",
        "read", "is not a valid", 2)
    for key, code in {"javascript": "javascript:alert(1)", "ftp": "ftp://x.org/a", "ctrl": "https://github.com/\x01/b"}.items():
        add(f"code_url_{key}", f"code_{key}.jsonl", _jsonl(_rec(f"code_url_{key}", code_url=code)), "read",
            "not a code repository URL", 1)
    add("code_url_wrapped", "code_wrapped.jsonl",
        _jsonl(_rec("code_url_wrapped", code_url="javascript:x('github.com/a/b')")), "read")
    for key, ident in {"dotdot": "../../etc/passwd", "markup": '<script>"x"</script>', "long": "i" * 5_000,
                       "ctrl": "a\x00b\x1b", "dict": {"a": 1}}.items():
        add(f"id_{key}", f"id_{key}.jsonl", _jsonl(_rec(f"id_{key}", id=ident)), "read")
    # formats (.json, .tsv, unknown kinds): read properly or refused
    add("json_array", "array.json", json.dumps([_rec("json_array")]), "read")
    add("json_pretty", "pretty.json", json.dumps([_rec("json_pretty")], indent=2), "read")
    add("json_daily", "daily.json", json.dumps([{"paper": {"title": t("json_daily")[0], "summary": "We win."}}]),
        "read")
    add("json_wrapped", "wrapped.json", json.dumps({"papers": [_rec("json_wrapped")]}), "read")
    add("json_scalar", "scalar.json", "42", "skipped", "no list of papers", 1)
    add("json_strings", "strings.json", '["a", "b"]', "skipped", "expected a JSON object", 1)
    add("json_malformed", "malformed.json", '[{"title": "x",\n "abstract": }]', "skipped", "malformed JSON", 2)
    add("json_empty", "empty.json", "", "skipped", "no papers", 1)
    add("json_lines_in_json", "lines.json", _jsonl(_rec("json_lines_in_json"), _rec("json_lines_in_json_2")),
        "read", None, None, t("json_lines_in_json") + t("json_lines_in_json_2"))
    add("json_bom", "bom.json", "\ufeff" + json.dumps([_rec("json_bom")]), "read")
    add("json_surrogate", "surrogate.jsonl", '{"title": "%s \\ud800", "abstract": "We win."}\n'
        % t("json_surrogate")[0], "read", "unpaired surrogate", 1, (t("json_surrogate")[0] + " \ufffd",))
    add("tsv", "papers.tsv", f"title\tabstract\n{t('tsv')[0]}\tWe propose FooNet.\n", "read")
    add("tsv_no_header", "noheader.tsv", "A Title\tAn abstract here.\n", "skipped", "header has no", 1)
    add("tsv_quotes", "quotes.tsv", f'title\tabstract\n{t("tsv_quotes")[0]}\tWe say "hi" > you.\n', "read")
    add("csv_header_only", "header.csv", "title,abstract\n", "skipped", "no papers", 1)
    add("csv_unbalanced_quote", "quote.csv", f'title,abstract\n{t("csv_unbalanced_quote")[0]},We win.\n"x,y\n',
        "read", "", 3)
    add("csv_nul_late", "nul.csv", f"title,abstract\n{t('csv_nul_late')[0]},We win.\n" + "\n" * 3_000
        + "c,\x00d\n", "read", "NUL", 3_003)
    add("listing_of_jsonl", "jsonl.txt", _jsonl(_rec("x"), _rec("y")), "skipped", "looks like JSON", 1)
    add("listing_of_json", "json.txt", json.dumps([_rec("x")], indent=2), "skipped", "looks like JSON", 1)
    add("listing_of_tsv", "tsv.txt", "title\tabstract\nA Title\tThe abstract text.\n", "skipped", "", 1)
    add("unknown_xml", "papers.xml", "<papers><paper>x</paper></papers>\n", "skipped", "", 1)
    add("pdf", "paper.pdf", b"%PDF-1.4\n\x00\x01\x02binary", "skipped", "binary", 1)
    add("gzip_not_gzip", "fake.jsonl.gz", "not gzip", "skipped", "gzip", 1)
    add("gzip_truncated", "cut.jsonl.gz", gzip.compress(_jsonl(_rec("x")).encode() * 50)[:40], "skipped", "gzip", 1)
    # encodings and characters
    add("empty", "empty.txt", "", "skipped", "no papers", 1)
    add("bom_only", "bom_only.jsonl", "\ufeff", "skipped", "no papers", 1)
    add("whitespace_only", "blank.txt", " \n\t\n\n", "skipped", "no papers", 1)
    add("nul_start", "nul.txt", b"\x00\x00FooNet\n\nabstract\n", "skipped", "NUL", 1)
    add("nul_line", "nul_line.jsonl", _jsonl(_rec("nul_line", "We win. " * 200)) + '{"title": "x\x00"}\n', "read",
        "NUL", 2)
    add("utf16", "utf16.jsonl", _jsonl(_rec("x")).encode("utf-16"), "skipped", "UTF-16", 1)
    add("latin1_line", "latin1.txt", f"Caf\xe9 Nets\n\nWe drink coffee. It helps. A lot of it.\n\n{t('latin1_line')[0]}\n\nWe propose FooNet.\n"
        .encode("latin-1"), "read", "invalid UTF-8", 1)
    add("bom_jsonl", "bom.jsonl", "\ufeff" + _jsonl(_rec("bom_jsonl")), "read")
    add("bom_csv", "bom.csv", f"\ufefftitle,abstract\n{t('bom_csv')[0]},We win.\n", "read")
    add("crlf_listing", "crlf.txt", f"{t('crlf_listing')[0]}\r\n\r\nWe propose FooNet.\r\n", "read")
    add("crlf_jsonl", "crlf.jsonl", _jsonl(_rec("crlf_jsonl")).replace("\n", "\r\n"), "read")
    add("crlf_csv", "crlf.csv", f"title,abstract\r\n{t('crlf_csv')[0]},We win.\r\n", "read")
    add("cr_only_listing", "cr.txt", f"{t('cr_only_listing')[0]}\r\rWe propose FooNet.\r", "read")
    add("title_whitespace", "ws_title.jsonl", _jsonl({"title": " \t\u00a0\u2003 ", "abstract": "We win."}),
        "skipped", "no title", 1)
    add("title_zero_width", "zw_title.jsonl", _jsonl({"title": "\u200b\u200b", "abstract": "We win."}), "skipped",
        "no letter", 1)
    add("title_punctuation", "punct_title.jsonl", _jsonl({"title": "[", "abstract": "{"}), "skipped", "no letter", 1)
    add("title_esc", "esc.jsonl", _jsonl({"title": f"\x1b[31m{t('title_esc')[0]}\x1b[0m", "abstract": "We\x07 win."}),
        "read", "control characters", 1, (f"[31m{t('title_esc')[0]} [0m",))
    add("title_c1", "c1.jsonl", _jsonl({"title": f"{t('title_c1')[0]}\x85\x9b", "abstract": "We win."}), "read",
        "control characters", 1, (t("title_c1")[0],))
    add("title_esc_listing", "esc.txt", f"\x1b]0;pwned\x07{t('title_esc_listing')[0]}\n\n{'We propose FooNet. ' * 4}\n",
        "read", "control characters", 1, (f"]0;pwned {t('title_esc_listing')[0]}",))
    add("script_title", "script.jsonl", _jsonl({"title": f'<script>alert("x")</script> {t("script_title")[0]}',
                                               "abstract": 'We propose <b>FooNet</b> "quoted" > \\ & </script>.'}),
        "read", None, None, (f'<script>alert("x")</script> {t("script_title")[0]}',))
    add("turtle_quotes", "quotes.jsonl", _jsonl({"title": f'{t("turtle_quotes")[0]} """ \'\'\' \\" .',
                                                "abstract": 'A """triple""" quote\n> ; .'}), "read", None, None,
        (f'{t("turtle_quotes")[0]} """ \'\'\' \\" .',))
    add("venue_markup", "venue.jsonl", _jsonl(_rec("venue_markup", venue="<i>\x1bNeurIPS</i>", authors=["A\x00", {"x": 1}],
                                                  date="2020-13-45")), "read")
    add("authors_100000", "authors.jsonl", _jsonl(_rec("authors_100000", authors=["A B"] * 100_000)), "read")
    add("keys_10000", "keys.jsonl", _jsonl({**_rec("keys_10000"), **{f"k{i}": i for i in range(10_000)}}), "read",
        "ignored", 1)
    add("not_object_lines", "scalars.jsonl", "[]\nnull\n\"s\"\n1\n", "skipped", "expected a JSON object", 1)
    add("rtl_title", "rtl.jsonl", _jsonl({"title": f"{t('rtl_title')[0]} \u202eteN", "abstract": "We win."}), "read",
        None, None, (f"{t('rtl_title')[0]} \u202eteN",))
    add("emoji", "emoji.jsonl", _jsonl({"title": f"{t('emoji')[0]} \U0001F600", "abstract": "We 🚀 win."}), "read",
        None, None, (f"{t('emoji')[0]} \U0001F600",))
    # texts that made a rule or the tokenizer quadratic: read, extracted in well under a second
    stress = {
        "parens_20000": "(" * 20_000 + "x" + ")" * 20_000,
        "brackets_20000": "[" * 20_000 + "x" + "]" * 20_000,
        "braces_20000": "{" * 20_000 + "x" + "}" * 20_000,
        "open_parens_20000": "(" * 20_000,
        "spaced_parens_20000": "( " * 20_000 + ") " * 20_000,
        "names_5000": "We propose " + ", ".join(f"Foo{i}Net" for i in range(5_000)) + ".",
        "names_5000_sentences": " ".join(f"We propose Foo{i}Net." for i in range(5_000)),
        "known_names_5000": "We build on " + ", ".join(["BERT", "ResNet", "GPT-2", "ViT"] * 1_250) + ".",
        "datasets_5000": "We evaluate on " + ", ".join(f"Data{i}Set" for i in range(5_000)) + ".",
        "metrics_5000": "FooNet achieves " + ", ".join(f"{i % 90}.5% accuracy on ImageNet" for i in range(3_000)) + ".",
        "repos_5000": " ".join(f"github.com/a/r{i}" for i in range(5_000)),
        "abbreviations_3000": " ".join(f"Foo Bar Net{i} (FBN{i})." for i in range(3_000)),
        "based_on_3000": " ".join(f"FooNet is built on Bar{i}Net." for i in range(3_000)),
        "long_word_90000": "x" * 90_000,
        "hyphens_20000": "-".join(["Net"] * 20_000),
        "dots_50000": "." * 50_000,
        "digits_20000": "1.5 " * 20_000,
        "caps_20000": " ".join(["ABC"] * 20_000),
    }
    for key, text in stress.items():
        add(key, f"stress_{key}.jsonl", _jsonl(_rec(key, text)), "read")
    return specs


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _entries() -> list[tuple]:
    """(name, maker(folder) → entry, outcome, warning, line, in_folder) of the cases that are folder entries."""
    def loop(d: Path) -> Path:
        (d / "loop_b").symlink_to(d / "loop_a")
        (d / "loop_a").symlink_to(d / "loop_b")
        return d / "loop_a"

    def self_loop(d: Path) -> Path:
        (d / "self_link").symlink_to(d / "self_link")
        return d / "self_link"

    def dangling(d: Path) -> Path:
        (d / "dangling").symlink_to(d / "no-such-file")
        return d / "dangling"

    def subfolder(d: Path) -> Path:
        (d / "subfolder").mkdir()
        (d / "subfolder" / "inner.jsonl").write_text(_jsonl(_rec("inner")))
        return d / "subfolder"

    def dir_loop(d: Path) -> Path:
        (d / "parent_link").symlink_to(d)
        return d / "parent_link"

    def zero_link(d: Path) -> Path:
        (d / "zero").symlink_to("/dev/zero")
        return d / "zero"

    def bad_name(d: Path) -> Path:
        path = Path(os.fsdecode(os.fsencode(d) + b"/bad-\xff\xfe-name.jsonl"))
        path.write_text(_jsonl(_rec("bad_name")))
        return path

    def good_link(d: Path) -> Path:
        target = d.parent / f"{d.name}-target.jsonl"
        target.write_text(_jsonl(_rec("link_to_file")))
        (d / "link_to_file.jsonl").symlink_to(target)
        return d / "link_to_file.jsonl"

    return [("fifo_in_folder", lambda d: _fifo(d / "fifo.jsonl"), "skipped", "not a regular file", None),
            ("symlink_loop", loop, "skipped", "link loop: Too many levels", None),
            ("symlink_self", self_loop, "skipped", "link loop: Too many levels", None),
            ("symlink_dangling", dangling, "skipped", "broken link", None),
            ("subfolder", subfolder, "skipped", "a folder, skipped", None),
            ("folder_link_loop", dir_loop, "skipped", "a folder, skipped", None),
            ("dev_zero_link", zero_link, "skipped", "not a regular file", None),
            ("bad_utf8_name", bad_name, "skipped", "file name is not valid UTF-8", None),
            ("link_to_file", good_link, "read", None, None)]


def write_cases(folder: Path, only: set[str] | None = None) -> list[Case]:
    """Write every case (or those named in ``only``) into ``folder``, flat; return them in order.

    Cases given as inputs themselves, not inside a folder (``/dev/zero``, a
    FIFO given as input) come last; their ``path`` is outside ``folder``
    except for the FIFO, which is written beside it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    cases = []
    for name, file, content, outcome, warning, line, titles in _specs():
        if only is not None and name not in only:
            continue
        path = folder / file
        data = content() if callable(content) else content
        data = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
        path.write_bytes(data)
        cases.append(Case(name, path, outcome, warning, line, titles))
    for name, maker, outcome, warning, line in _entries():
        if only is not None and name not in only:
            continue
        titles = _title(name) if outcome == "read" else ()
        cases.append(Case(name, maker(folder), outcome, warning, line, titles, in_folder=True))
    if only is None or "fifo_input" in only:
        cases.append(Case("fifo_input", _fifo(folder.parent / f"{folder.name}-fifo.txt"), "skipped",
                          "not a regular file"))
    if only is None or "dev_zero" in only:
        cases.append(Case("dev_zero", Path("/dev/zero"), "skipped", "not a regular file"))
    return cases


def names() -> list[str]:
    """Every case's name, in :func:`write_cases` order, without writing anything."""
    return [s[0] for s in _specs()] + [e[0] for e in _entries()] + ["fifo_input", "dev_zero"]


def maker(name: str) -> Callable[[Path], Path]:
    """The function that makes the folder-entry case ``name`` inside a folder."""
    return next(m for n, m, *_ in _entries() if n == name)
