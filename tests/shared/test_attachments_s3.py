"""The S3 store against a real S3-compatible HTTP server (moto in server mode), as offices run MinIO or Ceph."""
import io
import ssl
from datetime import timedelta

import pytest
from PIL import Image

from lianxin.attachments.config import AttachmentSettings
from lianxin.attachments.keeping import Upload, keep, sweep
from lianxin.attachments.storage import FileMissing, S3Store

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")


@pytest.fixture(scope="module")
def s3_endpoint():
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def store(s3_endpoint, monkeypatch, request):
    if ssl.SSLContext.__module__.startswith("eventlet"):
        # in this test process a pytest plugin imported ssl before nameko's plugin patched eventlet, so ssl's own
        # setters recurse through the green class when botocore builds its (here unused) TLS context;
        # `lianxin run` patches first and is not affected
        monkeypatch.setattr(ssl, "SSLContext", ssl.SSLContext.__mro__[1])
    for name, value in {"STORE": "s3", "S3_ENDPOINT": s3_endpoint, "S3_BUCKET": "office",
                        "S3_ACCESS_KEY": "test", "S3_SECRET_KEY": "test"}.items():
        monkeypatch.setenv(f"LIANXIN_ATTACHMENTS_{name}", value)
    made = AttachmentSettings().store_of(f"intake-{request.node.name[:20]}")
    made.client.create_bucket(Bucket="office")
    return made


def photo() -> bytes:
    """A PNG: its copies are made as it is kept (a JPEG's when first asked for)."""
    out = io.BytesIO()
    Image.new("RGB", (500, 400), "green").save(out, format="PNG")
    return out.getvalue()


def test_files_go_to_the_bucket_under_the_services_prefix_by_their_hash(store):
    assert isinstance(store, S3Store)
    kept = keep(Upload(photo(), "a.jpg"), store)
    assert store.exists(kept.hash) and Image.open(io.BytesIO(store.get(kept.hash))).size == (500, 400)
    keys = {o["Key"] for o in store.client.list_objects_v2(Bucket="office", Prefix=store.prefix)["Contents"]}
    assert keys == {store.prefix + h for h in (kept.hash, kept.thumbnail_hash, kept.web_hash)}
    assert keep(Upload(photo(), "b.jpg"), store).hash == kept.hash  # the same bytes, the same object


def test_a_missing_object_is_missing_and_orphans_are_swept(store):
    kept = keep(Upload(photo(), "a.jpg"), store)
    assert not store.exists("0" * 64)
    with pytest.raises(FileMissing):
        store.get("0" * 64)
    assert sweep(store, {kept.hash}) == []  # written just now: an upload may be under way
    assert set(sweep(store, {kept.hash}, grace=timedelta(0))) == {kept.thumbnail_hash, kept.web_hash} - {kept.hash}
    assert {h for h, _ in store.files()} == {kept.hash}
