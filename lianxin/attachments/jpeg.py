"""A JPEG kept as its camera compressed it, minus everything but the picture: no pixel is decoded or re-encoded.

A JPEG is a chain of marker segments around its compressed scans. The segments a decoder needs to draw the
picture are copied (frame, Huffman and quantisation tables, restart interval, Adobe's colour transform flag)
with the scans; every other one is left behind — APP1 (EXIF with the GPS position and the device, XMP), APP0
(JFIF, which may carry a thumbnail of the uncropped photo), ICC profiles, IPTC, maker notes, comments — and so
is whatever follows the end of the picture (an MPO's second image, appended data). The camera's orientation is
written back as a fresh EXIF block holding that one tag, so the photo still stands the way it was taken
(browsers turn it by that tag) without the cost and the loss of re-encoding it.
"""
from __future__ import annotations

import re

from PIL import ExifTags, Image

SOI, EOI, SOS = 0xD8, 0xD9, 0xDA
# the segments a decoder needs: SOF0..SOF15 (0xC4 DHT and 0xCC DAC among them, 0xC8 is reserved), DQT, DNL, DRI
NEEDED = frozenset(range(0xC0, 0xD0)) - {0xC8} | {0xDB, 0xDC, 0xDD}
ADOBE = 0xEE  # APP14 "Adobe": whether the three channels are YCbCr or RGB (CMYK photos need it too)
ADOBE_LENGTH = 14  # its fixed size; a longer one could carry anything
STANDALONE = frozenset(range(0xD0, 0xD8)) | {0x01}  # RSTn and TEM have no length
# the end of a compressed scan: 0xFF then neither a stuffed zero, nor a restart marker, nor a fill byte
SCAN_END = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
UPRIGHT = 1


class NotAPicture(ValueError):
    """The bytes are not a complete JPEG: a segment runs past the end, or the end of the picture never comes."""


def without_metadata(data: bytes, orientation: int = UPRIGHT) -> bytes:
    """The JPEG's picture alone (with only ``orientation`` when the camera was turned); NotAPicture if cut short."""
    if not data.startswith(b"\xff\xd8"):
        raise NotAPicture("no start of image")
    kept = [b"\xff\xd8"]
    if orientation != UPRIGHT:
        kept.append(_orientation_only(orientation))
    position = 2
    try:
        while True:
            marker, position = _next_marker(data, position)
            if marker == EOI:
                kept.append(b"\xff\xd9")
                return b"".join(kept)
            if marker in STANDALONE:
                continue
            length = int.from_bytes(data[position:position + 2], "big")
            end = position + length
            if length < 2 or end > len(data):
                raise NotAPicture(f"segment 0x{marker:02X} runs past the end")
            if marker in NEEDED or marker == SOS or (marker == ADOBE and length == ADOBE_LENGTH):
                kept.append(bytes((0xFF, marker)) + data[position:end])
            position = end
            if marker == SOS:
                scan_end = SCAN_END.search(data, position)
                if scan_end is None:
                    raise NotAPicture("the scan never ends")
                kept.append(data[position:scan_end.start()])
                position = scan_end.start()
    except IndexError:
        raise NotAPicture("cut short") from None


def _next_marker(data: bytes, position: int) -> tuple[int, int]:
    """The marker at ``position`` (after any 0xFF fill bytes) and where its segment's length begins."""
    if data[position] != 0xFF:
        raise NotAPicture(f"no marker at byte {position}")
    while data[position] == 0xFF:
        position += 1
    return data[position], position + 1


def _orientation_only(orientation: int) -> bytes:
    """An APP1 segment whose EXIF holds the orientation tag and nothing else."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    payload = exif.tobytes()  # begins "Exif\0\0"
    return b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
