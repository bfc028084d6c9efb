"""The browser test's JupyterLab server (tests/browser_harness.py) serves only whoever holds its token:
while the suite runs, another local user cannot start a kernel (run code) on this machine through it."""

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from browser_harness import Lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    server = Lab(tmp_path_factory.mktemp("lab"))
    server.root.mkdir(exist_ok=True)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def status(request):
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


@pytest.mark.parametrize("method, path", [("GET", "/api/kernels"), ("POST", "/api/kernels"), ("GET", "/api/status")])
def test_the_server_refuses_requests_without_its_token(lab, method, path):
    """Issue 25.7: it ran with an empty token and XSRF off, and answered these with 200 and 201."""
    request = urllib.request.Request(f"{lab.url}{path}", method=method, data=b"{}" if method == "POST" else None)
    assert status(request) == 403
    wrong = urllib.request.Request(f"{lab.url}{path}", method=method, headers={"Authorization": "token wrong"},
                                   data=b"{}" if method == "POST" else None)
    assert status(wrong) == 403


def test_the_harness_itself_gets_in_and_a_cookie_post_without_xsrf_is_refused(lab):
    assert len(lab.token) >= 32 and lab._api("GET", "/api/kernels") == []
    kernel = urllib.request.Request(f"{lab.url}/api/kernels", method="POST", data=b"{}",
                                    headers={"Authorization": f"token {lab.token}"})
    with urllib.request.urlopen(kernel, timeout=60) as r:
        assert r.status == 201
    lab.shutdown_kernels()  # DELETE with the token: no XSRF cookie needed
    assert lab._api("GET", "/api/kernels") == []
    # a page logged in by the token (a browser's cookie) may not POST without the XSRF token
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    opener.open(f"{lab.url}/lab?token={lab.token}", timeout=60).read()
    with pytest.raises(urllib.error.HTTPError) as e:
        opener.open(urllib.request.Request(f"{lab.url}/api/kernels", method="POST", data=b"{}"), timeout=60)
    assert e.value.code == 403


def test_the_token_is_not_on_the_servers_command_line(lab):
    """Any local user can read a command line (ps, /proc/PID/cmdline); the token goes by the environment."""
    cmdline = Path(f"/proc/{lab.proc.pid}/cmdline")
    if not cmdline.exists():
        pytest.skip("no /proc on this system")
    assert b"jupyterlab" in cmdline.read_bytes() and lab.token.encode() not in cmdline.read_bytes()
