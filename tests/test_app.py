"""The real app, called through gradio_client: sizes, errors, concurrency."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image

from app_server import running_app
from conftest import EXAMPLES

gradio_client = pytest.importorskip("gradio_client")


@pytest.fixture(scope="module")
def app_url():
    with running_app() as (url, proc):
        yield url, proc


@pytest.fixture(scope="module")
def client(app_url):
    return gradio_client.Client(app_url[0], verbose=False)


def call(client, **kwargs):
    kwargs.setdefault("image", gradio_client.handle_file(str(EXAMPLES / "chelsea.png")))
    return client.predict(api_name="/upscale", **kwargs)


def test_scale_2_5_gives_exact_size(client):
    pair, path, status = call(client, mode="Scale", scale=2.5)
    assert Image.open(path).size == (1128, 750)  # 451x300 * 2.5 = 1127.5 -> 1128
    assert len(pair) == 2 and "1128×750" in status


def test_exact_width_height(client):
    _, path, status = call(client, mode="Width × height", width=640, height=360, out_format="JPEG")
    im = Image.open(path)
    assert im.size == (640, 360) and im.format == "JPEG"


def test_preset_long_side(client):
    _, path, _ = call(client, mode="Preset", preset="1080p")
    assert Image.open(path).size == (1920, round(300 * 1920 / 451))


def test_bad_request_is_an_error_and_server_survives(client, app_url, tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_text("not an image")
    with pytest.raises(Exception) as err:
        call(client, image=gradio_client.handle_file(str(bad)), mode="Scale", scale=2)
    assert "image" in str(err.value).lower()
    with pytest.raises(Exception) as err:
        call(client, mode="Width × height", width=100000, height=100000)
    assert "MP" in str(err.value)
    assert app_url[1].poll() is None
    _, path, _ = call(client, mode="Scale", scale=1.5)  # still serving
    assert Image.open(path).size == (676, 450)


def test_four_concurrent_clients(app_url):
    def one(i):
        c = gradio_client.Client(app_url[0], verbose=False)
        w = 300 + 20 * i
        _, path, _ = call(c, mode="Width", width=w)
        return Image.open(path).size, (w, round(300 * w / 451))

    with ThreadPoolExecutor(4) as ex:
        for got, want in ex.map(one, range(4)):
            assert got == want


def test_share_offline_warns_and_keeps_serving():
    """--share without internet: a clear warning, and the local server keeps working."""
    import time
    import urllib.request
    with running_app("--share") as (url, proc):
        deadline = time.time() + 120
        text = ""
        while time.time() < deadline:
            text = proc.log_path.read_text()
            if "could not create a public share link" in text or "public URL" in text:
                break
            time.sleep(1)
        assert "could not create a public share link" in text or "public URL" in text
        assert "Traceback" not in text
        assert urllib.request.urlopen(url, timeout=10).status == 200
        assert proc.poll() is None
