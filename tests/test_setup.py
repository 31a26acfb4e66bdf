"""The set-up step (bin/smartbook-setup) on copies of the checkout: a fresh machine's first
run, an interrupted run, and sources it must refuse in one line with exit status 2."""

import http.server
import io
import os
import signal
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

import pytest

from .common import ROOT, query, throwaway_database


def checkout_copy(tmp_path, files=None):
    """A copy of the checkout (``git ls-files``) at ``tmp_path/main``, the shared folder beside it."""
    target = tmp_path / "main"
    if files is None:
        listed = subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        files = [name for name in listed if (ROOT / name).is_file()]
    for name in files:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_bytes((ROOT / name).read_bytes())
        (target / name).chmod((ROOT / name).stat().st_mode)
    (tmp_path / "shared").symlink_to(ROOT.parent / "shared")
    return target


def setup_env(**overrides):
    """The environment of a person with no Odoo on the path and no SMARTBOOK_PYTHON."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SMARTBOOK_", "ODOO_"))}
    env.pop("PYTHONPATH", None)
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(part for part in env.get("PATH", "").split(os.pathsep) if part != venv_bin)
    env.pop("VIRTUAL_ENV", None)
    env.update(overrides)
    return env


def run_setup(checkout, timeout=1200, **env):
    return subprocess.run(
        [str(checkout / "bin" / "smartbook-setup")],
        env=setup_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_refused(result, *fragments):
    assert result.returncode == 2, result.stdout + result.stderr
    reason = result.stderr.strip()
    assert reason.count("\n") == 0 and reason.startswith("smartbook: "), reason
    for fragment in fragments:
        assert fragment in reason, reason


def odoo_tarball(path, major):
    """A small archive shaped like Odoo's source tree, declaring Odoo ``major``.0."""
    release = f"version_info = ({major}, 0, 0, 'final', 0, '')\n".encode()
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo(f"odoo-{major}.0/odoo/release.py")
        info.size = len(release)
        archive.addfile(info, io.BytesIO(release))
    return path


@pytest.fixture
def small_checkout(tmp_path):
    """The set-up step alone: enough of the checkout for it to run and refuse a source."""
    return checkout_copy(tmp_path, ["bin/smartbook-setup", "bin/smartbook_setup.py", "requirements.txt"])


def test_refuses_missing_source(small_checkout):
    result = run_setup(small_checkout, ODOO_SOURCE="/nonexistent/odoo-18.tar.xz")
    assert_refused(result, "ODOO_SOURCE=/nonexistent/odoo-18.tar.xz", "no such folder, archive or URL")
    assert not (small_checkout / ".venv" / "smartbook-setup.json").exists()


def test_refuses_corrupt_archive(small_checkout, tmp_path):
    corrupt = tmp_path / "odoo.tar.xz"
    corrupt.write_bytes(b"\xfd7zXZ\x00" + os.urandom(4096))
    assert_refused(run_setup(small_checkout, ODOO_SOURCE=str(corrupt)), "cannot unpack it")
    assert not (small_checkout / ".venv" / "smartbook-setup.json").exists()
    assert not (small_checkout / ".venv" / "odoo").exists()


def test_refuses_another_major_version(small_checkout, tmp_path):
    archive = odoo_tarball(tmp_path / "odoo-17.tar.gz", 17)
    assert_refused(run_setup(small_checkout, ODOO_SOURCE=str(archive)), "holds Odoo 17.0", "needs Odoo 18.0")
    folder = tmp_path / "odoo17"
    subprocess.run(["tar", "-xzf", str(archive), "-C", str(tmp_path)], check=True)
    (tmp_path / "odoo-17.0").rename(folder)
    assert_refused(run_setup(small_checkout, ODOO_SOURCE=str(folder)), "holds Odoo 17.0")
    assert not (small_checkout / ".venv" / "smartbook-setup.json").exists()


def test_refuses_url_with_another_major_version(small_checkout, tmp_path):
    odoo_tarball(tmp_path / "odoo_17.0.latest.tar.gz", 17)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        assert_refused(run_setup(small_checkout, ODOO_SOURCE=f"{base}/odoo_17.0.latest.tar.gz"), "Odoo 17.0")
        assert_refused(run_setup(small_checkout, ODOO_SOURCE=f"{base}/missing.tar.gz"), "cannot download it")
    finally:
        server.shutdown()


def test_refuses_damaged_shared_archive(tmp_path):
    """The shared folder's archive is verified against the checksum its README gives."""
    checkout = tmp_path / "main"
    (checkout / "bin").mkdir(parents=True)
    for name in ("bin/smartbook-setup", "bin/smartbook_setup.py", "requirements.txt"):
        (checkout / name).write_bytes((ROOT / name).read_bytes())
        (checkout / name).chmod((ROOT / name).stat().st_mode)
    shared = tmp_path / "shared" / "odoo"
    shared.mkdir(parents=True)
    odoo_tarball(shared / "odoo-18.0-20241002-src.tar.xz", 18)
    (shared / "README.md").write_text("- sha256: `" + "0" * 64 + "`\n")
    assert_refused(run_setup(checkout), "checksum mismatch")


@pytest.mark.fresh_setup
def test_fresh_checkout_sets_itself_up(tmp_path):
    """A copy of the checkout with no Odoo anywhere on its path: the set-up step makes .venv
    with Odoo 18.0 from the shared folder; a run killed halfway is redone, not trusted; the
    environment imports Odoo 18.0 and installs smartbook_crm into a database."""
    checkout = checkout_copy(tmp_path)
    stamp = checkout / ".venv" / "smartbook-setup.json"

    # First run, killed while pip installs the requirements.
    process = subprocess.Popen(
        [str(checkout / "bin" / "smartbook-setup")],
        env=setup_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines = []
    for line in process.stdout:
        lines.append(line)
        if "Odoo 18.0 source from the shared folder" in line:
            break
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    assert any("unpacked in" in line for line in lines), "".join(lines)
    assert not stamp.exists()

    # Second run: finds the half-made environment unfinished and completes it.
    second = run_setup(checkout)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Python packages (Odoo's and SmartBook's requirements): done" in second.stdout, second.stdout
    assert stamp.exists()

    # Third run: the stamp says it is done.
    third = run_setup(checkout)
    assert third.returncode == 0, third.stdout + third.stderr
    assert "environment .venv: ready (Python 3.1" in third.stdout, third.stdout
    assert "unpacked" not in third.stdout

    python = checkout / ".venv" / "bin" / "python"
    release = subprocess.run(
        [str(python), "-c", "import odoo, odoo.release as r; print(r.version_info[0], odoo.__file__)"],
        env=setup_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert release[0] == "18"
    assert release[1].startswith(str(checkout / ".venv" / "odoo")), release

    dbname = f"smartbook_setup_{os.getpid()}"
    with throwaway_database(dbname):
        installed = subprocess.run(
            [str(python), "-m", "odoo", f"--addons-path={checkout}", "-d", dbname, "-i", "smartbook_crm"]
            + ["--stop-after-init", "--without-demo=all", "--log-level=warn", f"--data-dir={tmp_path}/data"],
            env=setup_env(TZ="UTC"),
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert installed.returncode == 0, installed.stderr[-4000:]
        states = query(dbname, "SELECT state FROM ir_module_module WHERE name = 'smartbook_crm'")
        assert states == [("installed",)]
