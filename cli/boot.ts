// `devirt boot`: run a kernel on the reference machine the way `qemu-system-riscv64 -M virt`
// would. stdout carries exactly what the guest printed; the command's own messages go to stderr.

import * as fs from 'fs';
import { writeAllSync } from './files';
import * as path from 'path';
import { Command } from 'commander';
import { BlockBackend, InternalError, JIT_DEFAULT, MachineError } from '../reference/machine/machine';
import { FileBlockBackend } from '../reference/machine/devices/block-file';
import { ElfError, Symbolizer } from '../reference/tools/elf';
import { CliError, EXIT, signalExitCode } from './exit-codes';
import { BootSession, DOORBELL_CAUSE, DoorbellEvent, SessionStop } from '../reference/session';
import { parseCount, parseSize } from './size';
import type { BootConfig } from '../reference/session';
import { PLIC_GATEWAYS, PlicGateway } from '../reference/machine/devices/plic';
import { placeVirtioDevices, PlacementError } from '../reference/machine/devices/virtio-placement';
import { fileProblem } from '../harness/file-error';
import { GdbServer } from './gdb-server';
import { parseTraceItems, TraceItem, TraceLog } from '../reference/debug/trace-log';
import { fileSink } from './trace-sink';
import { Maintenance, MaintFlags, parseMaintFlags } from './maint';
import { EXCEPTION_NAMES, INTERRUPT_NAMES } from '../reference/machine/trap-causes';
import type { Hart } from '../reference/machine/hart';
import type { Machine, NicConfig } from '../reference/machine/machine';
import { formatMac, parseMac } from '../reference/machine/devices/virtio-net';
import { HostLink, parseUdpAddress, UdpAddress, UdpLink } from './net-udp';
import { ForwardRule, parseForward, UdpForward } from './net-forward';
import { pcapHeader, pcapRecord } from '../reference/tools/pcap';
import { describeDifference, firstDifference } from '../reference/machine/jit/lockstep';

export const DEFAULT_FIRMWARE = path.resolve(__dirname, '../../reference/firmware/build/microvisor.elf');
export const DEFAULT_MMODE_FIRMWARE = path.resolve(__dirname, '../../reference/firmware/mmode/build/mmode-fw.elf');

interface BootFlags extends MaintFlags {
  kernel: string; bios?: string; mmode?: string | boolean; doorbell?: string; drive: string[]; mem?: string; maxInsns?: string; trace?: boolean; append?: string;
  doorbellLog?: boolean; gdb?: string; gdbWait?: boolean; log?: string; logfile?: string; traceFrom?: string; traceTo?: string;
  initrd?: string; dtb?: string; virtioLegacy?: boolean; plicGateway?: string; reboot: boolean; dumpDtb?: string;
  nic: string[]; netUdp?: string; netForward: string[]; netDump?: string;
  jit?: boolean; lockstep?: boolean; semihosting?: boolean; semihostingCmdline?: string;
}

const collect = (v: string, all: string[]) => [...all, v];

function readImage(file: string, flag: string): Uint8Array {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new CliError(`${flag}: ${file} is not a file`);
    if (st.size === 0) throw new CliError(`${flag}: ${file} is empty (0 bytes)`);
    return new Uint8Array(fs.readFileSync(file));
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${flag}: cannot read ${file}: ${fileProblem(e)}`);
  }
}

export function registerBoot(program: Command): void {
  program
    .command('boot')
    .description('boot a kernel on the reference machine (QEMU virt layout)')
    .requiredOption('--kernel <file>', 'kernel image (ELF or raw binary)')
    .option('--bios <none|file>', 'firmware: "none" runs the kernel in M-mode from reset; default: the Microvisor')
    .option('--mmode [firmware]', 'the kernel owns M-mode (a -bios none kernel): start it under the Microvisor\'s M-mode firmware (default: the built one)')
    .option('--doorbell <events>', 'ring the management doorbell: AT:ACTION,... where AT is the number of instructions retired before the ring (strictly increasing) and ACTION is virtualize, devirtualize (alternating, starting with virtualize) or a nonzero numeric cause, e.g. 2000:virtualize,30000:devirtualize')
    .option('--doorbell-log', 'print each doorbell delivery (instruction count, action, pc) on stderr')
    .option('--drive <file[,slot=N]>', 'raw disk image for a virtio-blk device, in virtio-mmio slot N or the highest free one (repeatable)', collect, [])
    .option('--nic <mac|auto>', 'a virtio-net card on the machine\'s Ethernet switch: its MAC address (auto: QEMU\'s 52:54:00:12:34:56, then :57, ...), optionally ,slot=N; cards take slots after the drives (repeatable)', collect, [])
    .option('--net-udp <host:port>', 'connect the switch to the host as QEMU -netdev socket,udp=HOST:PORT,localaddr=...: each datagram is one Ethernet frame; add ,localaddr=HOST:PORT to choose where devirt listens (default: any free port on 127.0.0.1, reported on stderr); gives the machine a card if no --nic does')
    .option('--net-forward <rule>', 'forward a host UDP port to a guest\'s, as QEMU -netdev user,hostfwd=udp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT (HOSTADDR default 127.0.0.1, GUESTADDR 10.0.2.15): the host is slirp\'s gateway 10.0.2.2 on the switch, so ordinary host tools reach a guest service (repeatable; gives the machine a card if no --nic does)', collect, [])
    .option('--net-dump <file>', 'write every frame that enters the machine\'s switch to FILE as a pcap capture (Wireshark, tcpdump), time-stamped with guest time; as QEMU -object filter-dump')
    .option('--mem <size>', 'RAM size as QEMU -m: 128M, 1G, 134217728B; a bare number is MiB (default 128M)')
    .option('--max-insns <n>', 'stop after this many instructions (exit 124)')
    .option('--append <args>', 'kernel command line (/chosen/bootargs)')
    .option('--trace', 'print a symbolized, disassembled instruction trace (with the register each instruction wrote, and traps) on stderr; same as -d insn,int')
    .option('-d, --log <items>', 'QEMU -d: trace items, comma-separated: in_asm, exec (Spike --log-commits form), int, cpu, insn')
    .option('-D, --logfile <file>', 'QEMU -D: write the trace to FILE instead of stderr')
    .option('--trace-from <n>', 'start tracing when this many instructions have retired')
    .option('--trace-to <n>', 'stop tracing when this many instructions have retired')
    .option('--gdb <port>', 'serve the GDB remote protocol on tcp::PORT (127.0.0.1; 0 picks a free port, reported on stderr)')
    .option('--gdb-wait', 'with --gdb: stay stopped at the reset vector until a debugger attaches and continues (QEMU -S)')
    .option('--initrd <file>', 'initial RAM disk, loaded as QEMU -initrd and named in /chosen')
    .option('--dtb <file>', 'device tree to pass instead of the generated one (QEMU -dtb)')
    .option('--virtio-legacy', 'legacy (version 1) virtio-mmio transport, as QEMU -global virtio-mmio.force-legacy=true')
    .option('--plic-gateway <qemu|spec>', 'how the PLIC pends a level-triggered source: as QEMU 7.2 (default) or as the PLIC specification\'s gateway')
    .option('--no-reboot', 'a guest-requested reset ends the run (exit 0), as QEMU -no-reboot')
    .option('--semihosting', 'answer RISC-V semihosting calls from M and S mode (QEMU -semihosting): console output on stdout, SYS_EXIT ends the run with its status')
    .option('--semihosting-cmdline <text>', 'what SYS_GET_CMDLINE answers (QEMU -semihosting-config arg=...; default: the kernel file and --append)')
    .option('--maint-kernel <file>', 'a maintenance instance (conformance/maintenance-sbi.md): this kernel (ELF, or a Linux Image) is placed in the partition and created and started as instance 1 through the doorbell at --maint-at')
    .option('--maint-initrd <file>', "the maintenance instance's initial RAM disk (in its partition, named in its /chosen)")
    .option('--maint-append <args>', "the maintenance instance's command line (its /chosen/bootargs)")
    .option('--maint-at <n>', 'instruction count at which the host virtualizes, then creates (n + 100000) and starts (n + 200000) the maintenance instance')
    .option('--maint-console <file|stderr>', "where instance 1's console goes (created by --maint-kernel, or in band by instance 0): a file, or stderr as lines prefixed '[instance 1] ' (default)")
    .option('--jit', `translate hot code to WebAssembly (reference/machine/jit; nothing observable changes)${JIT_DEFAULT ? ' (default)' : ''}`)
    .option('--no-jit', `interpret every instruction (the definition)${JIT_DEFAULT ? '' : ' (default)'}`)
    .option('--lockstep', 'run an interpreting and a translating machine side by side; stop at the first difference (exit 4)')
    .option('--dump-dtb <file>', 'write the device tree the guest would get to FILE and exit (QEMU -M virt,dumpdtb=FILE)')
    .action(async (flags: BootFlags) => {
      process.exitCode = await boot(flags);
    });
}

async function boot(flags: BootFlags): Promise<number> {
  const ramSize = flags.mem ? parseSize(flags.mem, '--mem') : 128 * 1024 * 1024;
  const maxInsns = flags.maxInsns ? parseCount(flags.maxInsns, '--max-insns') : Infinity;
  const kernel = readImage(flags.kernel, '--kernel');
  let bios: Uint8Array | null;
  let biosName = flags.bios ?? DEFAULT_FIRMWARE;
  let mmodeFirmware: Uint8Array | null = null;
  const mmodeName = typeof flags.mmode === 'string' ? flags.mmode : DEFAULT_MMODE_FIRMWARE;
  if (flags.mmode !== undefined) {
    if (flags.bios === 'none') throw new CliError('--mmode: --bios none is what --mmode already means (the kernel owns M-mode, started under the M-mode firmware); drop --bios none, or drop --mmode to run the kernel bare');
    if (flags.bios !== undefined) throw new CliError(`--mmode: cannot be combined with --bios ${flags.bios} (a kernel that owns M-mode has no SBI firmware)`);
    mmodeFirmware = readImage(mmodeName, '--mmode');
    bios = null;
    biosName = 'none';
  } else if (flags.bios === 'none') bios = null;
  else if (flags.bios) bios = readImage(flags.bios, '--bios');
  else if (fs.existsSync(DEFAULT_FIRMWARE)) bios = readImage(DEFAULT_FIRMWARE, '--bios');
  else throw new CliError(`default firmware ${DEFAULT_FIRMWARE} is not built; pass --bios none or --bios FILE`);
  if (flags.lockstep && flags.jit !== undefined) throw new CliError(`--lockstep: runs both ways already; drop --${flags.jit ? '' : 'no-'}jit`);
  if (flags.lockstep && flags.gdb !== undefined) throw new CliError('--lockstep: cannot be combined with --gdb (the debugger would stop one machine only)');
  const maint = parseMaintFlags(flags);
  if (maint.events.length && flags.doorbell !== undefined) throw new CliError('--maint-at: cannot be combined with --doorbell (the maintenance schedule rings the doorbell itself)');
  const rings = maint.events.length ? maint.events : parseDoorbell(flags.doorbell);
  const trace = parseTraceFlags(flags);
  const gdbPort = flags.gdb === undefined ? undefined : parseGdbPort(flags.gdb);
  if (flags.gdbWait && gdbPort === undefined) throw new CliError('--gdb-wait: needs --gdb PORT (the port the debugger attaches to)');
  if (flags.plicGateway !== undefined && !(PLIC_GATEWAYS as readonly string[]).includes(flags.plicGateway)) {
    throw new CliError(`--plic-gateway: '${flags.plicGateway}' is not one of ${PLIC_GATEWAYS.join(', ')}`);
  }
  const extra = {
    initrd: flags.initrd ? readImage(flags.initrd, '--initrd') : null, initrdName: flags.initrd,
    dtb: flags.dtb ? readImage(flags.dtb, '--dtb') : null, dtbName: flags.dtb,
    virtioLegacy: flags.virtioLegacy ?? false, plicGateway: flags.plicGateway as PlicGateway | undefined,
    semihosting: flags.semihosting || flags.semihostingCmdline !== undefined
      ? { cmdline: flags.semihostingCmdline ?? [flags.kernel, flags.append].filter((x) => x).join(' ') } : null,
  };
  const wanted = flags.drive.map(parseDriveFlag);
  const udp = flags.netUdp === undefined ? null : parseNetUdp(flags.netUdp);
  const forwards = flags.netForward.map((r) => parseForward(r, '--net-forward'));
  if (flags.lockstep && (udp || forwards.length)) throw new CliError(`--lockstep: cannot be combined with ${udp ? '--net-udp' : '--net-forward'} (what the host sends is not replayed to the translating twin)`);
  if (udp && forwards.length) throw new CliError('--net-forward: cannot be combined with --net-udp (the switch has one link to the host: raw frames over UDP, or forwarded UDP ports)');
  const nicFlags = flags.nic.length || !(udp || forwards.length) ? flags.nic : ['auto'];
  const nicWanted = nicFlags.map(parseNicFlag);
  let slots: number[];
  try {
    // Drives first, then cards, each in the order given (a QEMU line states every slot itself).
    slots = placeVirtioDevices([...wanted.map((d) => d.slot), ...nicWanted.map((n) => n.slot)],
      (i) => (i < wanted.length ? `--drive ${flags.drive[i]}` : `--nic ${nicFlags[i - wanted.length]}`));
  } catch (e) {
    if (e instanceof PlacementError) throw new CliError(e.message);
    throw e;
  }
  const drives: { backend: TrackedDrive; slot: number }[] = [];
  const signals = new SignalStop();
  try {
    wanted.forEach((d, i) => drives.push({ backend: new TrackedDrive(openDrive(d.file)), slot: slots[i] }));
    const nics: NicConfig[] = nicWanted.map((n, i) => ({ slot: slots[wanted.length + i], mac: n.mac }));
    return await bootWith(flags, { ramSize, maxInsns, kernel, bios, biosName, drives, signals, mmodeFirmware, mmodeName, rings, extra, trace, gdbPort, nics, udp, forwards, maint });
  } finally {
    signals.detach();
    // Everything the guest wrote reaches the disk files, however the run ended.
    for (const d of drives) d.backend.close();
  }
}

/** The disk, knowing whether anything was written since the last fsync. */
class TrackedDrive implements BlockBackend {
  private dirty = false;
  constructor(private readonly inner: BlockBackend) {}
  get size(): number { return this.inner.size; }
  get readOnly(): boolean | undefined { return this.inner.readOnly; }
  read(offset: number, length: number): Uint8Array { return this.inner.read(offset, length); }
  write(offset: number, data: Uint8Array): void { this.dirty = true; this.inner.write(offset, data); }
  flush(): void { this.inner.flush(); this.dirty = false; }
  /** fsync only when there is something to sync. */
  sync(): void { if (this.dirty) this.flush(); }
  close(): void { this.inner.close?.(); }
}

/** A disk held in memory, starting as a copy of `d` (the lockstep twin's: the file stays the interpreter's). */
function memoryCopy(d: BlockBackend): BlockBackend {
  const bytes = d.read(0, d.size);
  return {
    size: bytes.length, readOnly: d.readOnly,
    read: (offset, length) => bytes.slice(offset, offset + length),
    write: (offset, data) => { bytes.set(data, offset); },
    flush: () => {},
  };
}

/**
 * SIGINT and SIGTERM end the run between chunks, so the console and the disk are flushed and
 * fsynced before devirt exits (128 + the signal number). While devirt blocks reading piped input
 * (where no handler could run), the default action applies again: the disk was synced just before.
 */
class SignalStop {
  stoppedBy: NodeJS.Signals | null = null;
  /** Wakes a wait for terminal input. */
  onStop: (() => void) | null = null;
  private readonly handler = (signal: NodeJS.Signals) => {
    if (this.stoppedBy) process.exit(signalExitCode(signal));
    this.stoppedBy = signal;
    this.onStop?.();
  };
  constructor() { this.attach(); }
  attach(): void { process.on('SIGINT', this.handler); process.on('SIGTERM', this.handler); }
  detach(): void { process.off('SIGINT', this.handler); process.off('SIGTERM', this.handler); }
}

/**
 * The capture file of --net-dump: the pcap header now, a record for every frame entering the
 * switch, stamped with guest time (so a scripted run's capture is the same every time).
 */
function openDump(file: string, network: Machine['network']): { fd: number; failed: string | null } {
  if (!network) throw new CliError('--net-dump: the machine has no network card (add --nic, --net-udp or --net-forward)');
  let fd: number;
  try {
    fd = fs.openSync(file, 'w');
    writeAllSync(fd, Buffer.from(pcapHeader()));
  } catch (e) {
    throw new CliError(`--net-dump: cannot write ${file}: ${fileProblem(e)}`);
  }
  const time = network.host;
  const dump = { fd, failed: null as string | null };
  // A write that fails (a full disk) ends the capture, not the run; it is reported at the end.
  network.switch.tap = (frame) => {
    const r = pcapRecord(time.now(), frame);
    try { writeAllSync(fd, Buffer.from(r.buffer, r.byteOffset, r.length)); } catch (e) {
      dump.failed = `--net-dump: writing ${file} failed (${fileProblem(e)}); the capture stops there`;
      network.switch.tap = null;
    }
  };
  return dump;
}

/** `MAC` or `auto`, optionally `,slot=N`. */
function parseNicFlag(text: string): { mac?: Uint8Array; slot?: number } {
  const m = /^([^,]*)(?:,slot=(\d+))?$/.exec(text.trim());
  if (!m) throw new CliError(`--nic: cannot read '${text}' (expected MAC or auto, optionally ,slot=N)`);
  const slot = m[2] === undefined ? undefined : Number(m[2]);
  if (m[1] === 'auto') return { slot };
  const mac = parseMac(m[1]);
  if (!mac) throw new CliError(`--nic: '${m[1]}' is not a MAC address (six hex octets, 52:54:00:12:34:56) or auto`);
  if (mac[0] & 1) throw new CliError(`--nic: ${m[1]} is a multicast address (the low bit of the first octet is set); a card needs a unicast one`);
  return { mac, slot };
}

/** `HOST:PORT[,localaddr=HOST:PORT]`. */
function parseNetUdp(text: string): { remote: UdpAddress; local: UdpAddress } {
  const [remoteText, ...rest] = text.split(',');
  const remote = parseUdpAddress(remoteText, '--net-udp');
  let local: UdpAddress = { host: remote.host.startsWith('127.') || remote.host === 'localhost' ? '127.0.0.1' : '0.0.0.0', port: 0 };
  for (const item of rest) {
    const m = /^localaddr=(.*)$/.exec(item);
    if (!m) throw new CliError(`--net-udp: '${item}' is not localaddr=HOST:PORT`);
    local = parseUdpAddress(m[1], '--net-udp localaddr', true);
  }
  return { remote, local };
}

/** `FILE` or `FILE,slot=N`. */
function parseDriveFlag(text: string): { file: string; slot?: number } {
  const m = /^(.*),slot=(\d+)$/.exec(text);
  return m ? { file: m[1], slot: Number(m[2]) } : { file: text };
}

function openDrive(file: string): BlockBackend {
  if (!fs.existsSync(file)) throw new CliError(`--drive: ${file} does not exist`);
  try {
    return new FileBlockBackend(file);
  } catch (e) {
    throw new CliError(`--drive: cannot open ${file}: ${fileProblem(e)}`);
  }
}

interface BootInputs {
  ramSize: number; maxInsns: number; kernel: Uint8Array; bios: Uint8Array | null; biosName: string;
  drives: { backend: TrackedDrive; slot: number }[]; signals: SignalStop;
  mmodeFirmware: Uint8Array | null; mmodeName: string; rings: DoorbellEvent[];
  extra: Pick<BootConfig, 'initrd' | 'initrdName' | 'dtb' | 'dtbName' | 'virtioLegacy' | 'plicGateway'>;
  trace: TraceFlags | null; gdbPort: number | undefined;
  nics: NicConfig[]; udp: { remote: UdpAddress; local: UdpAddress } | null; forwards: ForwardRule[];
  maint: Maintenance;
}

/** The run as a terminal program: the session runs the machine; this moves bytes and picks the exit code. */
async function bootWith(flags: BootFlags, { ramSize, maxInsns, kernel, bios, biosName, drives, signals, mmodeFirmware, mmodeName, rings, extra, trace, gdbPort, nics, udp, forwards, maint }: BootInputs): Promise<number> {
  const out: number[] = [];
  // Bytes the guest printed: a guest that only polls the UART after stdin ended (printing
  // nothing) is waiting for input that can never come.
  let printed = 0;
  // devirt's own messages start on a line of their own when they share a file with the guest's
  // output (a terminal, or 2>&1) and the guest's last line is unfinished.
  let guestLineOpen = false;
  const sharedOutput = sameFile(1, 2);
  // A final message comes after the trace's last line; a message during the run (a doorbell
  // delivery) among the trace's lines.
  const say = (message: string, final = true) => {
    flushOut();
    if (final && tracing) { tracing = false; log!.stop(m.hart); } else log?.flush();
    process.stderr.write((guestLineOpen && sharedOutput ? '\n' : '') + message + '\n');
    guestLineOpen = false;
  };
  // When whoever reads stdout goes away (`devirt boot ... | head`), the run ends as a pipeline's
  // writer does, quietly with SIGPIPE's status; the guest's output has nowhere to go.
  let stdoutGone = false;
  const flushOut = () => {
    if (!out.length) return;
    if (!stdoutGone) {
      try { writeAllSync(1, Buffer.from(out)); } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EPIPE') throw e;
        stdoutGone = true;
        session?.pause();
      }
    }
    out.length = 0;
  };
  let session: BootSession;
  let twin: BootSession | null = null;
  let twinPrinted = 0;
  // Console input the interpreter read, handed to the twin in the same order.
  const replay: Uint8Array[] = [];
  let replayed = 0;
  try {
    session = new BootSession({
      ramSize, bios, kernel, drives, nics, biosName, kernelName: flags.kernel, bootargs: flags.append, ...extra,
      mmodeFirmware, mmodeFirmwareName: mmodeName,
      captureConsole: false,
      onConsole: (b) => { out.push(b); printed++; guestLineOpen = b !== 10; if (out.length >= 4096 || b === 10) flushOut(); },
      onConsole1: maint.onConsole1,
      schedule: rings, maxInsns, onReset: flags.reboot === false ? 'stop' : 'reboot',
      jit: flags.lockstep ? false : flags.jit,
    });
    if (flags.lockstep) {
      // The translating twin: the same images, its own copies of the disks, the interpreter's
      // console input replayed to it byte for byte, its console compared by count.
      const twinDrives = drives.map((d) => ({ backend: memoryCopy(d.backend), slot: d.slot }));
      twin = new BootSession({
        ramSize, bios, kernel, drives: twinDrives, nics, biosName, kernelName: flags.kernel, bootargs: flags.append, ...extra,
        mmodeFirmware, mmodeFirmwareName: mmodeName, captureConsole: false, onConsole: () => { twinPrinted++; },
        schedule: rings, maxInsns, onReset: flags.reboot === false ? 'stop' : 'reboot', jit: true,
      });
    }
  } catch (e) {
    if (e instanceof ElfError || e instanceof MachineError) throw new CliError(/^bad memory size/.test(e.message) ? `--mem: ${e.message}` : e.message);
    // The host may not have the memory asked for: that is the flag's value, not a bug.
    if (e instanceof RangeError && /allocation failed/i.test(e.message)) throw new CliError(`--mem: cannot allocate ${ramSize} bytes of guest RAM on this host (${e.message})`);
    throw e;
  }
  const m = session.machine;
  if (flags.dumpDtb !== undefined) {
    try { fs.writeFileSync(flags.dumpDtb, m.fdt); } catch (e) {
      throw new CliError(`--dump-dtb: cannot write ${flags.dumpDtb}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    process.stderr.write(`devirt: device tree written to ${flags.dumpDtb} (${m.fdt.length} bytes)\n`);
    return 0;
  }
  const log = trace ? new TraceLog(trace.items, trace.file ? fileSink(trace.file) : fileSink(null), new Symbolizer(m.symbols)) : null;
  let tracing = false;
  const dump = flags.netDump === undefined ? null : openDump(flags.netDump, m.network);
  // The switch's link to the host: the one input that depends on the host's timing (net-udp.ts).
  const link: HostLink | null = udp ? await UdpLink.open(udp.remote, udp.local, '--net-udp')
    : forwards.length ? await UdpForward.open(forwards, '--net-forward') : null;
  const host = m.network?.host ?? null;
  let gdb: GdbServer | null;
  try {
    gdb = gdbPort === undefined ? null : await GdbServer.listen({ port: gdbPort, waitForAttach: flags.gdbWait === true }, () => m.hart);
  } catch (e) {
    await link?.close();
    throw e;
  }
  if (link && host) {
    link.attach(host);
    const cards = m.network!.nics.map((n) => formatMac(n.mac)).join(', ');
    say(`devirt: network: card ${cards} on the switch; ${link.describe()}`, false);
  }

  if (gdb) say(`devirt: gdb stub listening on tcp::${gdb.port}${flags.gdbWait ? ' (waiting for the debugger at the reset vector)' : ''}`, false);
  // Doorbell deliveries (the session rings them) are told as soon as they are seen: before the
  // next instruction or trap when tracing, after the chunk otherwise.
  let told = 0;
  const tellDeliveries = () => {
    while (told < session.delivered.length) {
      const d = session.delivered[told++];
      const text = `devirt: doorbell ${d.action} delivered at instruction ${d.at}`;
      if (flags.doorbellLog) say(text, false);
      if (tracing) log!.note(text, m.hart);
    }
  };
  // One hook before each instruction serves the debugger (which may stop before it) and the trace.
  const tracer = (h: typeof m.hart, pc: number, bits: number, len: number): boolean => {
    const stub = gdb?.stub;
    if (stub && stub.wantsTracer && stub.beforeInstruction(h, pc, bits)) return true;
    if (tracing && log!.perInstruction) {
      if (told !== session.delivered.length) tellDeliveries();
      if (h.priv !== lastPriv) noteInstance(h);
      log!.beforeInstruction(h, pc, bits, len);
    }
    return false;
  };
  // The trace names the instance that runs (conformance/maintenance-sbi.md): the firmware's
  // mv_current_instance, read when the hart leaves M-mode, and told when it changes.
  const currentSym = m.symbols.find((s) => s.name === 'mv_current_instance');
  let lastPriv = 3, lastInstance = 0;
  const noteInstance = (h: typeof m.hart) => {
    const leftM = lastPriv === 3;
    lastPriv = h.priv;
    if (!leftM || !currentSym) return;
    const id = Number(new DataView(m.readBytes(BigInt(currentSym.value), 8).buffer).getBigUint64(0, true));
    if (id !== lastInstance) { lastInstance = id; log!.note(`devirt: instance ${id} runs`, h); }
  };
  // Every trap entry is seen (traps are rare, so this costs the run nothing): for -d int, and to
  // notice a hart that takes the same trap over and over with no instruction retiring in between
  // (a -bios none kernel trapping to mtvec 0, a garbage image), where QEMU would spin forever.
  const STUCK_TRAPS = 10_000;
  let same = { instret: -1, cause: -1n, epc: -1n, count: 0 };
  let stuck = false;
  m.hart.onTrap = (h, cause, tval, epc, from, rnmi) => {
    if (h.instret === same.instret && cause === same.cause && epc === same.epc && !stuck) {
      if (++same.count >= STUCK_TRAPS) { stuck = true; same.count = 0; session.pause(); }
    } else same = { instret: h.instret, cause, epc, count: 0 };
    if (tracing) {
      if (told !== session.delivered.length) tellDeliveries();
      // A trap from S or U: the instance that took it is the firmware's current one.
      if (from !== 3) { lastPriv = 3; noteInstance(h); }
      log!.onTrap(h, cause, tval, epc, from, rnmi);
    }
  };

  const stdinIsTty = process.stdin.isTTY === true;
  const input = stdinIsTty ? new TerminalInput() : null;
  signals.onStop = () => { input?.interrupt(); gdb?.abort(); link?.interrupt(); };
  let stdinEnded = false;
  // Piped or redirected stdin is read as the guest asks for it, so runs are reproducible. What the
  // guest printed so far (a prompt without a newline) is out before the read may block, so that a
  // program driving the guest through a pipe sees the prompt it waits for, as with QEMU.
  if (!stdinIsTty) {
    m.uart.setInputSource(() => {
      flushOut();
      for (const d of drives) d.backend.sync();
      signals.detach();
      try { const b = readStdinSync(); if (b === null) stdinEnded = true; else replay.push(b); return b; } finally { signals.attach(); }
    });
  }
  twin?.machine.uart.setInputSource(() => (replayed < replay.length ? replay[replayed++] : null));

  const stopped = (signal: NodeJS.Signals) => {
    say(`devirt: stopped by ${signal} (pc 0x${m.hart.getPc().toString(16)}); console and disk flushed`);
    return signalExitCode(signal);
  };
  const terminated = () => { say('devirt: terminated (Ctrl-A x)'); return EXIT.hang; };
  // Terminal input and signals get in between chunks of this many instructions.
  // In lockstep the machines are compared after each chunk: shorter chunks place a difference closer.
  const CHUNK = flags.lockstep ? 10_000 : 2_000_000;
  // With a debugger attached, chunks are short so that Ctrl-C from GDB stops the guest promptly.
  const GDB_CHUNK = 100_000;
  const traceFrom = trace?.from ?? Infinity, traceTo = trace?.to ?? Infinity;
  const progress = process.stderr.isTTY && !sharedOutput && !trace ? new Progress() : null;
  try {
    for (;;) {
      progress?.show(m.hart.instret, m.hart.mtime());
      if (gdb) {
        flushOut();
        const go = await gdb.gate();
        if (signals.stoppedBy) return stopped(signals.stoppedBy);
        if (go === 'kill') { say('devirt: killed by the debugger'); return EXIT.ok; }
      }
      if (input?.pending.length) {
        const typed = Uint8Array.from(input.pending.splice(0));
        m.uart.pushInput(typed);
        twin?.machine.uart.pushInput(typed);
      }
      link?.drain();
      if (log && !tracing && m.hart.instret >= traceFrom && m.hart.instret < traceTo) { tracing = true; log.start(m.hart); }
      if (tracing && m.hart.instret >= traceTo) { tracing = false; log!.stop(m.hart); }
      const insns = Math.min(gdb?.stub ? GDB_CHUNK : CHUNK,
        !tracing && m.hart.instret < traceFrom ? traceFrom - m.hart.instret : tracing ? traceTo - m.hart.instret : Infinity);
      m.hart.tracer = (gdb?.stub?.wantsTracer || (tracing && log!.perInstruction)) ? tracer : null;
      const pollsBefore = m.uart.dryPollCount;
      const printedBefore = printed;
      let stop: SessionStop;
      try {
        stop = session.run({ insns });
      } catch (e) {
        if (e instanceof InternalError) throw new CliError(e.message, EXIT.internal);
        throw e;
      }
      if (twin !== null) {
        const from = twin.machine.hart.instret;
        const other = twin.run({ insns });
        const diff = other.kind !== stop.kind ? ['stop', stop.kind, other.kind]
          : firstDifference(m, twin.machine, stop.kind !== 'slice', false)
            ?? (printed !== twinPrinted ? ['console bytes', String(printed), String(twinPrinted)] : null);
        if (diff !== null) {
          say(describeDifference({ from, chunk: insns, field: diff[0], interpreter: diff[1], translator: diff[2] }));
          return EXIT.lockstep;
        }
      }
      if (stdoutGone) return signalExitCode('SIGPIPE');
      if (progress && stop.kind !== 'slice') progress.clear();
      tellDeliveries();
      if (stuck && gdb?.stub) {
        // Under a debugger the stuck hart is shown to it (SIGSEGV, as a fault) instead of ending the run.
        say(stuckMessage(m.hart), false);
        stuck = false;
        gdb.stub.faulted();
        continue;
      }
      if (stuck) { say(stuckMessage(m.hart)); return EXIT.stuck; }
      // The debugger's breakpoint, step or watchpoint stopped the run before an instruction.
      if (stop.kind === 'paused' && gdb?.stub?.halted) { gdb.stub.stoppedAtBreak(); continue; }
      switch (stop.kind) {
        case 'exit':
          flushOut();
          gdb?.exited(stop.code);
          return stop.code;
        case 'limit':
          say(`devirt: stopped after --max-insns ${maxInsns} instructions (pc 0x${m.hart.getPc().toString(16)})`);
          return EXIT.hang;
        case 'idle': {
          flushOut();
          if (link) {
            // The guest waits for a frame or a key (piped input is read first, as without a
            // network; from a terminal, whichever comes first wakes it). Only a signal or
            // Ctrl-A x ends the wait, as QEMU's would not end either.
            if (input === null && m.uart.pullInput()) continue;
            const keys = input && !input.ended ? input.next() : new Promise<boolean>(() => undefined);
            await Promise.race([link.next(), keys]);
            if (signals.stoppedBy) return stopped(signals.stoppedBy);
            if (input?.quit) return terminated();
            continue;
          }
          // Only input can wake the guest now.
          const more = input === null ? m.uart.pullInput() : await input.next();
          if (signals.stoppedBy) return stopped(signals.stoppedBy);
          if (more) continue;
          if (input?.quit) return terminated();
          say(`devirt: guest is waiting for an interrupt that can never come (wfi at pc 0x${m.hart.getPc().toString(16)}, no timer armed, no input)`);
          return EXIT.hang;
        }
        case 'slice':
        case 'paused':
        case 'breakpoint':
          // Piped input ended and the guest does nothing but poll the UART for more.
          if (stdinEnded && stop.kind === 'slice' && printed === printedBefore && m.uart.dryPollCount - pollsBefore >= 1000) {
            say(`devirt: stdin ended and the guest keeps polling the UART for more input (pc 0x${m.hart.getPc().toString(16)}); stopping, where QEMU's -serial stdio would wait forever`);
            return EXIT.hang;
          }
          // Keys typed before Ctrl-A x have had this chunk to reach the guest.
          if (input?.quit) return terminated();
          // Let terminal input and signals in between chunks.
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (signals.stoppedBy) return stopped(signals.stoppedBy);
      }
    }
  } finally {
    flushOut();
    maint.flush();
    input?.close();
    if (tracing) log!.stop(m.hart);
    gdb?.close();
    await link?.close();
    if (dump !== null) {
      fs.closeSync(dump.fd);
      if (dump.failed) say(`devirt: ${dump.failed}`);
    }
  }
}

/** The hart traps again and again without retiring anything: name the trap. */
function stuckMessage(h: Hart): string {
  const m = h.priv === 3;
  const cause = h.readCsr(m ? 0x342 : 0x142), epc = h.readCsr(m ? 0x341 : 0x141), tval = h.readCsr(m ? 0x343 : 0x143);
  const async = cause >> 63n === 1n, code = Number(cause & 0xffffn);
  const desc = (async ? INTERRUPT_NAMES[code] : EXCEPTION_NAMES[code]) ?? `cause ${code}`;
  return `devirt: hart stuck: it takes the same trap over and over with no instruction retiring (${desc}, ${m ? 'm' : 's'}cause 0x${cause.toString(16)}, epc 0x${epc.toString(16)}, tval 0x${tval.toString(16)}, pc 0x${h.getPc().toString(16)}); is the kernel built for this machine and mode?`;
}

/** Whether two file descriptors are the same open file (a terminal, or 2>&1). */
/**
 * A status line on a terminal's stderr while a long run goes on (guest instructions, guest time,
 * MIPS), at most once a second and only when the guest's output goes elsewhere: never in pipes,
 * never mixed into the console. The wall clock here times the host, never the guest.
 */
class Progress {
  private readonly started = Date.now();
  private last = this.started;
  private shown = false;
  show(instret: number, mtime: number): void {
    const now = Date.now();
    if (now - this.last < 1000) return;
    this.last = now;
    const mips = instret / 1e6 / Math.max(0.001, (now - this.started) / 1000);
    process.stderr.write(`\rdevirt: ${(instret / 1e6).toFixed(1)} M instructions, guest time ${(mtime / 10_000_000).toFixed(3)} s, ${mips.toFixed(1)} MIPS\x1b[K`);
    this.shown = true;
  }
  clear(): void { if (this.shown) { process.stderr.write('\r\x1b[K'); this.shown = false; } }
}

function sameFile(a: number, b: number): boolean {
  try {
    const x = fs.fstatSync(a), y = fs.fstatSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch { return false; }
}

interface TraceFlags { items: TraceItem[]; file: string | null; from: number; to: number }

function parseTraceFlags(flags: BootFlags): TraceFlags | null {
  const items: TraceItem[] = [];
  if (flags.trace) items.push('insn', 'int');
  if (flags.log !== undefined) {
    try { items.push(...parseTraceItems(flags.log, '-d')); } catch (e) { throw new CliError((e as Error).message); }
    if (!flags.log.trim()) throw new CliError("-d: no trace items (expected in_asm, exec, int, cpu or insn)");
  }
  const from = flags.traceFrom === undefined ? 0 : parseCount(flags.traceFrom, '--trace-from');
  const to = flags.traceTo === undefined ? Infinity : parseCount(flags.traceTo, '--trace-to');
  if (!items.length) {
    for (const [flag, given] of [['-D', flags.logfile], ['--trace-from', flags.traceFrom], ['--trace-to', flags.traceTo]] as const) {
      if (given !== undefined) throw new CliError(`${flag}: nothing to trace (add -d ITEMS or --trace)`);
    }
    return null;
  }
  if (to <= from) throw new CliError(`--trace-to: ${flags.traceTo} is not after --trace-from ${from} (the window would be empty)`);
  return { items, file: flags.logfile ?? null, from, to };
}

function parseGdbPort(text: string): number {
  const m = /^(?:tcp::)?(\d+)$/.exec(text.trim());
  const port = m ? Number(m[1]) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new CliError(`--gdb: bad port '${text}' (expected a TCP port number, 0 for any free port)`);
  return port;
}


/** Blocking read of whatever stdin has next (a pipe or file); null at end of input. */
function readStdinSync(): Uint8Array | null {
  const buf = Buffer.alloc(4096);
  for (;;) {
    try {
      const n = fs.readSync(0, buf, 0, buf.length, null);
      return n === 0 ? null : new Uint8Array(buf.subarray(0, n));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); continue; }
      if (code === 'EOF') return null;
      throw new CliError(`cannot read stdin: ${code ?? (e as Error).message}`);
    }
  }
}

/** Keys typed on an interactive terminal, delivered to the UART between chunks as they arrive. */
class TerminalInput {
  readonly pending: number[] = [];
  quit = false;
  private escape = false;
  private endedFlag = false;
  private wake: (() => void) | null = null;
  constructor() {
    const stdin = process.stdin;
    stdin.setRawMode?.(true);
    stdin.on('data', (d: Buffer) => {
      for (const b of d) {
        // Ctrl-A x leaves, as in QEMU's -nographic console (raw mode swallows Ctrl-C).
        if (this.quit) break;
        if (this.escape && (b === 0x78 || b === 0x58)) { this.quit = true; this.endedFlag = true; }
        else if (!(this.escape = b === 0x01)) this.pending.push(b);
      }
      this.wake?.();
    });
    stdin.on('end', () => { this.endedFlag = true; this.wake?.(); });
    stdin.on('error', () => { this.endedFlag = true; this.wake?.(); });
  }
  /** The terminal closed (or Ctrl-A x): no more keys will come. */
  get ended(): boolean { return this.endedFlag; }
  /** A signal arrived: stop waiting for keys. */
  interrupt(): void { this.endedFlag = true; this.wake?.(); }
  /** Wait for a key; false once the terminal has closed. */
  async next(): Promise<boolean> {
    if (!this.pending.length && !this.endedFlag) await new Promise<void>((resolve) => { this.wake = resolve; });
    this.wake = null;
    return this.pending.length > 0;
  }
  close(): void {
    process.stdin.setRawMode?.(false);
    process.stdin.pause();
    process.stdin.destroy();
  }
}

/**
 * `AT:ACTION,...`: ring the doorbell when AT instructions have retired; ACTION is virtualize,
 * devirtualize or a nonzero numeric cause. Only schedules that can happen as written are taken:
 * counts strictly increasing, and virtualize/devirtualize alternating from the Microvisor's
 * dormant start (anything else would be a ring that does nothing).
 */
function parseDoorbell(text: string | undefined): DoorbellEvent[] {
  if (text === undefined) return [];
  let virtualized = false;
  let last = -1;
  return text.split(',').map((item) => {
    const m = /^(\d+):(virtualize|devirtualize|\d+)$/.exec(item.trim());
    if (!m) throw new CliError(`--doorbell: bad event '${item}' (expected AT:virtualize, AT:devirtualize or AT:CAUSE)`);
    const cause = m[2] === 'virtualize' ? DOORBELL_CAUSE.virtualize : m[2] === 'devirtualize' ? DOORBELL_CAUSE.devirtualize : Number(m[2]);
    const at = Number(m[1]);
    if (!Number.isSafeInteger(at)) throw new CliError(`--doorbell: instruction count ${m[1]} in '${item}' is too large`);
    if (at === last) throw new CliError(`--doorbell: two events at instruction ${at} ('${item}'): one ring per instruction count`);
    if (at < last) throw new CliError(`--doorbell: '${item}' comes before the event at ${last}: list events in the order they happen`);
    if (cause === 0) throw new CliError(`--doorbell: '${item}' rings with cause 0, which the doorbell ignores`);
    if (cause === DOORBELL_CAUSE.virtualize || cause === DOORBELL_CAUSE.devirtualize) {
      const v = cause === DOORBELL_CAUSE.virtualize;
      if (v === virtualized) throw new CliError(`--doorbell: '${item}' would do nothing: the machine is ${virtualized ? 'already virtualized' : 'not virtualized'} then`);
      virtualized = v;
    }
    last = at;
    return { at, cause, label: cause === DOORBELL_CAUSE.virtualize ? 'virtualize' : cause === DOORBELL_CAUSE.devirtualize ? 'devirtualize' : `cause ${cause}` };
  });
}
