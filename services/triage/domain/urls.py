"""Evidence links reduced to one canonical form, so that duplicate detection compares posts,
not spellings of their addresses: the same post pasted from the app, the mobile site or a
share button compares equal, and tracking parameters fall away.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Final, Literal
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

# Sub-domains that serve the same content as the bare domain (mobile, basic and web skins).
_SKIN_PREFIXES: Final = ("www.", "m.", "mobile.", "mbasic.", "web.")
_HOST_ALIASES: Final = MappingProxyType(
    {
        "twitter.com": "x.com",
        "fxtwitter.com": "x.com",
        "vxtwitter.com": "x.com",
        "fixupx.com": "x.com",
        "fixvx.com": "x.com",
        "fb.com": "facebook.com",
        "instagr.am": "instagram.com",
        "youtube-nocookie.com": "youtube.com",
    }
)
# Facebook wraps outbound links in a redirect that carries the real target in ``u``.
_REDIRECT_HOSTS: Final = frozenset({"l.facebook.com", "lm.facebook.com", "l.instagram.com"})
# On these platforms the path identifies the content and only these parameters add to it;
# everything else in their query strings is sharing and tracking noise.
_PLATFORM_PARAMS: Final = MappingProxyType(
    {
        "x.com": frozenset({"q"}),
        "facebook.com": frozenset({"story_fbid", "id", "fbid", "v"}),
        "instagram.com": frozenset(),
        "tiktok.com": frozenset(),
        "vt.tiktok.com": frozenset(),
        "vm.tiktok.com": frozenset(),
        "youtube.com": frozenset({"v", "list"}),
    }
)
# Elsewhere parameters are kept unless they are known trackers.
# fmt: off
_TRACKING_PARAMS: Final = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
        "igshid", "igsh", "si", "ref", "ref_src", "ref_url", "referrer", "mibextid", "_rdr",
        "rdid", "share_url", "sfnsn", "mc_cid", "mc_eid", "_ga", "_gl", "wtsid", "cmpid",
        "spm", "feature", "s_cid", "_hsenc", "_hsmi", "oly_enc_id", "oly_anon_id",
    }
)
# fmt: on
_TRACKING_PREFIXES: Final = ("utm_", "_nc_", "__")
# Characters left as they are when percent-encoding is normalised (RFC 3986 sub-delims etc.).
_PATH_SAFE: Final = "/:@!$&'()*+,;=~-._"
_HOST_SHAPE = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+")
# A link pasted without its scheme ("x.com/akun/status/1", "www.detik.com/...").
_BARE_LINK = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?:[/?#]|$)")
_X_STATUS = re.compile(r"/(?:i/web|i|[^/]+)/status(?:es)?/(\d+)(?:/.*)?")
_IG_MEDIA = re.compile(r"(?:/[^/]+)?/(?:p|reel|reels|tv)/([^/]+)(?:/.*)?")
_YT_VIDEO_PATH = re.compile(r"/(?:shorts|embed|live|v)/([^/]+)(?:/.*)?")

UrlKind = Literal["content", "account", "site"]


def _strip_skins(host: str) -> str:
    stripped = True
    while stripped:
        stripped = False
        for prefix in _SKIN_PREFIXES:
            rest = host.removeprefix(prefix)
            # "web.id" and "m.id" are registrable domains themselves: keep two labels at least.
            if rest != host and "." in rest:
                host, stripped = rest, True
    return host


def _platform_rules(
    host: str, path: str, query: list[tuple[str, str]]
) -> tuple[str, str, list[tuple[str, str]]]:
    """Rewrite the different addresses of one post on a known platform to a single one."""
    if host == "youtu.be":
        video = path.strip("/").split("/")[0]
        return "youtube.com", "/watch", [("v", video)] if video else []
    if host == "youtube.com":
        if m := _YT_VIDEO_PATH.fullmatch(path):
            return host, "/watch", [("v", m[1])]
        if path == "/watch":
            query = [(k, v) for k, v in query if k == "v"]
    elif host == "x.com":
        if m := _X_STATUS.fullmatch(path):
            # The status id alone identifies a post; the handle in front of it can change.
            return host, f"/i/status/{m[1]}", []
        path = path.lower()  # handles are case-insensitive
    elif host == "tiktok.com":
        path = path.lower()  # handles are case-insensitive, video ids are digits
    elif host == "instagram.com":
        if m := _IG_MEDIA.fullmatch(path):
            return host, f"/p/{m[1]}", []
        path = path.lower()
    elif host == "facebook.com" and path == "/story.php":
        path = "/permalink.php"
    allowed = _PLATFORM_PARAMS.get(host)
    if allowed is not None:
        query = [(k, v) for k, v in query if k in allowed]
    return host, path, query


def _is_tracking(name: str) -> bool:
    return name.lower() in _TRACKING_PARAMS or name.lower().startswith(_TRACKING_PREFIXES)


def canonical_url(url: str) -> str | None:
    """One canonical https form of a web link, or None when it is not an http(s) link.

    Lower-case scheme and host, no ``www.``/``m.``/``web.`` skins, one host per platform
    (``twitter.com`` → ``x.com``, ``youtu.be/ID`` → ``youtube.com/watch?v=ID``...), no
    tracking parameters, sorted query, no fragment and no trailing slash.
    """
    text = url.strip()
    if "://" not in text:
        if text.startswith("//"):
            text = "https:" + text
        elif _BARE_LINK.match(text):
            text = "https://" + text
        else:
            return None
    try:
        parts = urlsplit(text)
        port = parts.port
        host = (parts.hostname or "").rstrip(".").encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return None
    if parts.scheme.lower() not in ("http", "https") or not _HOST_SHAPE.fullmatch(host):
        return None

    query = parse_qsl(parts.query, keep_blank_values=True)
    if host in _REDIRECT_HOSTS:
        target = dict(query).get("u")
        return canonical_url(target) if target else None

    host = _strip_skins(host)
    host = _HOST_ALIASES.get(host, host)
    path = quote(unquote(parts.path), safe=_PATH_SAFE)
    query = [(k, v) for k, v in query if not _is_tracking(k)]
    host, path, query = _platform_rules(host, path, query)
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    return urlunsplit(("https", netloc, path.rstrip("/"), urlencode(sorted(query)), ""))


def url_kind(canonical: str) -> UrlKind:
    """Whether a canonical URL points at one piece of content, at an account, or at a site.

    Two reports linking the same post are the same report; two reports linking the same
    profile are about the same person; a shared home page says nothing.
    """
    parts = urlsplit(canonical)
    host, path, query = parts.hostname or "", parts.path, parts.query
    if not path and not query:
        return "site"
    if host == "x.com":
        return "content" if path.startswith("/i/status/") else "account"
    if host == "facebook.com":
        content = ("/permalink.php", "/photo", "/watch", "/share/", "/reel/", "/story")
        inner = ("/posts/", "/videos/", "/photos/", "/permalink/", "/reel/")
        if path.startswith(content) or any(s in path for s in inner):
            return "content"
        return "account"
    if host == "instagram.com":
        return "content" if path.startswith(("/p/", "/stories/")) else "account"
    if host == "tiktok.com":
        return "content" if ("/video/" in path or "/photo/" in path) else "account"
    if host == "youtube.com":
        return "content" if path == "/watch" else "account"
    return "content"


# Links inside a description count as evidence too; reporters often paste them there.
_URL_IN_TEXT = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+"
    r"|\b(?:x|twitter|facebook|fb|instagram|tiktok|vt\.tiktok|vm\.tiktok|youtube)\.com/[^\s<>\"']+"
    r"|\b(?:youtu\.be|fb\.watch)/[^\s<>\"']+",
    re.IGNORECASE,
)


def urls_in_text(text: str) -> list[str]:
    """The links written inside free text, without the punctuation that ends a sentence."""
    return [m.group(0).rstrip(".,;:!?)]}'\"") for m in _URL_IN_TEXT.finditer(text)]


def blank_urls(text: str) -> str:
    """``text`` with each link written in it replaced by a space (links are compared as
    links, not as words)."""
    return _URL_IN_TEXT.sub(" ", text)
