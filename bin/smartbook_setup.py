"""SmartBook's set-up step: a checkout becomes runnable with no other step.

Run through ``bin/smartbook-setup`` (any Python 3.8+, standard library only). It prepares,
printing one line per step with its time:

1. a virtual environment ``.venv/`` in the checkout on a Python that Odoo 18.0 supports
   (3.12, else 3.11, else 3.10: each candidate is started before it is chosen);
2. the Odoo 18.0 source, unpacked under ``.venv/odoo/`` and put on the environment's path
   with a ``.pth`` file, from ``ODOO_SOURCE`` (a folder, a ``.tar.xz``/``.tar.gz`` archive or
   a URL), else the archive in the shared folder beside the checkout (its checksum verified
   against the README there), else Odoo's official 18.0 nightly archive
   (``SMARTBOOK_ODOO_URL`` overrides the address);
3. the Debian packages that building Odoo's requirements needs, when missing (as root or
   through ``sudo``), then Odoo's ``requirements.txt``, ``setuptools<70`` and SmartBook's
   ``requirements.txt`` (pip's output goes to ``.venv/setup.log``);
4. PostgreSQL: the server libpq reaches (``PG*`` variables or the local socket); when none
   answers, the local cluster is started, or Debian's ``postgresql`` installed, and a
   superuser role made for the current user;
5. with ``--browser``, Chromium for the browser tests.

A stamp (``.venv/smartbook-setup.json``) is written last, so an interrupted run is redone
the next time, never mistaken for a finished one. ``SMARTBOOK_PYTHON`` still wins: when it
names a Python, no environment is made and only that Python's Odoo is checked.

A failure prints one line, ``smartbook: <reason>``, on standard error and exits with 2.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

STAMP_VERSION = 1
SUPPORTED_PYTHONS = ("3.12", "3.11", "3.10")
ODOO_NIGHTLY_URL = "https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz"
SHARED_ARCHIVE_NAME = "odoo-18.0-20241002-src.tar.xz"
BUILD_PACKAGES = {
    # Debian package: how to tell it is there without dpkg (None: ask dpkg)
    "libldap2-dev": None,
    "libsasl2-dev": None,
    "libpq-dev": None,
    "gcc": "gcc",
}
# Modules SmartBook's requirements provide, checked in a Python the user brings.
SMARTBOOK_MODULES = (
    *("phonenumbers", "telegram", "openpyxl", "xlsxwriter"),
    *("pytest", "pytest_odoo", "websocket"),
)
LOCAL_PGHOSTS = ("", "localhost", "127.0.0.1", "::1", "/var/run/postgresql", "/run/postgresql")


class SetupError(Exception):
    """A reason to stop, said in one line."""


def say(message):
    print(f"smartbook: {message}", flush=True)


class Step:
    """Prints ``smartbook: <what>: <outcome> in N s`` when the step ends."""

    def __init__(self, what):
        self.what = what
        self.outcome = "done"
        self.started = time.monotonic()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            say(f"{self.what}: {self.outcome} in {time.monotonic() - self.started:.0f} s")
        return False


def run(command, log=None, check=True, **kwargs):
    """Run a command; with ``log``, its output is appended to that file."""
    if log is not None:
        with open(log, "a", encoding="utf-8") as stream:
            stream.write(f"\n$ {' '.join(map(str, command))}\n")
            stream.flush()
            result = subprocess.run(command, stdout=stream, stderr=subprocess.STDOUT, check=False, **kwargs)
    else:
        result = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)
    if check and result.returncode != 0:
        raise subprocess.CalledProcessError(result.returncode, command, getattr(result, "stdout", None))
    return result


def python_version(executable):
    """``"3.12"`` when ``executable`` starts and can make a virtual environment, else None."""
    try:
        result = subprocess.run(
            [executable, "-c", "import sys, venv, ensurepip, ssl; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    version = result.stdout.strip()
    return version if result.returncode == 0 and re.fullmatch(r"\d+\.\d+", version) else None


def python_candidates(version):
    """Where a Python ``version`` may live: PATH (possibly a pyenv shim), pyenv, the system."""
    name = f"python{version}"
    found = shutil.which(name)
    if found:
        yield found
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    yield from sorted(map(str, pyenv_root.glob(f"versions/{version}.*/bin/{name}")), reverse=True)
    yield from (f"/usr/bin/{name}", f"/usr/local/bin/{name}")


def choose_python():
    for version in SUPPORTED_PYTHONS:
        for candidate in python_candidates(version):
            if Path(candidate).exists() and python_version(candidate) == version:
                return candidate, version
    raise SetupError(
        "no Python 3.10, 3.11 or 3.12 that starts was found (Odoo 18.0 needs one: "
        "apt-get install python3 python3-venv python3-dev on Debian 12, or set SMARTBOOK_PYTHON)"
    )


# --- the Odoo source -------------------------------------------------------------------


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def shared_archive(root):
    """The shared folder's archive and the checksum its README gives, or (None, None)."""
    folder = root.parent / "shared" / "odoo"
    archive = folder / SHARED_ARCHIVE_NAME
    if not archive.is_file():
        return None, None
    readme = folder / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    match = re.search(r"sha256:\s*`?([0-9a-f]{64})", text)
    return archive, match.group(1) if match else None


def source_origin(root):
    """Where the Odoo source comes from: (kind, location, expected sha256, label)."""
    given = os.environ.get("ODOO_SOURCE", "").strip()
    given_checksum = os.environ.get("ODOO_SOURCE_SHA256")
    if given:
        label = f"ODOO_SOURCE={given}"
        if re.match(r"^(https?|file)://", given):
            return "url", given, given_checksum, label
        path = Path(given).expanduser()
        if path.is_dir():
            return "folder", str(path.resolve()), None, label
        if path.is_file():
            return "archive", str(path.resolve()), given_checksum, label
        raise SetupError(f"{label}: no such folder, archive or URL")
    archive, checksum = shared_archive(root)
    if archive is not None:
        return "archive", str(archive), checksum, f"the shared folder ({archive.name})"
    url = os.environ.get("SMARTBOOK_ODOO_URL", ODOO_NIGHTLY_URL)
    return "url", url, given_checksum, f"Odoo's nightly archive ({url})"


def origin_key(kind, location):
    """What identifies a source cheaply for the stamp (an archive by size and time, not by hashing)."""
    if kind == "archive":
        stat = os.stat(location)
        return f"archive:{location}:{stat.st_size}:{int(stat.st_mtime)}"
    return f"{kind}:{location}"


def odoo_major_version(tree):
    """The major version ``odoo/release.py`` in ``tree`` declares, or None."""
    release = Path(tree) / "odoo" / "release.py"
    if not release.is_file():
        return None
    match = re.search(r"^version_info\s*=\s*\(\s*(?:saas~)?(\d+)", release.read_text(encoding="utf-8"), re.M)
    return int(match.group(1)) if match else None


def find_source_tree(folder):
    """The folder holding ``odoo/release.py``: the folder itself or one level below."""
    folder = Path(folder)
    if (folder / "odoo" / "release.py").is_file():
        return folder
    for child in sorted(folder.iterdir()):
        if (child / "odoo" / "release.py").is_file():
            return child
    return None


def download(url, target, label):
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(target, "wb") as stream:
            shutil.copyfileobj(response, stream, 1 << 20)
    except (OSError, ValueError) as error:
        raise SetupError(f"{label}: cannot download it ({error})") from None


def unpack_odoo(kind, location, checksum, label, venv):
    """Unpack (or link) the Odoo 18.0 source under ``venv``; return the source tree."""
    target = venv / "odoo"
    if kind == "folder":
        tree = find_source_tree(location)
        if tree is None:
            raise SetupError(f"{label}: no Odoo source there (no odoo/release.py)")
        check_major(tree, label)
        shutil.rmtree(target, ignore_errors=True)
        return tree
    work = Path(tempfile.mkdtemp(prefix="odoo-", dir=venv))
    try:
        if kind == "url":
            archive = work / "odoo-source.tar"
            download(location, archive, label)
        else:
            archive = Path(location)
        if checksum and sha256_of(archive) != checksum.lower():
            raise SetupError(f"{label}: checksum mismatch (expected sha256 {checksum}): a damaged archive")
        unpacked = work / "unpacked"
        unpacked.mkdir()
        result = run(["tar", "-xf", str(archive), "-C", str(unpacked)], check=False)
        if result.returncode != 0:
            reason = (result.stderr.strip().splitlines() or ["tar failed"])[-1]
            raise SetupError(f"{label}: cannot unpack it ({reason})")
        tree = find_source_tree(unpacked)
        if tree is None:
            raise SetupError(f"{label}: the archive holds no Odoo source (no odoo/release.py)")
        check_major(tree, label)
        shutil.rmtree(target, ignore_errors=True)
        tree.rename(target)
        return target
    finally:
        shutil.rmtree(work, ignore_errors=True)


def check_major(tree, label):
    major = odoo_major_version(tree)
    if major != 18:
        found = f"Odoo {major}.0" if major else "no recognisable Odoo version"
        raise SetupError(f"{label} holds {found}, and SmartBook needs Odoo 18.0")


# --- system packages -----------------------------------------------------------------------


def missing_debian_packages(names):
    missing = []
    for name in names:
        probe = BUILD_PACKAGES.get(name)
        if probe is not None:
            if shutil.which(probe) is None:
                missing.append(name)
            continue
        if shutil.which("dpkg-query") is None:
            continue  # not Debian: nothing to check, pip will say what fails to build
        result = run(["dpkg-query", "-W", "-f=${Status}", name], check=False)
        if "install ok installed" not in (result.stdout or ""):
            missing.append(name)
    return missing


_apt_state = {"updated": False}  # one `apt-get update` per run


def apt_install(packages, why, log):
    """Install Debian packages as root or through sudo, or stop naming them."""
    if shutil.which("apt-get") is None:
        raise SetupError(f"{why} needs {' '.join(packages)}; install them with your system's package manager")
    prefix = []
    if os.geteuid() != 0:
        if shutil.which("sudo") is None or run(["sudo", "-n", "true"], check=False).returncode != 0:
            raise SetupError(f"{why} needs Debian packages: sudo apt-get install {' '.join(packages)}")
        prefix = ["sudo", "-n"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        if not _apt_state["updated"]:
            run([*prefix, "apt-get", "update", "-qq"], log=log, env=env)
            _apt_state["updated"] = True
        run([*prefix, "apt-get", "install", "-y", "-qq", *packages], log=log, env=env)
    except subprocess.CalledProcessError:
        raise SetupError(f"apt-get install {' '.join(packages)} failed; see {log}") from None


# --- the virtual environment ---------------------------------------------------------------


def read_stamp(venv):
    try:
        return json.loads((venv / "smartbook-setup.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def file_digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest() if Path(path).is_file() else None


def imports_odoo_18(python):
    try:
        result = subprocess.run(
            [python, "-c", "import sys, odoo.release as r; sys.exit(r.version_info[0] != 18)"],
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def prepare_venv(root):
    """Make ``.venv`` ready; return its Python."""
    venv = root / ".venv"
    python = venv / "bin" / "python"
    log = venv / "setup.log"
    kind, location, checksum, label = source_origin(root)
    wanted = {
        "stamp_version": STAMP_VERSION,
        "source": origin_key(kind, location),
        "smartbook_requirements": file_digest(root / "requirements.txt"),
    }
    stamp = read_stamp(venv)
    up_to_date = stamp and all(stamp.get(key) == value for key, value in wanted.items())
    if up_to_date and imports_odoo_18(str(python)):
        say(f"environment .venv: ready (Python {stamp.get('python')}, Odoo 18.0 from {stamp.get('label')})")
        return python
    if venv.is_dir():
        (venv / "smartbook-setup.json").unlink(missing_ok=True)  # not finished until written again

    with Step("Python for Odoo 18.0") as step:
        version = python_version(str(python)) if python.exists() else None
        if version not in SUPPORTED_PYTHONS:
            base, version = choose_python()
            shutil.rmtree(venv, ignore_errors=True)
            try:
                run([base, "-m", "venv", str(venv)])
            except subprocess.CalledProcessError as error:
                raise SetupError(f"{base} -m venv .venv failed: {error.stdout or error}") from None
            step.outcome = f"new .venv on Python {version} ({base})"
        else:
            step.outcome = f".venv on Python {version} kept"
    log.write_text(f"SmartBook set-up, {time.strftime('%Y-%m-%d %H:%M:%S')}\n", encoding="utf-8")

    with Step(f"Odoo 18.0 source from {label}") as step:
        tree = unpack_odoo(kind, location, checksum, label, venv)
        site_packages = run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
        ).stdout.strip()
        Path(site_packages, "smartbook-odoo.pth").write_text(f"{tree}\n", encoding="utf-8")
        step.outcome = "unpacked" if kind != "folder" else f"used in place ({tree})"

    with Step("build tools for Odoo's requirements") as step:
        missing = missing_debian_packages(BUILD_PACKAGES)
        include = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['include'])"]).stdout
        if not Path(include.strip(), "Python.h").is_file():
            missing.append(f"python{version}-dev")
        if missing:
            apt_install(missing, "building Odoo's requirements (python-ldap, psycopg2)", log)
            step.outcome = f"installed {' '.join(missing)}"
        else:
            step.outcome = "present"

    with Step("Python packages (Odoo's and SmartBook's requirements)"):
        pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--no-input"]
        try:
            # Two passes: Odoo pins some packages older than SmartBook needs under Python < 3.12.
            run([*pip, "setuptools<70", "wheel", "-r", str(tree / "requirements.txt")], log=log)
            run([*pip, "-r", str(root / "requirements.txt")], log=log)
        except subprocess.CalledProcessError:
            raise SetupError(f"installing Python packages failed; pip's output is in {log}") from None
    if not imports_odoo_18(str(python)):
        raise SetupError(f".venv/bin/python cannot import Odoo 18.0 after the set-up; see {log}")
    stamp = dict(wanted, python=version, label=label, source_tree=str(tree))
    (venv / "smartbook-setup.json").write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
    return python


def check_given_python(python):
    """``SMARTBOOK_PYTHON``: the user's own Odoo; check it, make nothing."""
    if shutil.which(python) is None and not Path(python).exists():
        raise SetupError(f"no Python at '{python}' (set SMARTBOOK_PYTHON to the Python that runs Odoo 18.0)")
    if not imports_odoo_18(python):
        raise SetupError(
            f"Odoo 18.0 is not importable from '{python}'"
            " (see README: Using an existing Odoo; or unset SMARTBOOK_PYTHON)"
        )
    check = "import importlib.util as u, sys; print(*[m for m in sys.argv[1:] if not u.find_spec(m)])"
    result = subprocess.run(
        [python, "-c", check, *SMARTBOOK_MODULES], capture_output=True, text=True, check=False
    )
    if result.returncode or result.stdout.strip():
        missing = result.stdout.strip() or "?"
        install = f"{python} -m pip install -r requirements.txt"
        raise SetupError(f"'{python}' lacks SmartBook's packages ({missing}): {install}")


# --- PostgreSQL and Chromium ----------------------------------------------------------------


def postgres_answers(python):
    probe = "import psycopg2; psycopg2.connect(dbname='postgres', connect_timeout=5).close()"
    return subprocess.run([python, "-c", probe], capture_output=True, timeout=60, check=False).returncode == 0


def postgres_is_local():
    host = os.environ.get("PGHOST", "")
    port = os.environ.get("PGPORT", "5432")
    return host in LOCAL_PGHOSTS and port == "5432"


def start_local_postgres(log):
    """Start every local Debian cluster; install Debian's postgresql when there is none."""
    if shutil.which("pg_ctlcluster") is None and not Path("/usr/bin/pg_ctlcluster").exists():
        apt_install(["postgresql"], "a local PostgreSQL server", log)
    clusters = sorted(Path("/etc/postgresql").glob("*/*/postgresql.conf"))
    for conf in clusters:
        version, name = conf.parent.parent.name, conf.parent.name
        start = ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "start"]
        run(start if os.geteuid() == 0 else ["sudo", "-n", *start], log=log, check=False)
    for _ in range(30):
        if run(["pg_isready", "-q"], check=False).returncode == 0:
            return True
        time.sleep(1)
    return False


def create_superuser_role(log):
    """A superuser role for the current user (Debian's cluster only knows ``postgres``)."""
    user = os.environ.get("PGUSER") or os.environ.get("USER") or os.getlogin()
    if os.geteuid() == 0:
        as_postgres = ["runuser", "-u", "postgres", "--"]
    else:
        as_postgres = ["sudo", "-n", "-u", "postgres"]
    run([*as_postgres, "createuser", "--superuser", user], log=log, check=False)


def prepare_postgres(python, log):
    with Step("PostgreSQL") as step:
        if postgres_answers(python):
            step.outcome = "answers"
            return
        if not postgres_is_local():
            raise SetupError("PostgreSQL is not reachable (start it, or set PGHOST/PGPORT/PGUSER)")
        if not start_local_postgres(log):
            raise SetupError("PostgreSQL is not reachable (start it, or set PGHOST/PGPORT/PGUSER)")
        if not postgres_answers(python):
            create_superuser_role(log)
        if not postgres_answers(python):
            raise SetupError("PostgreSQL is not reachable (start it, or set PGHOST/PGPORT/PGUSER)")
        step.outcome = "started"


def find_chromium():
    # The names Odoo's test browser looks for (odoo/tests/common.py, ChromeBrowser).
    for name in ("google-chrome", "chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def prepare_browser(log):
    with Step("Chromium for the browser tests") as step:
        if find_chromium():
            step.outcome = "present"
            return
        apt_install(["chromium"], "the browser tests", log)
        if not find_chromium():
            raise SetupError("Chromium is still missing after apt-get install chromium")
        step.outcome = "installed"


def main(argv=None):
    parser = argparse.ArgumentParser(description="Prepare SmartBook's environment (see README.md).")
    parser.add_argument("--browser", action="store_true", help="also Chromium, for the browser tests")
    args = parser.parse_args(argv)
    root = Path(__file__).resolve().parent.parent
    given = os.environ.get("SMARTBOOK_PYTHON", "").strip()
    log = root / ".venv" / "setup.log"
    try:
        if given:
            check_given_python(given)
            python = given
            log = Path(tempfile.gettempdir()) / "smartbook-setup.log"
        else:
            python = str(prepare_venv(root))
        prepare_postgres(python, log)
        if args.browser:
            prepare_browser(log)
    except SetupError as error:
        print(f"smartbook: {error}", file=sys.stderr, flush=True)
        return 2
    except KeyboardInterrupt:
        print("smartbook: set-up interrupted; the next run starts it again", file=sys.stderr, flush=True)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
