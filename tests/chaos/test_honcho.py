"""`make run` runs the Procfile under honcho. What a deployment may rely on from it, measured on
the real thing (honcho 2, the Procfile's web, worker, scheduler and relay on the test's database
and a Redis of its own):

- a dependency going away takes nothing down: Redis killed for 20 s, every process still runs
  and work resumes (before issue 18 the scheduler's exit ended the whole stack);
- a process that dies is not restarted: honcho stops every other process and exits non-zero,
  naming the one that died. The failure is visible, never a half-running stack that looks up.
  Restarting is the supervisor's job: the systemd units of docs/deploy.md (Restart=on-failure).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

import requests
from sqlalchemy import func, select

from core.models import Message
from tests.faults.conftest import BIN, ROOT, inbound_form, port_open, sid, wait_for

PROCESSES = ("web", "worker", "scheduler", "relay")


class Honcho:
    def __init__(self, stack, tmp_path):
        self.stack = stack
        self.log = tmp_path / "honcho.log"
        empty_env = tmp_path / "empty.env"
        empty_env.write_text("")
        env = {**stack.env, "BIND": f"127.0.0.1:{stack.port}"}
        self.handle = self.log.open("ab")
        self.proc = subprocess.Popen(
            [str(BIN / "honcho"), "start", "--no-colour", "-e", str(empty_env), "-f", str(ROOT / "Procfile"),
             *PROCESSES], cwd=ROOT, env=env, stdout=self.handle, stderr=subprocess.STDOUT, start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def children(self) -> dict[str, int]:
        """honcho's process name (web.1, relay.1...) → pid, from its start-up lines."""
        import re

        return {m.group(1): int(m.group(2))
                for m in re.finditer(r"(\w+\.\d+) started \(pid=(\d+)\)", self.output())}

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.handle.close()


def _processed(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Message).where(
        Message.direction == "inbound", Message.status == "processed"))


def test_honcho_rides_out_redis_and_shows_a_dead_process(own_redis, stack_factory, db, make, standin, tmp_path,
                                                         record):
    make.enlace("14")
    stack = stack_factory(own_redis.url)
    honcho = Honcho(stack, tmp_path)
    try:
        wait_for(lambda: set(PROCESSES) <= {name.split(".")[0] for name in honcho.children()}, 120, 0.5,
                 "honcho to start the Procfile's processes")
        wait_for(lambda: _healthy(stack), 120, 0.5, "the web process")
        assert stack.post_webhook(inbound_form(sid(1), sender="whatsapp:+523312300001")).status_code == 200
        wait_for(lambda: _processed(db) == 1, 120, 0.5, "the first message to be processed")

        # Redis away for 20 s: nobody exits, messages stored meanwhile are processed after
        own_redis.kill()
        for n in (2, 3):
            assert stack.post_webhook(inbound_form(sid(n), sender=f"whatsapp:+52331230000{n}")).status_code == 200
        time.sleep(20)
        assert honcho.alive(), honcho.output()[-3000:]
        own_redis.start()
        back = time.monotonic()
        wait_for(lambda: _processed(db) == 3, 120, 0.5, "the messages of the outage to be processed")
        resumed = round(time.monotonic() - back, 1)
        assert honcho.alive(), honcho.output()[-3000:]

        # one process killed: honcho takes the stack down and says which one. honcho's pid is
        # the `sh -c` running the Procfile line; the relay is its child (killing the shell alone
        # would orphan the relay, still holding honcho's pipe)
        shell = honcho.children()["relay.1"]
        children = subprocess.run(["pgrep", "-P", str(shell)], capture_output=True, text=True, check=False)
        relay_pid = int((children.stdout.split() or [shell])[0])
        os.kill(relay_pid, signal.SIGKILL)
        killed = time.monotonic()
        honcho.proc.wait(120)
        down = round(time.monotonic() - killed, 1)
        output = honcho.output()
        assert honcho.proc.returncode != 0, output[-3000:]
        assert "relay.1 stopped (rc=137)" in output, output[-3000:]  # the shell's status: killed by 9
        # nothing of the stack keeps running behind honcho's back
        wait_for(lambda: not _session_processes(honcho.proc.pid), 30, 0.5, "every process of the stack to end")
        record("honcho", redis_outage_s=20, processed_after_redis_s=resumed, stack_down_after_kill_s=down,
               honcho_exit=honcho.proc.returncode)
    finally:
        honcho.stop()


def _healthy(stack) -> bool:
    if not port_open(stack.port):
        return False
    try:
        return requests.get(stack.base + "/healthz", timeout=2).ok
    except requests.RequestException:  # listening, not answering yet
        return False


def _session_processes(session_id: int) -> list[int]:
    """Live processes (not zombies) of honcho's session: honcho and everything it started."""
    found = subprocess.run(["pgrep", "-s", str(session_id)], capture_output=True, text=True, check=False)
    alive = []
    for pid in found.stdout.split():
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] != "Z":
                    alive.append(int(pid))
        except OSError:
            continue
    return alive
