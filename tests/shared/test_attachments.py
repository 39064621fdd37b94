"""Attachments: every bad file of issue 19 refused with its reason and nothing stored; photos leave their
EXIF/XMP behind; files and rows stay consistent on the local store (the S3 store: test_attachments_s3.py)."""
import io
import socketserver
import struct
import threading
import zlib
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from PIL import ExifTags, Image, ImageOps
from pypdf import PdfWriter
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session

from lianxin.attachments.errors import AttachmentRefused, ScannerUnavailable
from lianxin.attachments.inspection import DEFAULT_LIMITS, Limits, inspect, rendition
from lianxin.attachments.keeping import Upload, check_count, keep, missing, referenced, sweep
from lianxin.attachments.models import AttachmentRow
from lianxin.attachments.renditions import Renditions
from lianxin.attachments.scanner import Clamd
from lianxin.attachments.serving import file_response, refusal_response
from lianxin.attachments.storage import LocalStore
from tests.support.photos import ROTATED_RIGHT, handmade_pdf, pdf, photo


def png_header_only(width: int, height: int) -> bytes:
    """A PNG claiming width x height pixels: a decompression bomb's header (what is read before decoding)."""
    def chunk(kind, body):
        return struct.pack("!I", len(body)) + kind + body + struct.pack("!I", zlib.crc32(kind + body))
    ihdr = struct.pack("!IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


def refusal(data: bytes, name="photo.jpg", limits=DEFAULT_LIMITS) -> AttachmentRefused:
    with pytest.raises(AttachmentRefused) as refused:
        inspect(data, name, "media", limits)
    assert refused.value.field == "media"
    return refused.value


# ---- what a photo becomes


def test_a_phone_photo_loses_its_gps_device_and_xmp_and_stands_the_way_it_was_taken():
    sent = photo(xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>30,15N</exif:GPSLatitude></x:xmpmeta>')
    assert Image.open(io.BytesIO(sent)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test photo has them

    seen = inspect(sent, "路面.jpg", "media")
    assert seen.web is None and seen.thumbnail is None  # a JPEG's copies are made when first asked for
    web, thumbnail = rendition(seen.clean.data, "web"), rendition(seen.clean.data, "thumbnail")

    for copy in (seen.clean, web, thumbnail):
        read_back = Image.open(io.BytesIO(copy.data))
        assert read_back.format == "JPEG" and copy.media_type == "image/jpeg"
        assert set(read_back.getexif()) <= {ExifTags.Base.Orientation}  # the orientation alone may stay
        assert read_back.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
        assert "xmp" not in read_back.info
        assert b"GPSLatitude" not in copy.data and b"Phone" not in copy.data
        shown = ImageOps.exif_transpose(read_back)  # as a browser shows it
        assert shown.height > shown.width
    assert dict(Image.open(io.BytesIO(seen.clean.data)).getexif()) == {ExifTags.Base.Orientation: ROTATED_RIGHT}
    assert Image.open(io.BytesIO(web.data)).getexif() == {}  # the renditions were turned in their pixels
    assert (seen.kind, seen.name, seen.width, seen.height) == ("photo", "路面.jpg", 200, 400)


def test_a_jpeg_is_served_as_compressed_without_its_other_segments_or_what_follows_it():
    sent = photo(size=(640, 480), exif=False, quality=90, icc_profile=b"\0" * 128, comment=b"owner: Wang Fang")
    seen = inspect(sent + b"TRAILING-SECRET", "p.jpg", "media")
    assert b"Wang Fang" not in seen.clean.data and b"TRAILING-SECRET" not in seen.clean.data
    kept = Image.open(io.BytesIO(seen.clean.data))
    assert "icc_profile" not in kept.info and "comment" not in kept.info and kept.getexif() == {}
    # not re-encoded: the very same pixels as sent
    assert kept.tobytes() == Image.open(io.BytesIO(sent)).tobytes() and len(seen.clean.data) < len(sent)


@pytest.mark.parametrize("mode, save", [("RGB", {"progressive": True}), ("CMYK", {}), ("L", {}),
                                        ("RGB", {"restart_marker_blocks": 4}), ("RGB", {"subsampling": 0})])
def test_every_kind_of_jpeg_keeps_its_pixels_and_gets_its_copies(mode, save):
    """Progressive scans (tables between them), Adobe CMYK, grey, restart markers, full-resolution colour."""
    scene = Image.frombytes("RGB", (64, 48), bytes(range(256)) * 36).resize((640, 480)).convert(mode)
    out = io.BytesIO()
    scene.save(out, "JPEG", **save)
    seen = inspect(out.getvalue(), "a.jpg", "media")
    assert Image.open(io.BytesIO(seen.clean.data)).tobytes() == Image.open(out).tobytes()
    thumbnail = Image.open(io.BytesIO(rendition(seen.clean.data, "thumbnail").data))
    assert (thumbnail.size, thumbnail.mode) == ((320, 240), "RGB")


def test_a_large_jpegs_copies_are_decoded_at_a_reduced_scale():
    seen = inspect(photo(size=(4000, 3000), exif=False), "big.jpg", "media")
    assert Image.open(io.BytesIO(rendition(seen.clean.data, "web").data)).size == (1000, 750)  # the largest within
    assert Image.open(io.BytesIO(rendition(seen.clean.data, "thumbnail").data)).size == (320, 240)
    assert (seen.width, seen.height) == (4000, 3000)


def test_a_jpegs_copies_are_made_once_when_first_asked_for_and_a_photo_that_cannot_be_decoded_is_its_own(tmp_path):
    files, made = LocalStore(tmp_path / "files"), LocalStore(tmp_path / "renditions")
    copies = Renditions(files, made, DEFAULT_LIMITS)
    digest = keep(Upload(photo(size=(900, 600), exif=False), "a.jpg"), files).hash
    thumbnail = copies.get(digest, "thumbnail")
    assert Image.open(io.BytesIO(thumbnail)).size == (320, 213) and len(list(made.files())) == 1
    assert copies.get(digest, "thumbnail") == thumbnail and len(list(made.files())) == 1  # read back, not made
    assert len(list(files.files())) == 1  # the service's own store holds the photo alone: check/sweep see no copy

    undecodable = files.put(b"\xff\xd8\xff\xd9")  # (libjpeg draws a damaged scan as it can: only this fails)
    assert copies.get(undecodable, "web") == b"\xff\xd8\xff\xd9"


def test_a_jpeg_whose_end_never_comes_is_refused():
    whole = photo(size=(800, 600), exif=False)
    assert refusal(whole[:-2]).code == "damaged"


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "HEIF"])
def test_png_webp_and_heic_photos_are_normalised_to_jpeg_without_metadata(fmt):
    if fmt == "HEIF":
        pytest.importorskip("pillow_heif")
    seen = inspect(photo(fmt), "IMG_0001.heic", "media")
    read_back = Image.open(io.BytesIO(seen.clean.data))
    assert (read_back.format, seen.name) == ("JPEG", "IMG_0001.jpg")
    assert read_back.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}


def test_a_photo_with_transparency_stays_png_and_renditions_fit_their_edges():
    seen = inspect(photo("PNG", size=(3000, 1000), exif=False, mode="RGBA"), "map.png", "media")
    assert seen.clean.media_type == seen.thumbnail.media_type == "image/png"
    assert Image.open(io.BytesIO(seen.thumbnail.data)).size == (320, 107)
    assert Image.open(io.BytesIO(seen.web.data)).size == (1600, 533)
    assert Image.open(io.BytesIO(seen.clean.data)).size == (3000, 1000)


def test_a_plain_pdf_is_kept_as_sent_the_declared_type_and_name_decide_nothing():
    sent = pdf()
    seen = inspect(sent, "签字.jpg", "media")
    assert (seen.kind, seen.name, seen.clean.data, seen.clean.media_type) == (
        "document", "签字.pdf", sent, "application/pdf")
    assert seen.thumbnail is None and seen.web is None


# ---- bad input, each refused with its reason


@pytest.mark.parametrize("data", [b"MZ\x90\x00\x03" + b"\0" * 200, b"\x7fELF\x02\x01\x01" + b"\0" * 200,
                                  b"#!/bin/sh\nrm -rf /\n", b"<svg xmlns='http://www.w3.org/2000/svg'/>",
                                  b"<html><script>alert(1)</script></html>", b"GIF89a" + b"\0" * 50],
                         ids=["exe", "elf", "script", "svg", "html", "gif"])
def test_a_renamed_executable_or_any_other_type_is_refused(data):
    refused = refusal(data, "photo.jpg")
    assert refused.code == "unsupported_type"
    assert "photo.jpg" in refused.text("en") and "JPEG" in refused.text("en")


@pytest.mark.parametrize("catalog", [
    b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
    b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>",  # names spelt with #xx escapes
    b"/AA << /O << /S /Launch /F (calc.exe) >> >>",
    b"/Names << /EmbeddedFiles << /Names [(a.exe) << /Type /Filespec >>] >> >>",
], ids=["javascript", "escaped-javascript", "launch", "embedded-file"])
def test_a_pdf_with_javascript_launch_or_embedded_files_is_refused(catalog):
    assert inspect(handmade_pdf(b""), "ok.pdf", "media").kind == "document"  # the same PDF without them passes
    refused = refusal(handmade_pdf(catalog), "notice.pdf")
    assert refused.code == "active_content" and "notice.pdf" in refused.text("en")


def test_a_pdf_javascript_added_by_a_pdf_library_is_refused():
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_open_action(DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                                             NameObject("/JS"): TextStringObject("app.alert('x');")}))
    out = io.BytesIO()
    writer.write(out)
    assert refusal(out.getvalue(), "a.pdf").code == "active_content"


@pytest.mark.parametrize("payload", [b"<html><body><script>alert(document.cookie)</script></body></html>",
                                     b"<!DOCTYPE html><p>hi", b"<svg onload=alert(1)>", b"<iframe src=//x>"])
def test_a_photo_that_is_also_a_web_page_is_refused(payload):
    assert refusal(photo() + payload).code == "polyglot"
    assert refusal(photo(comment=payload)).code == "polyglot"  # hidden in a JPEG comment


def test_a_decompression_bomb_is_refused_from_its_header_before_decoding():
    bomb = png_header_only(100_000, 100_000)
    refused = refusal(bomb, "bomb.png")
    assert refused.code == "too_many_pixels" and "50000000" in refused.text("en")
    assert refusal(photo(size=(400, 300)), limits=Limits(max_pixels=100_000)).code == "too_many_pixels"


def test_an_empty_file_is_refused():
    assert refusal(b"", "empty.jpg").code == "empty"


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_a_truncated_jpeg_is_refused(cut):
    whole = photo(size=(800, 600), exif=False, quality=95)
    assert refusal(whole[: int(len(whole) * cut)]).code == "damaged"


def test_a_corrupt_pdf_is_refused():
    assert refusal(b"%PDF-1.7\n\x00\x01garbage", "x.pdf").code == "damaged"


@pytest.mark.parametrize("name", ["../../etc/passwd.jpg", "a/b.jpg", "C:\\Windows\\a.jpg", "photo\x00.jpg",
                                  "photo\n.jpg", "photo\r.jpg", "\x1b[31mred.jpg", "gpj.\u202eexe.jpg",
                                  "zero\u200bwidth.jpg"])
def test_a_name_with_a_path_separator_or_a_control_character_is_refused(name):
    refused = refusal(photo(), name)
    assert refused.code == "bad_name" and "name" in refused.text("en")


@pytest.mark.parametrize("name, shown", [("  report photo.JPG ", "report photo.jpg"), ("..", "attachment.jpg"),
                                         (None, "attachment.jpg"), ("x" * 300 + ".png", "x" * 120 + ".jpg")])
def test_an_accepted_name_is_cleaned_for_display(name, shown):
    assert inspect(photo(), name, "media").name == shown


def test_over_the_size_and_count_limits_is_refused_with_the_limit():
    refused = refusal(photo(size=(64, 64)), limits=Limits(max_bytes=100))
    assert refused.code == "too_large" and "100" in refused.text("en")
    check_count(8, 1, Limits(max_files=9))
    with pytest.raises(AttachmentRefused) as too_many:
        check_count(8, 2, Limits(max_files=9))
    assert too_many.value.code == "too_many"


def test_a_refusal_is_told_in_the_persons_language_with_its_status():
    refused = refusal(photo(size=(64, 64)), limits=Limits(max_bytes=100))
    english, chinese = refusal_response(refused, "en"), refusal_response(refused, "zh")
    assert english.status_code == chinese.status_code == 413
    assert english.json["error"]["details"] == [{"field": "media", "problem": english.json["error"]["message"],
                                                 "code": "too_large"}]  # a field problem, as every refusal's
    assert chinese.json["error"]["message"] != english.json["error"]["message"]
    assert "100" in chinese.json["error"]["message"]
    assert refusal_response(refusal(b""), "zh").status_code == 422


# ---- serving


def test_a_file_is_served_with_a_strict_type_no_sniffing_and_nothing_that_runs():
    response = file_response(b"\xff\xd8jpeg", "image/jpeg", "路面 照片.jpg")
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert response.headers["Content-Disposition"].startswith('inline; filename="')
    assert "filename*=UTF-8''%E8%B7%AF%E9%9D%A2%20%E7%85%A7%E7%89%87.jpg" in response.headers["Content-Disposition"]
    assert file_response(b"%PDF", "application/pdf", "a.pdf", inline=False).headers[
        "Content-Disposition"].startswith("attachment;")
    for never in ("text/html", "image/svg+xml", "application/octet-stream"):
        with pytest.raises(ValueError):
            file_response(b"x", never, "x")


# ---- storing: files first, then the row; nothing half-stored


class Base(DeclarativeBase):
    pass


class Attachment(AttachmentRow, Base):
    __tablename__ = "attachments"


@pytest.fixture
def database(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'service.db'}")
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def stored(store: LocalStore) -> set[str]:
    return {digest for digest, _ in store.files()}


def test_a_kept_photo_is_stored_by_hash_and_named_by_its_row(tmp_path, database):
    store = LocalStore(tmp_path / "attachments")
    kept = keep(Upload(photo("PNG"), "road.jpg"), store)
    with Session(database) as session:
        session.add(kept.row(Attachment, "report", 17, by="hotline-op-01"))
        session.commit()
        row = session.scalars(select(Attachment)).one()
        assert row.event_view() == {"id": row.id, "kind": "photo", "size": len(store.get(row.hash)), "hash": row.hash}
        assert stored(store) == {row.hash, row.thumbnail_hash, row.web_hash} == referenced(session, Attachment)
        assert row.original_hash is None  # originals are kept only when the office configures it
        assert missing(store, [row]) == []
    assert keep(Upload(photo("PNG"), "again.jpg"), store).hash == kept.hash  # the same bytes are one file


@pytest.mark.parametrize("bad", [b"", b"MZ\x90\x00", photo()[:300], handmade_pdf(b"/OpenAction << /JS (x) >>"),
                                 photo() + b"<script>x</script>"])
def test_a_refused_upload_leaves_no_file_and_no_row(tmp_path, database, bad):
    store = LocalStore(tmp_path / "attachments")
    with pytest.raises(AttachmentRefused):
        keep(Upload(bad, "x.jpg"), store)
    assert stored(store) == set()
    with Session(database) as session:
        assert session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_files_of_a_transaction_that_failed_are_swept_and_a_lost_file_is_reported(tmp_path, database):
    store = LocalStore(tmp_path / "attachments")
    first = keep(Upload(photo("PNG"), "a.jpg"), store)
    with Session(database) as session:
        session.add(first.row(Attachment, "report", 1))
        session.commit()
        orphan = keep(Upload(photo("PNG", size=(300, 300)), "b.jpg"), store)
        session.add(orphan.row(Attachment, "report", 2))
        session.add(first.row(Attachment, "report", 1))  # the same file twice on one report: the commit fails
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
        named = referenced(session, Attachment)
        assert sweep(store, named) == []  # an upload may still be under way: young files stay
        swept = sweep(store, named, grace=timedelta(0))
        assert set(swept) == {orphan.hash, orphan.thumbnail_hash, orphan.web_hash}
        assert stored(store) == named

        row = session.scalars(select(Attachment)).one()
        store.delete(row.thumbnail_hash)
        assert missing(store, [row]) == [(row.id, "thumbnail_hash", row.thumbnail_hash)]


def test_the_original_is_kept_only_encrypted_and_only_when_configured(tmp_path):
    store, key = LocalStore(tmp_path / "attachments"), Fernet(Fernet.generate_key())
    sent = photo()
    kept = keep(Upload(sent, "a.jpg"), store, cipher=key)
    assert sent not in store.get(kept.original_hash) and b"GPS" not in store.get(kept.original_hash)
    assert key.decrypt(store.get(kept.original_hash)) == sent
    assert keep(Upload(pdf(), "a.pdf"), store, cipher=key).original_hash is None  # a PDF is kept as sent


def test_a_hash_that_is_not_a_hash_never_reaches_the_file_system(tmp_path):
    store = LocalStore(tmp_path / "attachments")
    assert not store.exists("../../secrets.env")
    with pytest.raises(LookupError):
        store.get("../" * 10 + "etc/passwd")


# ---- the virus scanner hook (clamd's INSTREAM)

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class FakeClamd(socketserver.BaseRequestHandler):
    def handle(self):
        command = self.request.recv(10)
        assert command == b"zINSTREAM\0"
        received = b""
        while True:
            size = struct.unpack("!L", self._exactly(4))[0]
            if not size:
                break
            received += self._exactly(size)
        self.server.scanned.append(received)
        found = b"EICAR" in received
        self.request.sendall(b"stream: Eicar-Test-Signature FOUND\0" if found else b"stream: OK\0")

    def _exactly(self, n):
        data = b""
        while len(data) < n:
            data += self.request.recv(n - len(data))
        return data


@pytest.fixture
def clamd():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), FakeClamd)
    server.scanned = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_the_scanner_sees_the_file_as_sent_and_its_finding_refuses_it(tmp_path, clamd):
    store, scanner = LocalStore(tmp_path / "a"), Clamd(f"127.0.0.1:{clamd.server_address[1]}")
    clean = photo(size=(1200, 1200), quality=95)
    keep(Upload(clean, "a.jpg"), store, scanner=scanner)
    assert clamd.scanned == [clean]
    with pytest.raises(AttachmentRefused) as infected:
        keep(Upload(pdf(b"\n%" + EICAR), "virus.pdf"), LocalStore(tmp_path / "b"), scanner=scanner)
    assert infected.value.code == "infected" and "Eicar-Test-Signature" in infected.value.text("en")
    assert stored(LocalStore(tmp_path / "b")) == set()


def test_a_scanner_switched_on_but_not_answering_takes_nothing(tmp_path):
    with pytest.raises(ScannerUnavailable) as unavailable:
        keep(Upload(photo(), "a.jpg"), LocalStore(tmp_path), scanner=Clamd("127.0.0.1:1", timeout=2))
    assert refusal_response(unavailable.value, "en").status_code == 503


# ---- `lianxin attachments check|sweep`


def test_the_check_command_names_rows_whose_file_is_missing_and_sweep_deletes_orphans(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from lianxin.cli import main
    monkeypatch.setenv("INTAKE_DATABASE_URL", f"sqlite:///{tmp_path / 'intake.db'}")
    monkeypatch.setenv("LIANXIN_ATTACHMENTS_ROOT", str(tmp_path / "attachments"))
    runner = CliRunner()
    assert "intake keeps no attachments" in runner.invoke(main, ["attachments", "check", "intake"]).output

    engine = create_engine(f"sqlite:///{tmp_path / 'intake.db'}")
    Base.metadata.create_all(engine)
    store = LocalStore(tmp_path / "attachments" / "intake")
    kept = keep(Upload(photo("PNG"), "a.jpg"), store)
    keep(Upload(photo("PNG", size=(400, 400)), "never-named.jpg"), store)
    with Session(engine) as session:
        session.add(kept.row(Attachment, "report", 1))
        session.commit()
    engine.dispose()
    checked = runner.invoke(main, ["attachments", "check", "intake"])
    assert checked.exit_code == 0 and "0 files missing" in checked.output

    store.delete(kept.thumbnail_hash)
    checked = runner.invoke(main, ["attachments", "check", "intake"])
    assert checked.exit_code == 1 and f"thumbnail_hash {kept.thumbnail_hash} is missing" in checked.output
    swept = runner.invoke(main, ["attachments", "sweep", "intake", "--grace-hours", "0"])
    assert "2 files no attachment names deleted" in swept.output  # the never-named photo and its thumbnail
    assert runner.invoke(main, ["attachments", "check", "nowhere"]).exit_code == 2


def test_files_together_over_the_limit_are_refused_before_they_are_read_in_the_persons_language():
    """A body over the files' limit (each file's limit times their count, and the fields) is refused from its
    Content-Length, told like a file too large (413), not in werkzeug's English."""
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    from lianxin.attachments.wiring import FORM_OVERHEAD, fields_and_files

    limits = Limits(max_bytes=1024, max_files=1)
    builder = EnvironBuilder(method="POST", data={"data": "{}", "files": (io.BytesIO(bytes(FORM_OVERHEAD + 2048)),
                                                                         "big.jpg")})
    with pytest.raises(AttachmentRefused) as refused:
        fields_and_files(Request(builder.get_environ()), None, limits)
    assert refused.value.code == "too_large_together" and refused.value.field == "files"
    answer = refusal_response(refused.value, "zh")
    assert answer.status_code == 413 and str(FORM_OVERHEAD + 1024) in answer.json["error"]["message"]
    assert answer.json["error"]["message"] != refusal_response(refused.value, "en").json["error"]["message"]
