"""Find code-repository URLs in text and normalise them.

The guideline's canonical form is ``https://HOST/OWNER/REPO``: scheme added,
``www.`` dropped, no ``.git``, no ``/tree/…``/``/blob/…`` tail, no trailing
punctuation, owner and repository in their original case.  GitHub, GitLab,
Gitee, Bitbucket and Codeberg are code hosts; project pages
(``*.github.io``), videos and papers are not repositories.

>>> text = r"Code: \\url{github.com/thuml/iTransformer.git}. See https://github.com/a/b/tree/main/src)."
>>> [(m.url, text[m.start:m.end]) for m in find_repositories(text)]
[('https://github.com/thuml/iTransformer', 'github.com/thuml/iTransformer.git'), ('https://github.com/a/b', 'https://github.com/a/b/tree/main/src')]
>>> normalise_repository("HTTPS://WWW.GitHub.com/Owner/Repo/")
'https://github.com/Owner/Repo'
"""
from __future__ import annotations

import re
from dataclasses import dataclass

HOSTS = ("github.com", "gitlab.com", "gitee.com", "bitbucket.org", "codeberg.org")

_URL = re.compile(
    r"(?:https?://)?(?:www\.)?(?P<host>" + "|".join(re.escape(h) for h in HOSTS) + r")"
    r"/(?P<owner>[A-Za-z0-9][A-Za-z0-9_.-]*)/(?P<repo>[A-Za-z0-9_.-]+)(?P<tail>/[^\s}\])>\"'<]*)?",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}'\"*"
_RESERVED_OWNERS = {"orgs", "topics", "features", "about", "settings", "marketplace", "sponsors"}


@dataclass(frozen=True)
class RepoMatch:
    """A repository URL found at ``text[start:end]``, normalised to ``url``."""

    start: int
    end: int
    url: str


def _clean_repo(repo: str) -> str:
    repo = repo.rstrip(_TRAILING)
    if repo.lower().endswith(".git"):
        repo = repo[:-4]
    return repo.rstrip(_TRAILING)


def normalise_repository(url: str) -> str | None:
    """The canonical ``https://host/owner/repo`` form, or ``None`` if not a repository."""
    m = _URL.search(url.strip())
    if not m:
        return None
    owner, repo = m.group("owner"), _clean_repo(m.group("repo"))
    if not repo or owner.lower() in _RESERVED_OWNERS:
        return None
    return f"https://{m.group('host').lower()}/{owner}/{repo}"


def find_repositories(text: str) -> list[RepoMatch]:
    """Every repository URL in ``text`` with the offsets of the URL as written.

    The span excludes trailing punctuation and LaTeX braces so it slices the
    URL exactly as the author wrote it.
    """
    lowered = text.lower()
    if not any(host.split(".")[0] in lowered for host in HOSTS):
        return []  # the common case, decided without the regular expression
    found = []
    for m in _URL.finditer(text):
        if m.start() > 0 and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "./"):
            continue  # part of a longer host such as foo.github.com or user.github.io
        url = normalise_repository(m.group(0))
        if url is None:
            continue
        end = m.end()
        while end > m.start() and text[end - 1] in _TRAILING:
            end -= 1
        found.append(RepoMatch(m.start(), end, url))
    return found
