"""What an uploaded file really is, decided from its content alone, and the safe copies kept of it.

A JPEG (what cameras and phones send) is served as it was compressed, with every segment but the picture's
own left behind (jpeg.py: EXIF with the GPS position and the device, XMP, comments, appended data) and only
its orientation written back, no pixel decoded; its web rendition and thumbnail are made when first asked for
(``rendition``, renditions.py), decoded at the JPEG's reduced scales. Other images (PNG, WebP, HEIC) are
decoded in full and re-encoded from their pixels, the camera's orientation applied first. A photo carrying a
web page is refused. PDFs are kept as sent, so they are refused when they carry anything that acts when opened.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from . import jpeg
from .errors import refused
from .names import display_name

try:  # HEIC needs libheif; without it HEIC is refused with its own reason
    from pillow_heif import register_heif_opener
    register_heif_opener()
    HEIC = True
except ImportError:  # pragma: no cover - pillow-heif ships wheels for the office's platforms
    HEIC = False

PHOTO_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
CAMERA_FORMATS = ("JPEG", "MPO")  # MPO: a JPEG followed by more pictures (depth, preview), opened as JPEG
ORIENTATIONS = range(1, 9)
TURNED = (5, 6, 7, 8)  # EXIF orientations that swap width and height
JPEG_SCALES = (1, 2, 4, 8)  # the reduced sizes libjpeg decodes to directly
# the first bytes of a HEIC/HEIF file (an ISO BMFF "ftyp" box with a HEIF brand)
HEIF_BRANDS = re.compile(rb"^....ftyp(heic|heix|hevc|hevx|heim|heis|mif1|msf1)", re.DOTALL)
# markup a browser would run if it ever took the file for a page: a photo carrying it is built to be two things.
# Only markers of five bytes or more, so a photo's compressed data matches one by chance almost never.
# Searched in the lowered bytes (an IGNORECASE search of a 3 MB photo costs five times as long, holding the GIL),
# by one regex led by a literal "<" and "javascript:" found apart: one pattern for both scanned six times slower.
WEB_PAGE_TAG = re.compile(rb"<(?:script|html|!doctype|iframe|object|embed|svg[\s>]|body|meta[\s>])")
# PDF names that run something or carry other files; pypdf reads #xx escapes in names, the raw scan below
# catches them in objects pypdf could not reach
ACTIVE_PDF_NAMES = ("/JS", "/JavaScript", "/OpenAction", "/AA", "/Launch", "/EmbeddedFile", "/EmbeddedFiles",
                    "/RichMedia", "/XFA", "/SubmitForm", "/ImportData", "/GoToE")
ACTIVE_PDF_RAW = re.compile(rb"/(JS|JavaScript|OpenAction|AA|Launch|EmbeddedFiles?|RichMedia|XFA|SubmitForm|"
                            rb"ImportData|GoToE)(?![A-Za-z0-9#])")


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 10 * 1024 * 1024
    max_files: int = 9
    max_pixels: int = 50_000_000
    thumbnail_edge: int = 320
    web_edge: int = 1600
    jpeg_quality: int = 85


DEFAULT_LIMITS = Limits()

@dataclass(frozen=True)
class Rendition:
    data: bytes
    media_type: str


@dataclass(frozen=True)
class Inspected:
    """A file that passed: ``clean`` is what is served. PNG, WebP and HEIC photos also have their thumbnail and web
    rendition; a JPEG's are made when first asked for (``rendition``)."""
    kind: str  # "photo" | "document"
    name: str
    clean: Rendition
    thumbnail: Rendition | None
    web: Rendition | None
    width: int | None = None
    height: int | None = None


def inspect(data: bytes, declared_name: str | None, field: str, limits: Limits = DEFAULT_LIMITS) -> Inspected:
    """Decide what ``data`` is and make its safe copies; raises AttachmentRefused with the reason.

    The declared media type is not consulted: only the bytes decide.
    """
    shown = declared_name or "attachment"
    display_name(declared_name, "bin", field)  # the name is refused before any work on the content
    if not data:
        raise refused("empty", field, name=shown)
    if len(data) > limits.max_bytes:
        raise refused("too_large", field, name=shown, size=len(data), limit=limits.max_bytes)
    if data.startswith(b"%PDF-"):
        return _document(data, declared_name, shown, field)
    if HEIF_BRANDS.match(data) and not HEIC:
        raise refused("heic_unsupported", field, name=shown)
    return _photo(data, declared_name, shown, field, limits)


def _photo(data: bytes, declared_name: str | None, shown: str, field: str, limits: Limits) -> Inspected:
    width, height, fmt, orientation = _header(data, shown, field, limits)
    if _carries_web_page_code(data):
        raise refused("polyglot", field, name=shown)
    if fmt in CAMERA_FORMATS:
        return _camera_photo(data, declared_name, shown, field, limits, orientation, (width, height))
    image = _decoded(data, shown, field)
    clean = _without_metadata(ImageOps.exif_transpose(image))
    keep_alpha = clean.mode == "RGBA"
    web = _smaller(clean, limits.web_edge)
    return Inspected(
        kind="photo", name=display_name(declared_name, "png" if keep_alpha else "jpg", field),
        clean=_encoded(clean, limits, keep_alpha),
        thumbnail=_encoded(_smaller(web, limits.thumbnail_edge), limits, keep_alpha),  # from the web copy: cheaper
        web=_encoded(web, limits, keep_alpha),
        width=clean.width, height=clean.height)


def _header(data: bytes, shown: str, field: str, limits: Limits) -> tuple[int, int, str, int]:
    """Width, height, format and EXIF orientation, read before a single pixel is decoded."""
    bomb = refused("too_many_pixels", field, name=shown, limit=limits.max_pixels)
    try:
        with Image.open(io.BytesIO(data), formats=PHOTO_FORMATS) as probe:
            (width, height), fmt = probe.size, probe.format
            orientation = probe.getexif().get(ExifTags.Base.Orientation) if fmt in CAMERA_FORMATS else None
    except UnidentifiedImageError:
        raise refused("unsupported_type", field, name=shown) from None
    except Image.DecompressionBombError:  # Pillow's own check, at twice its MAX_IMAGE_PIXELS
        raise bomb from None
    except (OSError, SyntaxError, ValueError):
        raise refused("damaged", field, name=shown) from None
    if width * height > limits.max_pixels:
        raise bomb
    return width, height, fmt, orientation if orientation in ORIENTATIONS else 1


def _carries_web_page_code(data: bytes) -> bool:
    lowered = data.lower()
    return WEB_PAGE_TAG.search(lowered) is not None or b"javascript:" in lowered


def _camera_photo(data: bytes, declared_name: str | None, shown: str, field: str, limits: Limits,
                  orientation: int, size: tuple[int, int]) -> Inspected:
    """A JPEG: served as it was compressed, its segments stripped (jpeg.py), no pixel decoded. Its thumbnail and
    web rendition are made when first asked for (``rendition``): a peak of reports costs no decoding."""
    try:
        clean = jpeg.without_metadata(data, orientation)
    except jpeg.NotAPicture:
        raise refused("damaged", field, name=shown) from None
    width, height = reversed(size) if orientation in TURNED else size  # as the photo stands
    return Inspected(kind="photo", name=display_name(declared_name, "jpg", field), clean=Rendition(clean, "image/jpeg"),
                     thumbnail=None, web=None, width=width, height=height)


def rendition(clean: bytes, which: str, limits: Limits = DEFAULT_LIMITS) -> Rendition:
    """The ``thumbnail`` or ``web`` copy of a kept JPEG, decoded at the JPEG's own 1/2, 1/4 or 1/8 scale (libjpeg
    skips most of the work): the web copy at the largest scale within its edge (between half of it and all of
    it, no resampling), the thumbnail from the smallest scale still covering its edge. Turned as the camera
    was; no metadata. AttachmentRefused ("damaged") if the picture cannot be decoded."""
    edge = limits.web_edge if which == "web" else limits.thumbnail_edge
    image = _decoded(clean, "photo", "file", within=edge, covering=which != "web")
    return _encoded(_without_metadata(ImageOps.exif_transpose(_smaller(image, edge))), limits, False)


def _decoded(data: bytes, shown: str, field: str, within: int | None = None, covering: bool = False) -> Image.Image:
    """The image decoded: verify() checks the structure, load() every pixel (a truncated file fails). A JPEG
    decoded ``within`` an edge comes at the largest of its 1/1, 1/2, 1/4, 1/8 scales fitting it (or 1/8), or
    ``covering`` it, at the smallest scale still as large as the edge."""
    try:
        with Image.open(io.BytesIO(data), formats=PHOTO_FORMATS) as checked:
            checked.verify()
        image = Image.open(io.BytesIO(data), formats=PHOTO_FORMATS)
        if within and covering:
            image.draft(image.mode, _fitted(image.size, within))
        elif within:
            scale = next((s for s in JPEG_SCALES if -(-max(image.size) // s) <= within), JPEG_SCALES[-1])
            image.draft(image.mode, (image.width // scale, image.height // scale))
        image.load()
        return image
    except (OSError, SyntaxError, ValueError, EOFError, ZeroDivisionError, Image.DecompressionBombError):
        raise refused("damaged", field, name=shown) from None


def _fitted(size: tuple[int, int], edge: int) -> tuple[int, int]:
    """``size`` scaled to fit ``edge`` pixels a side."""
    scale = edge / max(size)
    return max(1, int(size[0] * scale)), max(1, int(size[1] * scale))


def _without_metadata(image: Image.Image) -> Image.Image:
    """Only the pixels: a new image owns no EXIF, XMP, ICC or text chunks of the original."""
    mode = "RGBA" if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info else "RGB"
    pixels = image.convert(mode)
    bare = Image.new(mode, pixels.size)
    bare.paste(pixels)
    return bare


def _smaller(image: Image.Image, edge: int) -> Image.Image:
    """The image within ``edge`` pixels a side (itself when it already is)."""
    if max(image.size) <= edge:
        return image
    smaller = image.copy()
    smaller.thumbnail((edge, edge))
    return smaller


def _encoded(image: Image.Image, limits: Limits, keep_alpha: bool) -> Rendition:
    out = io.BytesIO()
    if keep_alpha:
        image.save(out, format="PNG", optimize=False)
        return Rendition(out.getvalue(), "image/png")
    image.save(out, format="JPEG", quality=limits.jpeg_quality)
    return Rendition(out.getvalue(), "image/jpeg")


def _document(data: bytes, declared_name: str | None, shown: str, field: str) -> Inspected:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if match := ACTIVE_PDF_RAW.search(data):
        raise refused("active_content", field, name=shown, what=match.group(0).decode())
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise refused("encrypted", field, name=shown)
        found = _active_names(reader)
        if not len(reader.pages):
            raise refused("damaged", field, name=shown)
    except (PdfReadError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise refused("damaged", field, name=shown) from None
    if found:
        raise refused("active_content", field, name=shown, what=found)
    return Inspected(kind="document", name=display_name(declared_name, "pdf", field),
                     clean=Rendition(data, "application/pdf"), thumbnail=None, web=None)


def _active_names(reader) -> str | None:
    """The first active name anywhere in the document's objects, as pypdf decodes them."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    seen: set[tuple[int, int]] = set()
    pending = [reader.trailer]
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            for key in item:
                if key in ACTIVE_PDF_NAMES:
                    return str(key)
            pending.extend(item.values())
        elif isinstance(item, ArrayObject):
            pending.extend(item)
        elif isinstance(item, NameObject) and item in ACTIVE_PDF_NAMES:  # /S /JavaScript, /Type /EmbeddedFile
            return str(item)
    return None
