#!/usr/bin/env python3
"""QEMU as an implementation under test, driven through its gdbstub.

The second example adapter of conformance/PROTOCOL.md (section 5): Python 3, standard library
only, over a real implementation that has no per-instruction hook. It speaks the protocol on
stdin/stdout and drives one `qemu-system-riscv64 -M virt -S` over the GDB remote serial protocol:

  * every request starts from a system_reset, RAM zeroed and the protocol's starting state
    written register by register (PROTOCOL.md section 4);
  * the run stops at "the first trap that would enter M-mode" with a breakpoint on the M-mode
    trap vector: mtvec starts at 0 (its starting value in the protocol), so the breakpoint sits
    at mtvec's base (and at base + 4 * cause for a vectored mtvec); QEMU takes the trap, stops
    before fetching the handler, and the adapter reads cause, tval and epc from mcause, mtval and
    mepc, and x1..x31 untouched (a trap writes no general register);
  * the trap has been taken, so the CSRs a trap writes (mstatus, mepc, mcause, mtval) no longer
    hold their values from before it: a request that asks for one of them is answered with an
    error rather than a guess, and the privilege before the trap is read back from mstatus.MPP.

Usage: devirt run --impl-cmd "python3 harness/adapters/qemu_gdb.py"
Environment: DEVIRT_QEMU (default qemu-system-riscv64), DEVIRT_QEMU_RUN_SECONDS (how long a vector
may run before it is stopped and answered with an error, default 5).
"""

import json
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time

QEMU = os.environ.get("DEVIRT_QEMU", "qemu-system-riscv64")
# The reference's ISA (misa ACIMSU) with its zero marchid and mimpid (harness/oracle/qemu-state.ts).
QEMU_CPU = "rv64,f=off,d=off,h=off,v=false,marchid=0,mimpid=0"
RUN_SECONDS = float(os.environ.get("DEVIRT_QEMU_RUN_SECONDS", "5"))
RAM_BASE = 0x80000000
DEFAULT_RAM = 1024 * 1024
MASK64 = (1 << 64) - 1
CLINT_MTIMECMP = 0x2004000
FDT_ALIGN = 2 * 1024 * 1024
SD_A1_0_A0 = (0x00B53023).to_bytes(4, "little")

# The starting state of PROTOCOL.md section 4.2: these CSRs hold 0 before a vector's own CSRs are
# applied (the others already hold their 4.2 value on a fresh QEMU; test/harness/qemu-gdb-adapter
# checks the table through this adapter). Written in this order, as csrrw in M-mode would.
ZEROED_CSRS = (
    ["mstatus", "medeleg", "mideleg", "mie", "mip", "mtvec", "mscratch", "mepc", "mcause", "mtval",
     "mcounteren", "menvcfg", "stvec", "sscratch", "sepc", "scause", "stval", "satp", "scounteren",
     "senvcfg", "pmpcfg0", "pmpcfg2"]
    + ["pmpaddr%d" % i for i in range(16)]
)
# The CSRs a trap into M-mode writes: after the breakpoint on the trap vector they hold the trap's
# values, not the vector's, so they cannot be reported as the state at the stop.
TRAP_WRITTEN = {"mstatus", "mepc", "mcause", "mtval"}

CAPABILITIES = ["state", "rv64i", "m", "a", "c", "zicsr", "zifencei", "s", "u", "sv39", "pmp", "pmp16", "pmp-g0", "sstc",
                "clint", "plic", "uart", "zicntr", "zihpm", "zicclsm", "svadu"]


class GdbError(Exception):
    """QEMU or its gdbstub misbehaved: the QEMU process is replaced for the next request."""


class Unsupported(Exception):
    """A request this adapter cannot answer honestly: QEMU is untouched and kept."""


class Gdb:
    """A minimal GDB remote serial protocol client (QEMU 7.2 has no no-ack mode: every packet is acknowledged)."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.ack = True

    def _read_packet(self, timeout):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            start = self.buf.find(b"$")
            if start >= 0:
                end = self.buf.find(b"#", start)
                if end >= 0 and len(self.buf) >= end + 3:
                    data = self.buf[start + 1:end]
                    self.buf = self.buf[end + 3:]
                    if self.ack:
                        self.sock.sendall(b"+")
                    return self._unescape(data)
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.sock], [], [], wait)
            if not ready:
                return None
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise GdbError("QEMU closed the gdb connection")
            self.buf += chunk

    @staticmethod
    def _unescape(data):
        if b"}" not in data:
            return data
        out = bytearray()
        i = 0
        while i < len(data):
            if data[i] == 0x7D:
                out.append(data[i + 1] ^ 0x20)
                i += 2
            else:
                out.append(data[i])
                i += 1
        return bytes(out)

    def send(self, payload):
        self.sock.sendall(b"$" + payload + b"#%02x" % (sum(payload) & 0xFF))

    def command(self, payload, timeout=10.0):
        self.send(payload)
        reply = self._read_packet(timeout)
        if reply is None:
            raise GdbError("no answer from QEMU's gdbstub to %r" % payload[:40])
        return reply

    def ok(self, payload):
        reply = self.command(payload)
        if reply != b"OK":
            raise GdbError("gdbstub refused %s: %r" % (payload[:40].decode("latin1"), reply))

    def wait_stop(self, timeout):
        return self._read_packet(timeout)

    def interrupt(self):
        self.sock.sendall(b"\x03")

    def read_xfer(self, annex):
        out = b""
        while True:
            reply = self.command(b"qXfer:features:read:%s:%x,%x" % (annex.encode(), len(out), 0xF00))
            out += reply[1:]
            if reply[:1] == b"l":
                return out.decode()
            if reply[:1] != b"m":
                raise GdbError("qXfer %s: %r" % (annex, reply[:40]))


def le_hex(value, size=8):
    return (value & MASK64).to_bytes(size, "little").hex().encode()


def parse_num(text):
    return int(text, 16) & MASK64 if isinstance(text, str) else int(text)


def hex64(value):
    return "0x%016x" % (value & MASK64)


class Qemu:
    """One QEMU process, stopped at reset, with its gdbstub on a private unix socket."""

    def __init__(self, ram_size):
        self.ram_size = ram_size
        self.dir = tempfile.mkdtemp(prefix="devirt-qemu-gdb-")
        sock_path = os.path.join(self.dir, "gdb.sock")
        args = [QEMU, "-M", "virt", "-cpu", QEMU_CPU, "-m", "%dK" % (ram_size // 1024), "-smp", "1",
                "-display", "none", "-serial", "none", "-monitor", "none", "-bios", "none", "-S",
                "-gdb", "unix:%s,server=on,wait=on" % sock_path]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.sock_path = sock_path
        self.gdb = None

    def connect(self):
        """Wait for the gdbstub (QEMU starts while the previous vector runs) and learn its registers."""
        sock_path = self.sock_path
        deadline = time.monotonic() + 10
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        while True:
            try:
                sock.connect(sock_path)
                break
            except OSError:
                if self.proc.poll() is not None:
                    raise GdbError("QEMU exited with %s: %s" % (self.proc.returncode, self.proc.stderr.read().decode(errors="replace").strip()))
                if time.monotonic() > deadline:
                    raise GdbError("QEMU's gdbstub did not open %s" % sock_path)
                time.sleep(0.02)
        self.gdb = Gdb(sock)
        self.gdb.command(b"qSupported:xmlRegisters=riscv")
        self._learn_registers()

    def _learn_registers(self):
        target = self.gdb.read_xfer("target.xml")
        numbered = 0
        self.csr_regs = {}
        self.priv_reg = None
        for href in re.findall(r'href="([^"]+)"', target):
            feature = self.gdb.read_xfer(href)
            for reg in re.finditer(r"<reg ([^>]*)/>", feature):
                attrs = dict(re.findall(r'(\w+)="([^"]*)"', reg.group(1)))
                num = int(attrs["regnum"]) if "regnum" in attrs else numbered
                numbered = num + 1
                if "riscv.csr" in feature:
                    self.csr_regs[attrs["name"]] = num
                elif attrs["name"] == "priv":
                    self.priv_reg = num
        if self.priv_reg is None or "mtvec" not in self.csr_regs:
            raise GdbError("QEMU's gdbstub does not describe the priv and CSR registers")

    def write_reg(self, num, value):
        self.gdb.ok(b"P%x=%s" % (num, le_hex(value)))

    def read_reg(self, num):
        reply = self.gdb.command(b"p%x" % num)
        if not re.fullmatch(rb"[0-9a-f]+", reply):
            raise GdbError("reading register %d: %r" % (num, reply))
        return int.from_bytes(bytes.fromhex(reply.decode()), "little")

    def csr_reg(self, name):
        if name not in self.csr_regs:
            raise GdbError("QEMU's gdbstub does not expose CSR %s" % name)
        return self.csr_regs[name]

    def write_csr(self, name, value):
        self.write_reg(self.csr_reg(name), value)

    def read_csr(self, name):
        return self.read_reg(self.csr_reg(name))

    def write_memory(self, addr, data):
        # QEMU 7.2 has no binary 'X' packet; an 'M' packet of 2000 bytes fits its 4096-byte packets.
        step = 2000
        for off in range(0, len(data), step):
            chunk = data[off:off + step]
            self.gdb.ok(b"M%x,%x:%s" % (addr + off, len(chunk), chunk.hex().encode()))

    def read_memory(self, addr, length):
        out = b""
        while len(out) < length:
            n = min(1024, length - len(out))
            reply = self.gdb.command(b"m%x,%x" % (addr + len(out), n))
            if reply.startswith(b"E") or len(reply) != 2 * n:
                raise GdbError("reading memory at 0x%x: %r" % (addr + len(out), reply[:20]))
            out += bytes.fromhex(reply.decode())
        return out

    def close(self):
        """End this QEMU without waiting for it (the adapter reaps it later)."""
        if self.proc.poll() is None:
            self.proc.kill()
        if self.gdb is not None:
            self.gdb.sock.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def region_bytes(region):
    if "words" in region:
        return b"".join(int(w, 16).to_bytes(4, "little") for w in region["words"])
    return bytes.fromhex(region.get("bytes", ""))


PRIV_LEVEL = {"U": 0, "S": 1, "M": 3}
PRIV_NAME = {0: "U", 1: "S", 3: "M"}


class Adapter:
    """Every request runs on a freshly started QEMU, so it begins from QEMU's reset state (PMP
    entries unlocked, the CLINT comparator never written, devices idle) whatever the previous
    vector did; the next QEMU is started while the current one runs, which hides most of the cost."""

    def __init__(self):
        self.spare = None
        self.ended = []

    def machine(self, ram_size):
        q = self.spare if self.spare is not None and self.spare.ram_size == ram_size else None
        if q is None:
            if self.spare is not None:
                self.retire(self.spare)
            q = Qemu(ram_size)
        self.spare = Qemu(ram_size)
        q.connect()
        return q

    def retire(self, q):
        q.close()
        self.ended.append(q.proc)
        self.ended = [p for p in self.ended if p.poll() is None]

    def start_state(self, q, inputs):
        """PROTOCOL.md section 4: memory, the zeroed CSRs, the vector's CSRs, registers, privilege, pc."""
        # A fresh QEMU's RAM is zero but for the device tree QEMU 7.2 places in it (riscv_load_fdt:
        # at the end of RAM, aligned down to 2 MiB; with 1 MiB of RAM, at its start) and the one
        # store idle_clint runs: both are zeroed, so RAM is zero except for the vector's regions.
        end = RAM_BASE + q.ram_size
        dirty = [(RAM_BASE, len(SD_A1_0_A0))]
        for addr in sorted({max(RAM_BASE, (end - 1) & ~(FDT_ALIGN - 1)), max(RAM_BASE, ((end - 1) & ~(FDT_ALIGN - 1)) - FDT_ALIGN)}):
            header = q.read_memory(addr, 8)
            if header[:4] == bytes.fromhex("d00dfeed"):
                # QEMU edits the tree after loading it (a rng-seed at reset) past the size in its
                # header: a page more is zeroed.
                dirty.append((addr, min(end - addr, int.from_bytes(header[4:8], "big") + 4096)))
        self.idle_clint(q)
        for addr, length in dirty:
            q.write_memory(addr, bytes(length))
        for region in inputs["memory"]:
            q.write_memory(int(region["base"], 16), region_bytes(region))
        for name in ZEROED_CSRS:
            q.write_csr(name, 0)
        # stimecmp is not among the CSRs QEMU 7.2's gdbstub exposes: it keeps QEMU's reset value 0.
        for name, value in inputs["hart"].get("csrs", {}).items():
            q.write_csr(name, parse_num(value))
        regs = inputs["hart"].get("x", {})
        for i in range(1, 32):
            q.write_reg(i, parse_num(regs.get("x%d" % i, "0x0")))
        q.write_reg(q.priv_reg, PRIV_LEVEL[inputs["hart"].get("priv", "M")])
        q.write_reg(32, parse_num(inputs["hart"]["pc"]))

    def idle_clint(self, q):
        """The CLINT comparator idle: a fresh QEMU 7.2 has mtimecmp = 0, so MTIP is pending from the
        start. The gdbstub's memory writes skip device registers, so QEMU itself runs one store
        (sd a1, 0(a0) with a1 = all ones) and stops on a breakpoint after it; msip is 0 already."""
        q.write_memory(RAM_BASE, SD_A1_0_A0)
        q.write_reg(10, CLINT_MTIMECMP)
        q.write_reg(11, MASK64)
        q.write_reg(32, RAM_BASE)
        q.gdb.ok(b"Z0,%x,4" % (RAM_BASE + 4))
        q.gdb.send(b"c")
        stop = q.gdb.wait_stop(5)
        q.gdb.command(b"z0,%x,4" % (RAM_BASE + 4))
        if stop is None or q.read_reg(32) != RAM_BASE + 4:
            raise GdbError("QEMU did not run the store that idles the CLINT comparator (%r)" % stop)

    def trap_vector_addresses(self, q):
        mtvec = q.read_csr("mtvec")
        base = mtvec & ~3 & MASK64
        addrs = [base]
        if mtvec & 3 == 1:  # vectored: interrupts go to base + 4 * cause
            addrs += [base + 4 * cause for cause in range(1, 16)]
        return addrs

    def run(self, msg):
        inputs = msg["inputs"]
        if inputs["kind"] != "state":
            raise Unsupported("this adapter runs state vectors only")
        if not inputs["stop"]["onTrap"]:
            raise Unsupported("this adapter stops only at a trap into M-mode (stop.onTrap)")
        wanted_csrs = msg.get("csrs", [])
        lost = [c for c in wanted_csrs if c in TRAP_WRITTEN]
        if lost:
            raise Unsupported("cannot report %s: the adapter sees them after QEMU took the trap" % ", ".join(lost))
        q = self.machine(inputs.get("ramSize", DEFAULT_RAM))
        try:
            return self.run_on(q, msg)
        except (GdbError, OSError) as e:
            # QEMU itself may have died (QEMU 7.2 aborts on some tdata1 values): say how.
            if q.proc.poll() is not None:
                err = q.proc.stderr.read().decode(errors="replace").strip().splitlines()
                raise GdbError("QEMU exited with %s%s" % (q.proc.returncode, ": " + err[-1] if err else "")) from e
            raise
        finally:
            self.retire(q)

    def run_on(self, q, msg):
        inputs = msg["inputs"]
        wanted_csrs = msg.get("csrs", [])
        self.start_state(q, inputs)
        breakpoints = self.trap_vector_addresses(q)
        for addr in breakpoints:
            q.gdb.ok(b"Z0,%x,4" % addr)
        try:
            q.gdb.send(b"c")
            stop = q.gdb.wait_stop(RUN_SECONDS)
            if stop is None:
                q.gdb.interrupt()
                q.gdb.wait_stop(5)
                raise GdbError("no trap reached the M-mode trap vector within %g s (the vector may loop, wait "
                               "for an interrupt that never comes, or move mtvec; this adapter cannot stop "
                               "at stop.maxInsns)" % RUN_SECONDS)
            if not stop.startswith((b"T", b"S")):
                raise GdbError("QEMU stopped with %r" % stop[:40])
            pc = q.read_reg(32)
            if pc not in breakpoints:
                raise GdbError("QEMU stopped at 0x%x, not at the trap vector (%r)" % (pc, stop[:40]))
        finally:
            for addr in breakpoints:
                q.gdb.command(b"z0,%x,4" % addr)
        cause, tval, epc = q.read_csr("mcause"), q.read_csr("mtval"), q.read_csr("mepc")
        mpp = (q.read_csr("mstatus") >> 11) & 3
        observation = {
            "x": {"x%d" % i: hex64(q.read_reg(i)) for i in range(1, 32)},
            "pc": hex64(epc),
            "priv": PRIV_NAME.get(mpp, "M"),
            "exit": {"kind": "trap", "cause": hex64(cause), "tval": hex64(tval), "epc": hex64(epc)},
        }
        if msg.get("observe"):
            observation["memory"] = [{"base": r["base"], "bytes": q.read_memory(int(r["base"], 16), r["length"]).hex()}
                                     for r in msg["observe"]]
        if wanted_csrs:
            observation["csrs"] = {name: hex64(q.read_csr(name)) for name in wanted_csrs}
        return observation

    def close(self):
        if self.spare is not None:
            self.retire(self.spare)
            self.spare = None
        for p in self.ended:
            p.wait()


def qemu_version():
    try:
        out = subprocess.run([QEMU, "--version"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return None
    m = re.search(r"version (\S+)", out)
    return m.group(1) if m else "unknown"


def main():
    version = qemu_version()
    if version is None:
        sys.stderr.write("qemu_gdb.py: %s is not installed (apt-get install qemu-system-misc)\n" % QEMU)
        return 1
    out = sys.stdout

    def reply(obj):
        out.write(json.dumps(obj) + "\n")
        out.flush()

    reply({"type": "hello", "protocol": 1, "name": "qemu-system-riscv64 (gdbstub, qemu_gdb.py)",
           "version": version, "capabilities": CAPABILITIES})
    adapter = Adapter()
    try:
        for line in sys.stdin:
            try:
                msg = json.loads(line)
            except ValueError:
                reply({"type": "error", "id": "", "message": "request is not JSON"})
                continue
            kind, rid = msg.get("type"), msg.get("id", "")
            if kind == "bye":
                break
            if kind != "run":
                reply({"type": "error", "id": rid, "message": "%s requests need the step capability, which this adapter does not declare" % kind})
                continue
            try:
                reply({"type": "result", "id": rid, "observation": adapter.run(msg)})
            except Unsupported as e:
                reply({"type": "error", "id": rid, "message": str(e)})
            except (KeyError, TypeError) as e:
                reply({"type": "error", "id": rid, "message": "bad request: a field this adapter needs is missing or malformed (%s)" % e})
            except (GdbError, OSError, ValueError) as e:
                reply({"type": "error", "id": rid, "message": "%s: %s" % (type(e).__name__, e)})
    finally:
        adapter.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
