// QEMU's spelling of `devirt boot`: `qemu-system-riscv64 -M virt ...` options translated into
// devirt's own long options, so that a Makefile's `qemu-system-riscv64 $(QEMUOPTS)` runs with
// `npx devirt boot $(QEMUOPTS)` in its place. One table says, for every QEMU option devirt knows,
// what it becomes or why the platform cannot have it; an option in neither is refused too.
// Nothing is silently ignored: an option either changes the run, is harmless by construction
// (devirt is always -nographic), or is refused with one line naming it (exit 2).

import { CliError } from './exit-codes';
import { placeVirtioDevices, PlacementError } from '../reference/machine/devices/virtio-placement';
import { assignMacs, formatMac, parseMac } from '../reference/machine/devices/virtio-net';

/** What a devirt long option of `devirt boot` looks like to the translator. */
export interface KnownOption { takesValue: boolean }

/** A QEMU command line while it is being read. */
interface QemuLine {
  out: string[];
  /** -drive id= -> file, for -device drive=ID. */
  drives: Map<string, { file: string; used: boolean }>;
  /** virtio devices in command-line order: a disk's file or a card's MAC, and the slot asked for (undefined: QEMU's choice). */
  virtio: ({ kind: 'disk'; file: string; bus?: number; what: string } | { kind: 'nic'; mac?: string; bus?: number; netdev?: string; what: string })[];
  /** -netdev id= -> the socket netdev's addresses (only `socket,udp=,localaddr=` exists on the platform). */
  netdevs: Map<string, { link: string[]; used: boolean }>;
  /** -object filter-dump's file. */
  dump?: string;
  legacy: boolean | undefined;
  serials: number;
  gdbPort?: string;
  gdbWait: boolean;
  /** -semihosting, or -semihosting-config enable=on; its arg= values (SYS_GET_CMDLINE). */
  semihosting?: boolean;
  semihostingArgs: string[];
  /** A QEMU-only option was used (-d and -D are devirt's own short options too). */
  qemuSpelled: boolean;
  notes: string[];
}

interface QemuOption {
  /** The option takes the next argument as its value. */
  arg: boolean;
  /** Accepted: what it does to the line. */
  apply?: (value: string, line: QemuLine, name: string) => void;
  /** Refused: why the platform does not have it. */
  refuse?: string;
}

const fail = (name: string, why: string): never => { throw new CliError(`${name}: ${why}`); };

/** QEMU's `key=value,key=value` with the first item optionally bare (`virt,aclint=off`). */
function properties(text: string, name: string, bareKey: string): Map<string, string> {
  const out = new Map<string, string>();
  // QEMU escapes a comma inside a value by doubling it.
  const items = text.replace(/,,/g, '\u0000').split(',').map((s) => s.replace(/\u0000/g, ','));
  items.forEach((item, i) => {
    const eq = item.indexOf('=');
    if (eq < 0) {
      if (i === 0) out.set(bareKey, item);
      else out.set(item, 'on'); // QEMU's `flag` shorthand for flag=on
    } else out.set(item.slice(0, eq), item.slice(eq + 1));
  });
  if ([...out.keys()].some((k) => k === '')) fail(name, `cannot read '${text}'`);
  return out;
}

const onOff = (v: string, name: string): boolean => {
  if (/^(on|true|yes)$/.test(v)) return true;
  if (/^(off|false|no)$/.test(v)) return false;
  return fail(name, `'${v}' is not on/off or true/false`);
};

/** Machine properties of QEMU 7.2's virt that change nothing the platform models. */
const HARMLESS_MACHINE_PROPS: Record<string, (v: string) => boolean> = {
  // The platform has the CLINT and the PLIC: QEMU's defaults, which these spell out.
  aclint: (v) => /^(off|false|no)$/.test(v),
  aia: (v) => v === 'none',
  accel: (v) => v === 'tcg',
  // The platform has no ACPI tables, no PCI and no graphics whatever they say.
  acpi: (v) => /^(off|false|no)$/.test(v),
  graphics: () => true,
  usb: (v) => /^(off|false|no)$/.test(v),
};

function machine(value: string, line: QemuLine, name: string): void {
  const props = properties(value, name, 'type');
  const type = props.get('type');
  if (type !== undefined && type !== 'virt') fail(name, `machine '${type}' is not the platform: devirt is QEMU's 'virt' only`);
  props.delete('type');
  for (const [k, v] of props) {
    if (k === 'dumpdtb') { line.out.push('--dump-dtb', v); continue; }
    const ok = HARMLESS_MACHINE_PROPS[k];
    if (!ok) fail(name, `virt property '${k}' is not supported by the platform`);
    if (!ok(v)) fail(name, `virt property ${k}=${v} is not what the platform has`);
  }
}

function drive(value: string, line: QemuLine, name: string): void {
  const p = properties(value, name, 'file');
  const file = p.get('file');
  if (!file) fail(name, `'${value}' has no file=`);
  const iface = p.get('if') ?? 'ide';
  const format = p.get('format');
  if (format !== undefined && format !== 'raw') fail(name, `format=${format}: the platform's virtio-blk takes raw images only`);
  if (format === undefined) line.notes.push(`${name} file=${file}: no format= given, read as raw (QEMU would probe it and warn)`);
  const media = p.get('media');
  if (media !== undefined && media !== 'disk') fail(name, `media=${media}: the platform has no CD-ROM`);
  for (const k of p.keys()) {
    if (!['file', 'if', 'format', 'id', 'media', 'index'].includes(k)) fail(name, `property '${k}' is not supported (devirt knows file, if, format, id, media)`);
  }
  if (iface === 'none') {
    const id = p.get('id');
    if (!id) fail(name, `if=none needs an id= for -device ...,drive=ID`);
    if (line.drives.has(id!)) fail(name, `duplicate id '${id}'`);
    line.drives.set(id!, { file: file!, used: false });
  } else if (iface === 'virtio') {
    // QEMU 7.2's virt puts if=virtio on virtio-blk-pci; the platform has no PCI, so the disk goes
    // where a -device virtio-blk-device without bus= would: the highest free virtio-mmio slot.
    line.virtio.push({ kind: 'disk', file: file!, what: `${name} file=${file}` });
    line.notes.push(`${name} file=${file},if=virtio: attached to virtio-mmio (QEMU's virt would attach it to PCI, which the platform does not have)`);
  } else {
    fail(name, `if=${iface}: the platform has no ${iface} controller (use if=none with -device virtio-blk-device,drive=ID)`);
  }
}

/** `bus=virtio-mmio-bus.N` -> N. */
function busSlot(bus: string | undefined, name: string): number | undefined {
  if (bus === undefined) return undefined;
  const m = /^virtio-mmio-bus\.(\d+)$/.exec(bus);
  if (!m) fail(name, `bus=${bus}: the platform's virtio buses are virtio-mmio-bus.0 to virtio-mmio-bus.7`);
  return Number(m![1]);
}

/** A MAC property as QEMU spells it; a multicast address is refused, as QEMU does. */
function macProperty(v: string, name: string): string {
  const mac = parseMac(v);
  if (!mac) fail(name, `mac=${v} is not a MAC address (six hex octets, 52:54:00:12:34:56)`);
  if (mac![0] & 1) fail(name, `mac=${v} is a multicast address; a card needs a unicast one`);
  return v;
}

/**
 * -netdev socket,id=ID,udp=HOST:PORT,localaddr=HOST:PORT (QEMU's datagram socket backend: one frame
 * per datagram) or -netdev user,id=ID[,hostfwd=udp:...]... (slirp, of which devirt has the UDP
 * port forwarding): the switch's link to the host. The other backends are not the platform's.
 */
function netdev(value: string, line: QemuLine, name: string): void {
  // hostfwd= may be given several times: read the items in order rather than as a map.
  const items = value.replace(/,,/g, '\u0000').split(',').map((x) => x.replace(/\u0000/g, ','));
  const type = items.shift()!;
  const props: [string, string][] = items.map((item) => {
    const eq = item.indexOf('=');
    if (eq <= 0) fail(name, `cannot read '${item}' in '${value}'`);
    return [item.slice(0, eq), item.slice(eq + 1)];
  });
  const get = (k: string) => props.find(([key]) => key === k)?.[1];
  const id = get('id');
  let link: string[];
  if (type === 'socket') {
    for (const [k] of props) {
      if (['listen', 'connect', 'mcast', 'fd'].includes(k)) fail(name, `socket ${k}=: devirt connects over UDP only (udp=HOST:PORT,localaddr=HOST:PORT)`);
      if (!['id', 'udp', 'localaddr'].includes(k)) fail(name, `socket property '${k}' is not supported (devirt knows id, udp, localaddr)`);
    }
    const udp = get('udp'), localaddr = get('localaddr');
    if (!udp) fail(name, 'socket needs udp=HOST:PORT (devirt connects over UDP only)');
    // QEMU: "localaddr= is mandatory with udp=".
    if (!localaddr) fail(name, 'socket,udp= needs localaddr=HOST:PORT, as on QEMU');
    link = ['--net-udp', `${udp},localaddr=${localaddr}`];
  } else if (type === 'user') {
    for (const [k, v] of props) {
      if (k === 'hostfwd' && !v.startsWith('udp:')) fail(name, `hostfwd=${v}: devirt forwards UDP only (hostfwd=udp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT)`);
      if (!['id', 'hostfwd'].includes(k)) fail(name, `user property '${k}' is not supported (devirt's user network is slirp's defaults, 10.0.2.2 for the host and 10.0.2.15 for the guest, with hostfwd=udp:...)`);
    }
    link = props.filter(([k]) => k === 'hostfwd').flatMap(([, v]) => ['--net-forward', v]);
  } else {
    return fail(name, `'${type}': the platform's network backends are socket,udp=HOST:PORT,localaddr=HOST:PORT (QEMU's datagram socket) and user,hostfwd=udp:... (UDP port forwarding)`);
  }
  if (!id) fail(name, 'needs an id= for -device virtio-net-device,netdev=ID');
  if (line.netdevs.has(id!)) fail(name, `duplicate id '${id}'`);
  if (line.netdevs.size) fail(name, 'the platform has one link from its switch to the host; a second -netdev has nowhere to go');
  line.netdevs.set(id!, { link, used: false });
}

/** -nic socket|user,...,model=virtio-net-device[,mac=]: a netdev and its card in one. */
function nic(value: string, line: QemuLine, name: string): void {
  const items = value.split(',');
  const prop = (k: string) => items.find((x) => x.startsWith(`${k}=`))?.slice(k.length + 1);
  const model = prop('model');
  // QEMU's default -nic model on virt is virtio-net-pci; the platform has no PCI.
  if (model !== 'virtio-net-device') fail(name, `model=${model ?? '(default: virtio-net-pci)'}: the platform has no PCI; give model=virtio-net-device`);
  const mac = prop('mac');
  const id = `#nic${line.netdevs.size}`; // "#" is not allowed in QEMU ids: no clash with a -netdev id
  netdev([...items.filter((x) => !/^(model|mac)=/.test(x)), `id=${id}`].join(','), line, name);
  line.netdevs.get(id)!.used = true;
  line.virtio.push({ kind: 'nic', mac: mac === undefined ? undefined : macProperty(mac, name), what: `${name} ${value}` });
}

function netDevice(p: Map<string, string>, value: string, line: QemuLine, name: string): void {
  for (const k of p.keys()) if (!['driver', 'netdev', 'mac', 'bus', 'id'].includes(k)) fail(name, `virtio-net-device property '${k}' is not supported (devirt knows netdev, mac, bus, id)`);
  // The netdev is looked up once the whole line is read: QEMU creates every -netdev before any -device.
  const mac = p.get('mac');
  line.virtio.push({ kind: 'nic', mac: mac === undefined ? undefined : macProperty(mac, name), bus: busSlot(p.get('bus'), name), netdev: p.get('netdev'), what: `${name} ${value}` });
}

function device(value: string, line: QemuLine, name: string): void {
  const p = properties(value, name, 'driver');
  const model = p.get('driver')!;
  if (model === 'virtio-net-device') { netDevice(p, value, line, name); return; }
  if (model.startsWith('virtio-net')) fail(name, `${model}: the platform has no PCI; its network card is virtio-net-device`);
  if (model !== 'virtio-blk-device') fail(name, `device model '${model}' is not on the platform (it has virtio-blk-device and virtio-net-device)`);
  for (const k of p.keys()) if (!['driver', 'drive', 'bus', 'id'].includes(k)) fail(name, `virtio-blk-device property '${k}' is not supported (devirt knows drive, bus, id)`);
  const id = p.get('drive');
  if (!id) fail(name, `virtio-blk-device needs drive=ID`);
  const d = line.drives.get(id!);
  if (!d) fail(name, `drive=${id}: no -drive ...,if=none,id=${id} before it`);
  if (d!.used) fail(name, `drive=${id} is already attached to another device`);
  d!.used = true;
  line.virtio.push({ kind: 'disk', file: d!.file, bus: busSlot(p.get('bus'), name), what: `${name} ${value}` });
}

/** -object filter-dump,id=ID,netdev=ID,file=FILE: a capture of the network (devirt's is of the whole switch). */
function object(value: string, line: QemuLine, name: string): void {
  const p = properties(value, name, 'type');
  if (p.get('type') !== 'filter-dump') fail(name, `'${p.get('type')}': devirt has no QEMU objects but filter-dump (memory backends, RNG sources, ...)`);
  for (const k of p.keys()) if (!['type', 'id', 'netdev', 'file'].includes(k)) fail(name, `filter-dump property '${k}' is not supported (devirt knows id, netdev, file)`);
  const file = p.get('file');
  if (!file) fail(name, 'filter-dump needs file=FILE');
  if (line.dump !== undefined) fail(name, 'a second filter-dump: devirt captures the whole switch once');
  line.dump = file;
  line.out.push('--net-dump', file!);
}

function global(value: string, line: QemuLine, name: string): void {
  const m = /^virtio-mmio\.force-legacy=(.*)$/.exec(value);
  if (!m) fail(name, `'${value}': devirt knows only virtio-mmio.force-legacy=true|false`);
  line.legacy = onOff(m![1], name);
}

function serial(value: string, line: QemuLine, name: string): void {
  if (++line.serials > 1) fail(name, 'the platform has one UART (a second -serial has nowhere to go)');
  if (value !== 'mon:stdio' && value !== 'stdio') fail(name, `'${value}': the UART is on stdio (devirt knows mon:stdio and stdio)`);
}

/**
 * The platform has one hart. Teaching kernels and test setups pass -smp 2..8 by habit (xv6's
 * Makefile passes -smp 3) and run on one hart as well, so a larger count runs with a note rather
 * than failing: the device tree lists one CPU and SBI HSM reports the other hart ids as absent, as
 * QEMU's virt would with -smp 1. A guest that waits for its other harts to arrive waits forever.
 */
function smp(value: string, line: QemuLine, name: string): void {
  const p = properties(value, name, 'cpus');
  let more: string | null = null;
  for (const [k, v] of p) {
    if (!['cpus', 'maxcpus', 'sockets', 'cores', 'threads', 'dies', 'clusters'].includes(k)) fail(name, `property '${k}' is not an -smp property`);
    if (!/^\d+$/.test(v) || Number(v) < 1) fail(name, `${k}=${v} is not a positive number`);
    if (Number(v) !== 1) more ??= `${k}=${v}`;
  }
  if (more) line.notes.push(`${name} ${value}: the platform has one hart; the guest runs on hart 0 alone (its device tree lists one CPU, SBI HSM reports no other hart; a guest that waits for other harts will wait forever)`);
}

function memory(value: string, line: QemuLine, name: string): void {
  const p = properties(value, name, 'size');
  for (const k of p.keys()) if (k !== 'size') fail(name, `property '${k}' is not supported (the platform has no memory hotplug)`);
  line.out.push('--mem', p.get('size')!);
}

/** What the platform's hart has (the device tree's riscv,isa-extensions, plus the modes and units). */
const HART_HAS = new Set(['i', 'm', 'a', 'c', 'zicsr', 'zifencei', 'sstc', 's', 'u', 'mmu', 'pmp']);

/**
 * -cpu rv64[,ext=on|off...]: the platform's hart is QEMU's rv64 with what the platform lacks
 * turned off. Turning off what it lacks is harmless; asking for it, or turning off what it has, is not.
 */
function cpu(value: string, _line: QemuLine, name: string): void {
  const p = properties(value, name, 'model');
  const model = p.get('model');
  if (model !== 'rv64' && model !== 'any') fail(name, `'${model}': the platform's hart is rv64 (RV64IMAC, Zicsr, Zifencei, Sstc); devirt knows -cpu rv64`);
  p.delete('model');
  for (const [k, v] of p) {
    const on = onOff(v, name);
    const has = HART_HAS.has(k.toLowerCase());
    if (on && !has) fail(name, `${k}=${v}: the platform's hart does not have ${k}`);
    if (!on && has) fail(name, `${k}=${v}: the platform's hart always has ${k}`);
  }
}

/**
 * -semihosting-config enable=on|off[,target=native|auto][,userspace=off][,arg=A]...: calls from M
 * and S mode, answered by devirt itself; its console is devirt's console (stdio).
 */
function semihostingConfig(value: string, line: QemuLine, name: string): void {
  // arg= may repeat (each a word of the command line): read those before the property map.
  const items = value.replace(/,,/g, '\u0000').split(',').map((x) => x.replace(/\u0000/g, ','));
  const args = items.filter((x) => x.startsWith('arg=')).map((x) => x.slice(4));
  const p = properties(items.filter((x) => !x.startsWith('arg=')).map((x) => x.replace(/,/g, ',,')).join(','), name, 'enable');
  for (const [k, v] of p) {
    if (k === 'enable') line.semihosting = onOff(v, name);
    else if (k === 'target') { if (v !== 'native' && v !== 'auto') fail(name, `target=${v}: devirt answers semihosting calls itself (target=native or auto)`); }
    else if (k === 'userspace') { if (onOff(v, name)) fail(name, 'userspace=on: semihosting calls are answered from M and S mode only'); }
    else if (k === 'chardev') fail(name, 'chardev: the semihosting console is devirt\'s console (stdio)');
    else fail(name, `property '${k}' is not a -semihosting-config property (enable, target, userspace, arg)`);
  }
  line.semihostingArgs.push(...args);
}

function gdb(value: string, line: QemuLine, name: string): void {
  const m = /^tcp:[^:]*:(\d+)$/.exec(value);
  if (!m) fail(name, `'${value}': devirt's GDB stub listens on tcp::PORT`);
  line.gdbPort = m![1];
}

/** Every QEMU option devirt knows: accepted (apply) or refused (refuse), in `qemu-system-riscv64 -help` order. */
export const QEMU_OPTIONS: Record<string, QemuOption> = {
  '-machine': { arg: true, apply: machine },
  '-M': { arg: true, apply: machine },
  '-cpu': { arg: true, apply: cpu },
  '-accel': { arg: true, apply: (v, _l, n) => { if (v !== 'tcg') fail(n, `'${v}': devirt is an emulator (only tcg is meaningful)`); } },
  '-smp': { arg: true, apply: smp },
  '-m': { arg: true, apply: memory },
  '-bios': {
    arg: true,
    // QEMU's default firmware is its OpenSBI; the platform's SBI firmware is the Microvisor.
    apply: (v, l) => { if (v !== 'default') l.out.push('--bios', v); },
  },
  '-kernel': { arg: true, apply: (v, l) => l.out.push('--kernel', v) },
  '-initrd': { arg: true, apply: (v, l) => l.out.push('--initrd', v) },
  '-append': { arg: true, apply: (v, l) => l.out.push('--append', v) },
  '-dtb': { arg: true, apply: (v, l) => l.out.push('--dtb', v) },
  '-drive': { arg: true, apply: drive },
  '-device': { arg: true, apply: device },
  '-global': { arg: true, apply: global },
  // devirt's console is always QEMU's -nographic one: the UART on stdio, no display.
  '-nographic': { arg: false, apply: () => undefined },
  '-display': { arg: true, apply: (v, _l, n) => { if (v !== 'none') fail(n, `'${v}': the platform has no display (devirt knows -display none)`); } },
  '-serial': { arg: true, apply: serial },
  '-monitor': { arg: true, apply: (v, _l, n) => { if (v !== 'none') fail(n, `'${v}': devirt has no QEMU monitor (Ctrl-A x quits; -monitor none is accepted)`); } },
  '-no-reboot': { arg: false, apply: (_v, l) => l.out.push('--no-reboot') },
  '-s': { arg: false, apply: (_v, l) => { l.gdbPort = '1234'; } },
  '-S': { arg: false, apply: (_v, l) => { l.gdbWait = true; } },
  '-gdb': { arg: true, apply: gdb },
  '-netdev': { arg: true, apply: netdev },
  '-nic': { arg: true, apply: nic },
  '-net': { arg: true, refuse: 'the legacy -net option is not supported (use -netdev socket,id=n0,udp=HOST:PORT,localaddr=HOST:PORT -device virtio-net-device,netdev=n0)' },
  '-hda': { arg: true, refuse: 'the platform has no IDE disk (use -drive file=...,if=none,format=raw,id=x0 -device virtio-blk-device,drive=x0)' },
  '-cdrom': { arg: true, refuse: 'the platform has no CD-ROM' },
  '-pflash': { arg: true, refuse: 'the platform has no flash' },
  '-usb': { arg: false, refuse: 'the platform has no USB' },
  '-vga': { arg: true, refuse: 'the platform has no display' },
  '-chardev': { arg: true, refuse: 'the UART is always on stdio; devirt has no character devices to configure' },
  '-object': { arg: true, apply: object },
  '-fsdev': { arg: true, refuse: 'the platform has no 9p file system device' },
  '-virtfs': { arg: true, refuse: 'the platform has no 9p file system device' },
  '-enable-kvm': { arg: false, refuse: 'devirt is an emulator; there is no KVM' },
  // -icount asks QEMU for deterministic guest time; devirt's is always deterministic (its cycle
  // model), so the line runs, with a note that the rate is the cycle model's, not 2^shift ns.
  '-icount': { arg: true, apply: (v, l, n) => { l.notes.push(`${n} ${v}: devirt's guest time is always deterministic, from its cycle model (conformance/cycle-model.md: 100 MHz, 10 MHz mtime), not 2^shift ns per instruction`); } },
  '-rtc': { arg: true, refuse: 'the Goldfish RTC always starts at 0 and follows mtime, for reproducible runs' },
  '-semihosting': { arg: false, apply: (_v, l) => { l.semihosting = true; } },
  '-semihosting-config': { arg: true, apply: semihostingConfig },
  '-snapshot': { arg: false, refuse: 'devirt writes the guest\'s disk writes to the file (copy the image first)' },
  '-d': { arg: true, apply: (v, l) => l.out.push('--log', v) },
  '-D': { arg: true, apply: (v, l) => l.out.push('--logfile', v) },
};

/** The QEMU options behind a devirt option that another part of devirt boot provides, and why a build may lack it. */
const PROVIDED_ELSEWHERE: Record<string, { from: string; why: string }> = {
  '--gdb': { from: '-s, -S and -gdb', why: 'the GDB stub is not in this build of devirt boot' },
  '--gdb-wait': { from: '-s, -S and -gdb', why: 'the GDB stub is not in this build of devirt boot' },
  '--log': { from: '-d and -D', why: 'QEMU-style tracing is not in this build of devirt boot (--trace prints every instruction)' },
  '--logfile': { from: '-d and -D', why: 'QEMU-style tracing is not in this build of devirt boot (--trace prints every instruction)' },
};

/** A devirt-style boot line has no single-dash options; a QEMU line has at least one. */
export function isQemuLine(args: string[]): boolean {
  return args.some((a) => /^-[^-]/.test(a));
}

/**
 * The devirt-style argv for a QEMU-style one. `known` lists `devirt boot`'s long options
 * (devirt-style options may be mixed in and pass through); a QEMU option needing a devirt option
 * this build does not have is refused with its line. `notes` receives what the user should know
 * (where QEMU would have done otherwise).
 */
export function translateQemuArgs(args: string[], known: Map<string, KnownOption>, notes: string[] = []): string[] {
  const line: QemuLine = { out: [], drives: new Map(), virtio: [], netdevs: new Map(), legacy: undefined, serials: 0, gdbWait: false, qemuSpelled: false, semihostingArgs: [], notes };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const [flag] = a.split('=', 1);
      const k = known.get(flag);
      line.out.push(a);
      if (k?.takesValue && !a.includes('=') && i + 1 < args.length) line.out.push(args[++i]);
      continue;
    }
    if (!a.startsWith('-') || a === '-') fail(a, 'a bare image (QEMU\'s -hda) is not supported: use -drive file=...,if=none,format=raw,id=x0 -device virtio-blk-device,drive=x0');
    // QEMU accepts --option for -option too.
    const opt = QEMU_OPTIONS[a];
    if (!opt) fail(a, 'QEMU option not supported by devirt boot (the platform does not have it)');
    let value = '';
    if (opt.arg) {
      if (i + 1 >= args.length) fail(a, 'needs a value');
      value = args[++i];
    }
    if (opt.refuse) fail(a, opt.refuse);
    if (a !== '-d' && a !== '-D') line.qemuSpelled = true;
    opt.apply!(value, line, a);
  }
  for (const d of line.virtio) {
    if (d.kind !== 'nic' || d.netdev === undefined) continue;
    const n = line.netdevs.get(d.netdev);
    if (!n) fail('-device', `virtio-net-device,netdev=${d.netdev}: there is no -netdev ...,id=${d.netdev}`);
    if (n!.used) fail('-device', `virtio-net-device,netdev=${d.netdev}: the netdev is already attached to another device`);
    n!.used = true;
  }
  if (line.virtio.filter((d) => d.kind === 'nic').length > 1) notes.push('devirt puts every network card on one Ethernet switch with the host link (QEMU gives each card its own netdev): the cards can reach each other');
  for (const [id, d] of line.drives) if (!d.used) notes.push(`-drive id=${id} (${d.file}) is attached to no device, as on QEMU`);
  let slots: number[];
  try {
    slots = placeVirtioDevices(line.virtio.map((d) => d.bus), (i) => line.virtio[i].what);
  } catch (e) {
    if (e instanceof PlacementError) throw new CliError(e.message);
    throw e;
  }
  // Cards without mac= get QEMU's default addresses in the order QEMU creates them: command-line order.
  const nics = line.virtio.flatMap((d) => (d.kind === 'nic' ? [d] : []));
  const macs = assignMacs(nics.map((d) => (d.mac === undefined ? undefined : parseMac(d.mac)!)));
  line.virtio.forEach((d, i) => {
    if (d.kind === 'disk') line.out.push('--drive', `${d.file},slot=${slots[i]}`);
    else line.out.push('--nic', `${formatMac(macs[nics.indexOf(d)])},slot=${slots[i]}`);
  });
  for (const [id, n] of line.netdevs) {
    // QEMU warns about a netdev no card uses, and connects nothing; so does devirt.
    if (!n.used) { notes.push(`-netdev id=${id.startsWith('#') ? '(of -nic)' : id} is attached to no device, as on QEMU (no network connection is made)`); continue; }
    line.out.push(...n.link);
  }
  // QEMU 7.2's own default is the legacy transport: a QEMU line that does not say gets it (a
  // devirt-style line that only uses -d/-D keeps devirt's default, version 2).
  if (line.legacy ?? line.qemuSpelled) line.out.push('--virtio-legacy');
  if (line.semihosting) {
    line.out.push('--semihosting');
    if (line.semihostingArgs.length) line.out.push('--semihosting-cmdline', line.semihostingArgs.join(' '));
  }
  if (line.gdbWait && line.gdbPort === undefined) fail('-S', 'stops the machine until a debugger or monitor resumes it: give -s or -gdb tcp::PORT with it (devirt has no monitor)');
  if (line.gdbPort !== undefined) {
    line.out.push('--gdb', line.gdbPort ?? '1234');
    if (line.gdbWait) line.out.push('--gdb-wait');
  }
  // A QEMU option whose devirt counterpart this build lacks is refused, never dropped.
  for (const a of line.out) {
    if (!a.startsWith('--')) continue;
    const flag = a.split('=', 1)[0];
    if (!known.has(flag)) {
      const elsewhere = PROVIDED_ELSEWHERE[flag];
      if (elsewhere) fail(elsewhere.from, elsewhere.why);
      fail(flag, `unknown option (devirt boot has no ${flag})`);
    }
  }
  return line.out;
}
