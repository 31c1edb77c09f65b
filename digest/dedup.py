"""Identity and near-duplicate fingerprints of articles.

* Exact identity: the canonical source URL when there is one, else a hash of the normalised
  text (NFKC, case-folded, punctuation and quotes turned into word breaks, whitespace
  collapsed).
* Near-duplicates: MinHash over word 3-shingles. The signature is cut into LSH bands whose
  keys are stored in SQLite (``lsh_bands``, the new ones first in ``lsh_bands_recent``), so
  a new article is checked against the whole history with one indexed query instead of
  loading every stored article. The band layout
  is fixed, not derived from the threshold setting: stored keys stay comparable when the
  setting changes, and the threshold is applied to the candidates' estimated similarity.

Everything here is pure; ``digest.storage.ingest_writes`` does the lookups.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from operator import methodcaller
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np

from digest.ascii_twin import WORD_CHARS, WordRuns

NUM_PERM = 128
SHINGLE = 3
# 42 bands of 3 rows: a pair with similarity s becomes a candidate with probability
# 1 - (1 - s**3) ** 42, i.e. 94% at 0.4, 99.6% at 0.5, ~100% from 0.6 (the lowest threshold
# settings accept is 0.5), while unrelated news (s < 0.05) rarely does (< 0.6%).
BANDS, ROWS = 42, 3
_WORD = WordRuns(r"\w+", WORD_CHARS)
# Apostrophes and quotes inside or around words: a copy with them stripped (`Peoples`)
# must shingle like the original (`People's`) so it is found as a near-duplicate.
_QUOTE_CHARS = "'’‘`´\"“”„«»"
_QUOTES = re.compile(f"[{re.escape(_QUOTE_CHARS)}]")
_ASCII_QUOTE_CHARS = "".join(c for c in _QUOTE_CHARS if c.isascii())
_TRACKING_PARAMS = re.compile(r"^(utm_\w+|fbclid|gclid|yclid)$", re.IGNORECASE)


def normalise_text(text: str) -> str:
    """NFKC, case-folded, every run of non-word characters a single space."""
    if text.isascii():  # NFKC keeps ASCII as it is, and casefold is lower there
        return b" ".join(_ascii_words(text)).decode()
    return " ".join(_WORD.findall(_fold(text)))


def text_key(title: str, body: str) -> str:
    return _text_key(normalise_text(title), normalise_text(body))


def _text_key(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


# Every ASCII byte that is not a word character becomes a space; `_ascii_words` deletes the
# quote characters first (as `shingles` does), so `People's` is one word, `peoples`.
_NOT_WORD = bytes(c if (chr(c).isalnum() and c < 128) or c == ord("_") else 32 for c in range(256))
_ASCII_QUOTES = "".join(c for c in _QUOTE_CHARS if c.isascii()).encode()


def _ascii_words(text: str, quotes: bytes = b"") -> list[bytes]:
    """`_WORD.findall(text.casefold())` of an ASCII text (less `quotes`), as UTF-8 bytes."""
    return text.lower().encode().translate(_NOT_WORD, quotes).split()


def canonical_url(url: str | None) -> str | None:
    """Scheme and host lower-cased, `www.` and fragments dropped, tracking parameters removed.

    ``?lang=`` is kept: gov.kz serves translations under it, and a translation is a different
    text, not a duplicate.
    """
    if not url:
        return None
    parts = urlsplit(url.strip())
    if not parts.scheme or not parts.netloc:
        return None
    host = parts.netloc.lower().removeprefix("www.")
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _TRACKING_PARAMS.match(k)
    )
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https" if parts.scheme in ("http", "https") else parts.scheme,
                       host, path, urlencode(query), ""))


def shingles(text: str) -> set[bytes]:
    if text.isascii():
        # The same words as below: NFKC keeps ASCII, casefold is lower, and only the ASCII
        # quote characters can occur; already UTF-8, so each word is encoded once for free.
        return _shingles(_ascii_words(text, _ASCII_QUOTES))
    return _shingles(_quoteless_words(_fold(text)))


def _quoteless_words(folded: str) -> list[bytes]:
    """The words of an NFKC, case-folded text less its quote characters, as UTF-8."""
    return list(map(str.encode, _WORD.findall(_QUOTES.sub("", folded))))


def _shingles(encoded: list[bytes]) -> set[bytes]:
    if len(encoded) < SHINGLE:
        return {b" ".join(encoded)} if encoded else set()
    # The runs of SHINGLE words; the shorter tails end the zip.
    # Words encoded once and the runs joined as bytes (UTF-8 of a joined text is the joined
    # UTF-8 of its parts), by map() over C functions: no Python step per shingle.
    runs = zip(*(encoded[i:] for i in range(SHINGLE)), strict=False)
    return set(map(b" ".join, runs))


def minhash(text: str) -> np.ndarray:
    """The MinHash signature of the text's shingles: NUM_PERM unsigned 32-bit values.

    The scheme is datasketch 2.0's default ("affine32", seed 1), written out here so that
    stored signatures never change with a library release (datasketch 1.x had another
    scheme) and in numpy alone: each shingle's SHA-1 prefix, mixed by MurmurHash3's
    finaliser, goes through NUM_PERM affine maps modulo 2**32, and each map keeps its
    minimum. No shingles: every value is the maximum.
    """
    return _signature(shingles(text))


def fingerprints(title: str, body: str) -> tuple[np.ndarray, str]:
    """`minhash(f"{title}\\n{body}")` and `text_key(title, body)`, each text folded once.

    NFKC and case folding work character by character and a line break is a boundary of
    both (it composes with nothing), so the folded whole is the folded parts joined by it.
    """
    if title.isascii() and body.isascii():
        return minhash(f"{title}\n{body}"), text_key(title, body)
    folded_title, folded_body = _fold(title), _fold(body)
    key = _text_key(" ".join(_WORD.findall(folded_title)), " ".join(_WORD.findall(folded_body)))
    return _signature(_shingles(_quoteless_words(f"{folded_title}\n{folded_body}"))), key


def _signature(items: set[bytes]) -> np.ndarray:
    if not items:
        return np.full(NUM_PERM, _MAX_HASH, dtype=np.uint32)
    # Whole digests joined by map() over C functions (no Python step per shingle); each
    # is 5 little-endian words, of which the first is the 4-byte prefix.
    digests = b"".join(map(_DIGEST, map(_sha1, items)))
    hashed = np.frombuffer(digests, dtype="<u4").reshape(-1, 5)[:, :1].astype(np.uint32)
    # MurmurHash3's fmix32; uint32 arithmetic wraps, which is the intended modulo 2**32.
    hashed ^= hashed >> np.uint32(16)
    hashed *= np.uint32(0x85EBCA6B)
    hashed ^= hashed >> np.uint32(13)
    hashed *= np.uint32(0xC2B2AE35)
    hashed ^= hashed >> np.uint32(16)
    return np.asarray((hashed * _PERM_A + _PERM_B).min(axis=0), dtype=np.uint32)


def _permutations(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The affine maps h -> a*h + b (mod 2**32), `a` odd so each is a bijection; numpy's
    RandomState is frozen (NEP 19), so the same seed gives the same maps forever."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


_MAX_HASH = np.uint32(0xFFFFFFFF)
_DIGEST = methodcaller("digest")
try:
    # CPython's own SHA-1 (the same digests): for a shingle of a few dozen bytes OpenSSL's
    # per-hash context set-up and cleansing cost more than the hash, 5,000 instructions
    # a call against 3,000 (measured with cachegrind: a sixth of the MinHash stage).
    from _sha1 import sha1 as _sha1
except ImportError:  # a Python built without its own hashes: OpenSSL's
    _sha1 = hashlib.sha1
_PERM_A, _PERM_B = _permutations()


def band_keys(signature: np.ndarray) -> tuple[str, ...]:
    # The bands' bytes sliced from the signature's bytes (C order): one conversion, where a
    # numpy slice and its own conversion per band cost more than the band's hash.
    raw, size = signature.tobytes(), ROWS * signature.itemsize
    return tuple(
        f"{b}:{hashlib.blake2b(raw[b * size : (b + 1) * size], digest_size=8).hexdigest()}"
        for b in range(BANDS)
    )


def similarity(a: bytes | np.ndarray, b: bytes | np.ndarray) -> float:
    """Estimated Jaccard similarity of two MinHash signatures."""
    va = np.frombuffer(a, dtype=np.uint32) if isinstance(a, bytes) else a
    vb = np.frombuffer(b, dtype=np.uint32) if isinstance(b, bytes) else b
    return float(np.count_nonzero(va == vb)) / len(va)


def quality(body: str, source_url: str | None) -> float:
    """Which copy of a story to keep: one with a URL, then quotes intact, then the longer."""
    # One count per quote character: a C scan each, where findall built a list of matches.
    quotes = sum(map(body.count, _ASCII_QUOTE_CHARS if body.isascii() else _QUOTE_CHARS))
    return (1_000_000_000.0 if source_url else 0.0) + min(quotes, 9_999) * 100_000.0 + len(body)
