"""Several replicas of the dashboard behind nginx, all on loopback (README "More than one server").

    python deploy/replicas.py [--replicas 3] [--port 8080] [--server-name NAME] [--htpasswd FILE]

starts the replicas on free loopback ports, writes nginx.conf from deploy/nginx.conf.template
into a temporary prefix (pid, logs and temp files too: no root-owned path is touched), runs
Debian's nginx on 127.0.0.1:PORT in front of them and waits for Ctrl-C. tests/test_deploy.py
uses the same `Deployment`.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).with_name("nginx.conf.template")
STARTUP_SECONDS = 60
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")
# Local requests never go through a proxy named in the environment.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def nginx_binary() -> str | None:
    """Debian installs nginx in /usr/sbin, which is not on every user's PATH."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def max_upload_mb(config: Path = ROOT / ".streamlit" / "config.toml") -> int:
    """nginx must accept the uploads Streamlit accepts: one number, read from the app's config."""
    return int(tomllib.loads(config.read_text(encoding="utf-8"))["server"]["maxUploadSize"])


def render_config(prefix: Path, port: int, replica_ports: list[int], htpasswd: Path | None = None) -> str:
    auth = f'        auth_basic "CSTO map";\n        auth_basic_user_file {htpasswd};\n' if htpasswd else ""
    fields = {
        "prefix": str(prefix),
        "listen": f"127.0.0.1:{port}",
        "servers": "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in replica_ports),
        "max_upload_mb": str(max_upload_mb()),
        "auth": auth,
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in fields.items():
        text = text.replace("{{" + name + "}}", value)
    return text


def wait_until_healthy(url: str, process: subprocess.Popen, what: str, statuses: tuple[int, ...] = (200,)) -> None:
    """Poll /_stcore/health (for nginx: through it, to a replica) until it answers with one of `statuses`."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode} while starting")
        try:
            with OPENER.open(f"{url}/_stcore/health", timeout=2) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = None
        if status in statuses:
            return
        time.sleep(0.3)
    raise RuntimeError(f"{what} did not answer on {url} within {STARTUP_SECONDS} s")


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


class Deployment:
    """N Streamlit replicas plus nginx, started on entry and stopped on exit."""

    def __init__(
        self,
        replicas: int = 2,
        port: int | None = None,
        server_name: str | None = None,
        htpasswd: Path | None = None,
    ):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server_name = server_name
        self.htpasswd = htpasswd
        self.replica_ports = [free_port() for _ in range(replicas)]
        self.replicas: list[subprocess.Popen] = []
        self.nginx: subprocess.Popen | None = None
        self.prefix = Path(tempfile.mkdtemp(prefix="csto-nginx-"))

    def __enter__(self) -> Deployment:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def replica_command(self, port: int) -> list[str]:
        hosts = [*LOOPBACK_HOSTS, *([self.server_name] if self.server_name else [])]
        command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py")]
        command += ["--server.port", str(port), "--server.address", "127.0.0.1"]
        # The address a browser uses is nginx's: Streamlit builds its XSRF and CORS answers from it.
        command += ["--browser.serverAddress", self.server_name or "127.0.0.1", "--browser.serverPort", str(self.port)]
        for host in hosts:
            command += ["--server.allowedHosts", host]
        return command

    def start(self) -> None:
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx is not installed (Debian: apt-get install nginx)")
        # Every replica signs cookies (XSRF) with one secret, so a browser moved to another
        # replica keeps a valid cookie. It goes in the environment, not on a command line.
        env = {**os.environ, "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32)}
        for port in self.replica_ports:
            with (self.prefix / f"replica-{port}.log").open("wb") as log:
                command = self.replica_command(port)
                self.replicas.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
        for port, process in zip(self.replica_ports, self.replicas, strict=True):
            try:
                wait_until_healthy(f"http://127.0.0.1:{port}", process, f"replica on port {port}")
            except RuntimeError as error:
                last = (self.prefix / f"replica-{port}.log").read_text(errors="replace").strip().splitlines()[-1:]
                raise RuntimeError(f"{error}: {' '.join(last) or 'no output'}") from None

        (self.prefix / "temp").mkdir()
        # Started by root, nginx's workers run as an unprivileged user: they must reach the
        # prefix and read the password file, so a copy of it goes there.
        self.prefix.chmod(0o755)
        passwords = None
        if self.htpasswd is not None:
            passwords = shutil.copyfile(self.htpasswd, self.prefix / "htpasswd")
            passwords.chmod(0o644)
        conf = self.prefix / "nginx.conf"
        conf.write_text(render_config(self.prefix, self.port, self.replica_ports, passwords), encoding="utf-8")
        arguments = [binary, "-p", str(self.prefix), "-c", str(conf), "-e", str(self.prefix / "error.log")]
        checked = subprocess.run([*arguments, "-t"], capture_output=True, text=True, timeout=30)
        if checked.returncode != 0:
            raise RuntimeError(f"nginx refused {conf}: {checked.stderr.strip()}")
        self.nginx = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until_healthy(self.url, self.nginx, "nginx", (200, 401) if passwords else (200,))

    def replica_pids(self) -> dict[str, int]:
        """Each replica's own URL (bypassing nginx) and its process id."""
        ports = self.replica_ports
        return {f"http://127.0.0.1:{port}": process.pid for port, process in zip(ports, self.replicas, strict=True)}

    def stop_replica(self, index: int) -> None:
        stop_process(self.replicas[index])

    def access_log(self) -> list[str]:
        path = self.prefix / "access.log"
        return path.read_text(encoding="utf-8").splitlines() if path.exists() else []

    def stop(self) -> None:
        if self.nginx is not None:
            stop_process(self.nginx)
        for process in self.replicas:
            stop_process(process)
        shutil.rmtree(self.prefix, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--port", type=int, default=8080, help="nginx listens on 127.0.0.1:PORT")
    parser.add_argument("--server-name", help="the host name browsers use, when not 127.0.0.1 or localhost")
    parser.add_argument("--htpasswd", type=Path, help="ask for a user name and password (nginx basic auth)")
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    if nginx_binary() is None:
        print("error: nginx is not installed (Debian: apt-get install nginx)", file=sys.stderr)
        return 2
    if args.htpasswd and not args.htpasswd.is_file():
        print(f"error: {args.htpasswd}: no such file", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        with Deployment(args.replicas, args.port, args.server_name, args.htpasswd) as deployment:
            print(f"{args.replicas} replicas on ports {deployment.replica_ports} behind nginx on {deployment.url}")
            print(f"nginx.conf and logs in {deployment.prefix} (removed on exit); Ctrl-C stops everything")
            while all(process.poll() is None for process in [deployment.nginx, *deployment.replicas]):
                time.sleep(1)
            print("error: nginx or a replica stopped", file=sys.stderr)
            return 1
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
