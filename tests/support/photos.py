"""Photos and documents as citizens' phones and units' scanners send them, and what must be gone once served."""
import io

from PIL import ExifTags, Image
from pypdf import PdfWriter

GPS = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (30.0, 15.0, 7.5),
       ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (120.0, 9.0, 3.0)}
ROTATED_RIGHT = 6  # EXIF orientation: the camera was turned; shown, the photo is tall


def photo(fmt="JPEG", size=(400, 200), exif=True, mode="RGB", **save) -> bytes:
    """A photo with the EXIF a phone writes (make, model, GPS position, turned camera) unless ``exif=False``."""
    image = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 128))
    if exif:
        tags = Image.Exif()
        tags[ExifTags.Base.Make], tags[ExifTags.Base.Model] = "Phone", "X1"
        tags[ExifTags.Base.Orientation] = ROTATED_RIGHT
        tags[ExifTags.IFD.GPSInfo] = GPS
        save["exif"] = tags
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    return out.getvalue()


def pdf(extra: bytes = b"") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue() + extra


def handmade_pdf(catalog_extra: bytes) -> bytes:
    """A one-page PDF whose catalog carries ``catalog_extra``, written by hand as an attacker would."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    out, offsets = b"%PDF-1.7\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref


def personal_exif_gone(data: bytes) -> bool:
    """Whether a served photo carries at most its orientation (a JPEG is served as compressed, with that one tag
    written back so it stands the way it was taken): never the GPS position, the make or the model."""
    exif = Image.open(io.BytesIO(data)).getexif()
    return (exif.get_ifd(ExifTags.IFD.GPSInfo) == {} and set(exif) <= {ExifTags.Base.Orientation}
            and b"GPS" not in data and b"Phone" not in data)
