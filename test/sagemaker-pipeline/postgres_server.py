"""A real PostgreSQL server for tests and benchmarks: Debian's `postgresql` package (installed by .ci/run where
missing), a fresh cluster in a temp dir, password (SCRAM) authentication over TCP on 127.0.0.1 and a free port.
No mock: the extract script speaks the wire protocol to it exactly as it would to RDS.

As root (CI containers), initdb refuses to run: the cluster then belongs to the `postgres` system user that the
package creates, and the server runs as that user (runuser)."""
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from contextlib import closing

USER = "mlops"
PASSWORD = "s3cr3t-Pa55word-never-logged"
DATABASE = "warehouse"


def pg_bin(name):
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not candidates:
        raise RuntimeError(
            f"PostgreSQL's {name} was not found: install Debian's postgresql package (.ci/run does where it is missing)"
        )
    return candidates[-1]


def free_port():
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="mlops-pg-")
        self.data = os.path.join(self.root, "data")
        self.port = free_port()
        self.host = "127.0.0.1"
        self.user, self.password, self.database = USER, PASSWORD, DATABASE
        self.as_postgres = os.geteuid() == 0

    def _cmd(self, *argv):
        argv = list(argv)
        return ["runuser", "-u", "postgres", "--", *argv] if self.as_postgres else argv

    def _certificates(self):
        """A CA and a server certificate for 127.0.0.1 signed by it (openssl), so tests can check TLS modes."""
        ca_key, ca_cert = os.path.join(self.root, "ca.key"), os.path.join(self.root, "ca.pem")
        key, csr, cert = (os.path.join(self.root, n) for n in ("server.key", "server.csr", "server.crt"))
        ext = os.path.join(self.root, "san.ext")
        with open(ext, "w") as f:
            f.write("subjectAltName=IP:127.0.0.1\n")
        run = lambda *argv: subprocess.run(["openssl", *argv], check=True, capture_output=True)  # noqa: E731
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test CA",
            "-keyout", ca_key, "-out", ca_cert)
        run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", csr)
        run("x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key, "-CAcreateserial", "-days", "2",
            "-extfile", ext, "-out", cert)
        os.chmod(key, 0o600)
        if self.as_postgres:
            shutil.chown(key, "postgres")
            shutil.chown(cert, "postgres")
        self.ca_file = ca_cert
        return key, cert

    def start(self):
        pwfile = os.path.join(self.root, "pw")
        with open(pwfile, "w") as f:
            f.write(self.password)
        if self.as_postgres:
            shutil.chown(self.root, "postgres")
            shutil.chown(pwfile, "postgres")
        subprocess.run(
            self._cmd(
                pg_bin("initdb"), "-D", self.data, "-U", self.user, "--auth=scram-sha-256",
                f"--pwfile={pwfile}", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
            ),
            check=True, capture_output=True,
        )
        os.remove(pwfile)
        key, cert = self._certificates()
        # TLS on (clients choose; pg_hba's "host" lines admit both), a certificate for 127.0.0.1 signed by ca_file.
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses={self.host} -c fsync=off "
            f"-c synchronous_commit=off -c full_page_writes=off -c ssl=on -c ssl_cert_file={cert} -c ssl_key_file={key}"
        )
        subprocess.run(
            self._cmd(pg_bin("pg_ctl"), "-D", self.data, "-o", options, "-l", os.path.join(self.root, "log"),
                      "-w", "-t", "60", "start"),
            check=True, capture_output=True,
        )
        self.psql("-d", "postgres", "-c", f"CREATE DATABASE {self.database}")
        return self

    def stop(self):
        subprocess.run(
            self._cmd(pg_bin("pg_ctl"), "-D", self.data, "-m", "immediate", "-w", "stop"), capture_output=True
        )
        shutil.rmtree(self.root, ignore_errors=True)

    def env(self):
        return {**os.environ, "PGPASSWORD": self.password, "PGHOST": self.host, "PGPORT": str(self.port),
                "PGUSER": self.user, "PGDATABASE": self.database}

    def psql(self, *args, input=None):
        result = subprocess.run(
            [pg_bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", *args],
            env=self.env(), input=input, capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr}")
        return result.stdout

    def url(self, password=None):
        return f"postgresql://{self.user}:{password or self.password}@{self.host}:{self.port}/{self.database}"

    def secret(self, **overrides):
        """The secret in RDS's JSON shape."""
        return {"engine": "postgres", "host": self.host, "port": self.port, "username": self.user,
                "password": self.password, "dbname": self.database, **overrides}
