"""A real PostgreSQL + PostGIS server for the tests: a temporary data directory, 127.0.0.1 on a free port.

PostgreSQL refuses to run as root, so when the tests run as root (CI) every server command runs as the
``postgres`` system user (created when missing) through ``runuser``. The binaries are found by glob under
/usr/lib/postgresql/*/bin, so Debian 12 (PostgreSQL 15) and Debian 13 (17) both work. Administration goes
through the Unix socket in the data directory (trust); QGIS connects over TCP with a password (scram).
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

# distinctive values, so a test can scan outputs for them
DB_NAME = "bureau_gis_db"
DB_USER = "bureau_analyst_u"
DB_PASSWORD = "Lan9tian-Secret_7Qx"
SYSTEM_USER = "postgres"


def _bindir() -> Path:
    """The newest installed PostgreSQL's bin directory (with initdb and postgres)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise RuntimeError("PostgreSQL is not installed (Debian packages postgresql, postgresql-postgis): run make")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ensure_system_user() -> None:
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SYSTEM_USER],
                       check=True)


@dataclass
class PostgisServer:
    bindir: Path
    root: Path  # temporary folder holding the data directory, the socket and the log
    port: int
    host: str = "127.0.0.1"
    dbname: str = DB_NAME
    user: str = DB_USER
    password: str = DB_PASSWORD

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "sock"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    # -- processes -------------------------------------------------------------------------------------
    def _as_owner(self, args: List[str]) -> List[str]:
        return (["runuser", "-u", SYSTEM_USER, "--"] + args) if os.geteuid() == 0 else args

    def _run(self, args: List[str], **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(self._as_owner(args), check=True, capture_output=True, text=True, **kwargs)

    def init(self) -> None:
        for folder in (self.root, self.socket_dir):
            folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            _ensure_system_user()
            owner = pwd.getpwnam(SYSTEM_USER)
            os.chmod(self.root, 0o755)
            for folder in (self.root, self.socket_dir):
                os.chown(folder, owner.pw_uid, owner.pw_gid)
        self._run([str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", "postgres", "-E", "UTF8",
                   "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256"])

    def start(self) -> None:
        options = (f"-c listen_addresses={self.host} -c port={self.port} -k {self.socket_dir} "
                   "-c fsync=off -c full_page_writes=off -c synchronous_commit=off")
        self._run([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-l", str(self.log), "-o", options,
                   "-w", "-t", "60", "start"])

    def stop(self, mode: str = "fast") -> None:
        self._run([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", mode, "-w", "-t", "60", "stop"])

    def running(self) -> bool:
        probe = subprocess.run(self._as_owner([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "status"]),
                               capture_output=True, text=True)
        return probe.returncode == 0

    def psql(self, sql: str, dbname: Optional[str] = None) -> str:
        """Run SQL as the superuser over the Unix socket; the unaligned, tuples-only output."""
        return self._run([str(self.bindir / "psql"), "-h", str(self.socket_dir), "-p", str(self.port), "-U",
                          "postgres", "-d", dbname or self.dbname, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-A", "-t",
                          "-c", sql]).stdout.strip()

    def setup_database(self) -> None:
        self.psql(f"CREATE ROLE {self.user} LOGIN PASSWORD '{self.password}'", dbname="postgres")
        self.psql(f"CREATE DATABASE {self.dbname} OWNER {self.user} ENCODING 'UTF8' TEMPLATE template0",
                  dbname="postgres")
        self.psql("CREATE EXTENSION postgis")

    # -- QGIS side -------------------------------------------------------------------------------------
    def conninfo(self, authcfg: str) -> str:
        """A QGIS postgres URI of the database, credentials in the authentication database."""
        return f"dbname='{self.dbname}' host={self.host} port={self.port} sslmode=disable authcfg={authcfg}"

def start_postgis_server() -> PostgisServer:
    bindir = _bindir()
    root = Path(tempfile.mkdtemp(prefix="bluesky-pg-"))
    server = PostgisServer(bindir, root, _free_port())
    try:
        server.init()
        server.start()
        server.setup_database()
    except subprocess.CalledProcessError as exc:
        log = server.log.read_text(errors="replace") if server.log.exists() else ""
        stop_postgis_server(server)
        raise RuntimeError(f"cannot start PostgreSQL: {exc.stderr}\n{log}") from exc
    except BaseException:
        stop_postgis_server(server)
        raise
    return server


def stop_postgis_server(server: PostgisServer) -> None:
    try:
        if server.running():
            server.stop("immediate")
    finally:
        for _ in range(20):  # the postmaster may take a moment to remove its files
            shutil.rmtree(server.root, ignore_errors=True)
            if not server.root.exists():
                break
            time.sleep(0.1)


def add_qgis_connection(server: PostgisServer, name: str) -> str:
    """A saved QGIS connection `name` whose credentials live in the authentication database; the authcfg id.

    The test profile's authentication database gets a master password first (as a user would set it).
    """
    from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsProviderRegistry

    auth = QgsApplication.authManager()
    if not auth.masterPasswordIsSet():
        assert auth.setMasterPassword("bluesky-test-master", True)
    config = QgsAuthMethodConfig("Basic")
    config.setName(f"{name} login")
    config.setConfig("username", server.user)
    config.setConfig("password", server.password)
    stored = auth.storeAuthenticationConfig(config)
    assert stored[0] if isinstance(stored, tuple) else stored
    authcfg = config.id()
    assert authcfg
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    connection = metadata.createConnection(server.conninfo(authcfg), {})
    metadata.saveConnection(connection, name)
    return authcfg
