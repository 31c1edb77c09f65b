"""Identity and near-duplicate fingerprints of articles.

* Exact identity: the canonical source URL when there is one, else a hash of the normalised
  text (NFKC, case-folded, punctuation and quotes turned into word breaks, whitespace
  collapsed).
* Near-duplicates: MinHash over word 3-shingles. The signature is cut into LSH bands whose
  keys are stored in SQLite (``lsh_bands``), so a new article is checked against the whole
  history with one indexed query instead of loading every stored article. The band layout
  is fixed, not derived from the threshold setting: stored keys stay comparable when the
  setting changes, and the threshold is applied to the candidates' estimated similarity.

Everything here is pure; ``digest.storage.ingest_writes`` does the lookups.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np

NUM_PERM = 128
SHINGLE = 3
# 42 bands of 3 rows: a pair with similarity s becomes a candidate with probability
# 1 - (1 - s**3) ** 42, i.e. 94% at 0.4, 99.6% at 0.5, ~100% from 0.6 (the lowest threshold
# settings accept is 0.5), while unrelated news (s < 0.05) rarely does (< 0.6%).
BANDS, ROWS = 42, 3
_WORD = re.compile(r"\w+")
# Apostrophes and quotes inside or around words: a copy with them stripped (`Peoples`)
# must shingle like the original (`People's`) so it is found as a near-duplicate.
_QUOTES = re.compile(r"['’‘`´\"“”„«»]")
_TRACKING_PARAMS = re.compile(r"^(utm_\w+|fbclid|gclid|yclid)$", re.IGNORECASE)


def normalise_text(text: str) -> str:
    """NFKC, case-folded, every run of non-word characters a single space."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_WORD.findall(folded))


def text_key(title: str, body: str) -> str:
    return hashlib.sha256(f"{normalise_text(title)}\n{normalise_text(body)}".encode()).hexdigest()


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
    words = _WORD.findall(_QUOTES.sub("", unicodedata.normalize("NFKC", text).casefold()))
    if len(words) < SHINGLE:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + SHINGLE]).encode() for i in range(len(words) - SHINGLE + 1)}


def minhash(text: str) -> np.ndarray:
    # Imported here: datasketch pulls in scipy (about 50 MB), which only the ingest workers
    # need; the process that stores articles compares signatures with numpy alone.
    from datasketch import MinHash

    m = MinHash(num_perm=NUM_PERM)
    m.update_batch(list(shingles(text)))
    signature: np.ndarray = m.hashvalues.astype(np.uint32)  # datasketch has no type hints
    return signature


def band_keys(signature: np.ndarray) -> tuple[str, ...]:
    keys = []
    for b in range(BANDS):
        chunk = signature[b * ROWS : (b + 1) * ROWS].tobytes()
        keys.append(f"{b}:{hashlib.blake2b(chunk, digest_size=8).hexdigest()}")
    return tuple(keys)


def similarity(a: bytes | np.ndarray, b: bytes | np.ndarray) -> float:
    """Estimated Jaccard similarity of two MinHash signatures."""
    va = np.frombuffer(a, dtype=np.uint32) if isinstance(a, bytes) else a
    vb = np.frombuffer(b, dtype=np.uint32) if isinstance(b, bytes) else b
    return float(np.count_nonzero(va == vb)) / len(va)


def quality(body: str, source_url: str | None) -> float:
    """Which copy of a story to keep: one with a URL, then quotes intact, then the longer."""
    quotes = len(_QUOTES.findall(body))
    return (1_000_000_000.0 if source_url else 0.0) + min(quotes, 9_999) * 100_000.0 + len(body)
