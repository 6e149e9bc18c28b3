"""HTML to PDF with WeasyPrint, fetching nothing but this app's own files and given photos.

WeasyPrint's default fetcher reads `file://`, follows redirects and embeds `<link
rel="attachment">` files. Ours answers only two kinds of address under a private base URL:
files in `static/`, and photos handed over by the caller (already in memory). Everything else
is refused and recorded, so a test can prove nothing else was asked for.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from pathlib import Path

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

#: A base URL no request can ever reach: `.invalid` is reserved and never resolves.
BASE_URL = "https://listening-post.invalid/"
STATIC = BASE_URL + "static/"
PHOTOS = BASE_URL + "photos/"
STATIC_FOLDER = Path(__file__).resolve().parent.parent / "static"


class OwnFilesOnly(URLFetcher):
    def __init__(self, photos: Mapping[str, bytes] | None = None) -> None:
        super().__init__(allowed_protocols=(), allow_redirects=False)
        self.photos = dict(photos or {})
        self.fetched: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        body, kind = self._find(url)
        if body is None:
            self.refused.append(url)
            raise ValueError(f"not one of this app's files: {url[:200]}")
        self.fetched.append(url)
        return URLFetcherResponse(url, body, {"Content-Type": kind})

    def _find(self, url: str) -> tuple[bytes | None, str]:
        if url.startswith(PHOTOS):
            return self.photos.get(url.removeprefix(PHOTOS)), "image/jpeg"
        if url.startswith(STATIC) and "?" not in url and "#" not in url:
            path = (STATIC_FOLDER / url.removeprefix(STATIC)).resolve()
            if path.is_relative_to(STATIC_FOLDER) and path.is_file():
                return path.read_bytes(), mimetypes.guess_type(path.name)[0] or "text/plain"
        return None, ""


def render_pdf(html: str, fetcher: OwnFilesOnly | None = None) -> tuple[bytes, int]:
    """The PDF and its number of pages; a tagged PDF (PDF/UA) with the fonts embedded."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher or OwnFilesOnly()).render()
    return document.write_pdf(pdf_variant="pdf/ua-1"), len(document.pages)
