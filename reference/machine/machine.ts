// The reference platform: one hart, RAM, boot ROM and QEMU virt's devices, wired together,
// plus the image loading rules of QEMU's `virt` machine (-bios, -kernel, -drive).

import { Semihosting } from './semihosting';
import { Bus } from './bus';
import { Hart, StopReason } from './hart';
import { Irq } from './trap-causes';
import { DmaDenied, DmaMemory } from './device';
import { DeviceTimerQueue } from './device-timers';
import { disassemble, encode } from '../tools/disasm';
import { ElfError, ElfImage, ElfSymbol, isElf, parseElf } from '../tools/elf';
import * as P from './devices/memory-map';
import { Clint } from './devices/clint';
import { Plic, PlicGateway } from './devices/plic';
import { Uart16550 } from './devices/uart16550';
import { FinisherEvent, SifiveTest } from './devices/sifive-test';
import { GoldfishRtc } from './devices/goldfish-rtc';
import { Doorbell } from './devices/doorbell';
import { Iopmp } from './devices/iopmp';
import { EmptyVirtioSlot, VirtioMmio } from './devices/virtio-mmio';
import { BlockBackend, VirtioBlk } from './devices/virtio-blk';
import { assignMacs, VirtioNet } from './devices/virtio-net';
import { Network, NicConfig } from './devices/network';
import { buildDeviceTree, chosenProps, TreeOptions } from './devices/device-tree';
import { FdtError, withChosen } from '../tools/fdt';
import { BlockCache, DEFAULT_BACKEND, JitBackend } from './jit/block-cache';
import type { TranslatorFaults } from './jit/emit';
import { FW_RAM_BASE, FW_RAM_SIZE, RNMI_EXCEPTION_VECTOR, RNMI_VECTOR } from './firmware-ram';

export type { BlockBackend } from './devices/virtio-blk';
export type { NicConfig } from './devices/network';

export class MachineError extends Error {}

/** A fault inside the emulator itself (never the guest's doing), located by pc and instruction. */
export class InternalError extends Error {
  constructor(readonly pc: bigint, readonly instruction: string, cause: Error) {
    super(`internal error at pc 0x${pc.toString(16)} (${instruction}): ${cause.message}`);
    this.stack = `${this.message}\n${cause.stack ?? ''}`;
  }
}

export interface MachineOptions {
  /** RAM size in bytes (QEMU's default for virt is 128 MiB). */
  ramSize?: number;
  /** Firmware image (ELF or raw binary loaded at RAM base), or null for `-bios none`. */
  bios?: Uint8Array | null;
  /**
   * The Microvisor's M-mode firmware (an ELF linked into the firmware RAM) for a kernel that
   * owns M-mode: the machine gains the firmware RAM and the RNMI vectors, the boot ROM starts
   * the firmware, and the kernel is loaded as with `-bios none` (conformance/mmode-kernels.md).
   */
  mmodeFirmware?: Uint8Array | null;
  mmodeFirmwareName?: string;
  /** Kernel image (ELF, or raw binary). */
  kernel?: Uint8Array | null;
  /** Name of the kernel for error messages. */
  kernelName?: string;
  biosName?: string;
  /** Backing store of a virtio-blk disk (the highest virtio slot, as QEMU fills them). */
  drive?: BlockBackend | null;
  /** More virtio-blk disks, each in its virtio-mmio slot (0..7; see devices/virtio-placement.ts). */
  drives?: { backend: BlockBackend; slot: number }[];
  /** virtio-net cards, each in its virtio-mmio slot, on the machine's Ethernet switch (devices/network.ts). */
  nics?: NicConfig[];
  /** The legacy (version 1) virtio-mmio transport on every slot, as QEMU's virtio-mmio.force-legacy=true. */
  virtioLegacy?: boolean;
  /** How the PLIC pends level-triggered sources (devices/plic.ts): QEMU's model by default. */
  plicGateway?: PlicGateway;
  bootargs?: string;
  /** An initial RAM disk (-initrd), loaded where QEMU's virt loads it and named in /chosen. */
  initrd?: Uint8Array | null;
  initrdName?: string;
  /** A device tree to hand over instead of the generated one (-dtb); /chosen is still set. */
  dtb?: Uint8Array | null;
  dtbName?: string;
  /** Where the UART's transmitted bytes go (besides `console`). */
  onConsole?: (byte: number) => void;
  /** Where instance 1's console bytes (the doorbell's CONSOLE1) go (besides `console1`). */
  onConsole1?: (byte: number) => void;
  /** Write the device tree into RAM (default true; unit-style vectors that own all RAM turn it off). */
  deviceTree?: boolean;
  /** Keep the console text in memory (default true). */
  captureConsole?: boolean;
  /**
   * RISC-V semihosting as QEMU's -semihosting (reference/machine/semihosting.ts): its console is
   * the machine's console, its exit ends the run as the finisher does; `cmdline` is what
   * SYS_GET_CMDLINE answers.
   */
  semihosting?: { cmdline: string } | null;
  /**
   * Translate hot code (reference/machine/jit): true, false, or the translator's settings. The
   * interpreter is the definition; with translation on nothing observable changes.
   */
  jit?: boolean | JitOptions;
}

export interface JitOptions {
  /** Executions of a block head before it is translated. */
  hot?: number;
  /** Deliberate translator bugs (lockstep tests only). */
  faults?: TranslatorFaults;
  /** What blocks compile to (default: WebAssembly; jit/TRANSLATION.md). */
  backend?: JitBackend;
}

/** Whether `devirt` and Machine translate when not told: see reference/machine/jit/TRANSLATION.md. */
export const JIT_DEFAULT = true;

export interface RunResult {
  reason: StopReason;
  code?: number;
  cause?: bigint;
  tval?: bigint;
  epc?: bigint;
}

const MiB = 1024 * 1024;

// The generated device tree is a function of its options alone, and the image vectors of a run
// boot a few configurations thousands of times: each tree is built once. Shared, and safe to
// share: the machine copies it into RAM and only ever reads `fdt`.
const trees = new Map<string, Uint8Array>();
const TREES_KEPT = 1024;
function deviceTree(o: TreeOptions): Uint8Array {
  const key = JSON.stringify(o);
  let tree = trees.get(key);
  if (tree === undefined) {
    if (trees.size >= TREES_KEPT) trees.clear();
    tree = buildDeviceTree(o);
    trees.set(key, tree);
  }
  return tree;
}

export class Machine {
  readonly hart: Hart;
  readonly bus = new Bus();
  readonly clint: Clint;
  readonly plic: Plic;
  readonly uart: Uart16550;
  readonly finisher: SifiveTest;
  readonly doorbell: Doorbell;
  /** Checks every device DMA access (devices/iopmp.ts); off until firmware enables it. */
  readonly iopmp = new Iopmp();
  readonly rtc: GoldfishRtc;
  /** Device events keyed by guest time. */
  readonly timers: DeviceTimerQueue;
  /** The eight virtio-mmio slots, slot 0 at 0x10001000; `drive` fills the highest (slot 7), `drives` theirs. */
  readonly virtio: (EmptyVirtioSlot | VirtioMmio)[] = [];
  readonly drive: BlockBackend | null;
  /** The switch, the host endpoint and the cards; null when the machine has no network card. */
  readonly network: Network | null;
  readonly ramSize: number;
  readonly fdtAddress: number;
  readonly fdt: Uint8Array;
  /** Symbols of the kernel (and firmware) ELF, for tracing and HTIF. */
  readonly symbols: ElfSymbol[] = [];
  private consoleChunks: string[] = [];
  private console1Chunks: string[] = [];
  private consoleCache: string | null = '';
  private finish: FinisherEvent | null = null;
  /** Reloads the images and the device tree into RAM, for power-on and for a guest-requested reset. */
  private readonly loadImages: () => void;
  private readonly loaded: { pa: number; bytes: Uint8Array; what: string }[] = [];
  private tohost = -1;
  private tohostExit: number | null = null;
  /** Everything the guest prints, by the UART or by HTIF. */
  private readonly consoleOut: (byte: number) => void;

  constructor(opts: MachineOptions = {}) {
    const ramSize = opts.ramSize ?? 128 * MiB;
    if (!Number.isInteger(ramSize) || ramSize < MiB || ramSize > 2048 * MiB || ramSize % 4096 !== 0) {
      throw new MachineError(`bad memory size ${ramSize}: must be a multiple of 4 KiB between 1 MiB and 2 GiB`);
    }
    this.ramSize = ramSize;
    const fwRam = opts.mmodeFirmware ? FW_RAM_SIZE : 0;
    if (fwRam && opts.bios) throw new MachineError('a firmware for kernels that own M-mode and a -bios firmware cannot both be given');
    this.hart = new Hart(P.RAM_BASE - fwRam, ramSize + fwRam, this.bus);
    const hart = this.hart;
    const jit = opts.jit ?? JIT_DEFAULT;
    if (jit !== false) {
      const o = jit === true ? {} : jit;
      hart.setJit(new BlockCache(hart, o.hot, o.faults ?? {}, o.backend ?? DEFAULT_BACKEND));
    }
    if (fwRam) { hart.rnmiVector = RNMI_VECTOR; hart.rnmiExceptionVector = RNMI_EXCEPTION_VECTOR; }
    const capture = opts.captureConsole ?? true;
    const pins = {
      setMeip: (l: boolean) => hart.setHwBit(Irq.MEI, l),
      setSeip: (l: boolean) => hart.setHwBit(Irq.SEI, l),
      setMsip: (l: boolean) => hart.setHwBit(Irq.MSI, l),
      timerChanged: () => this.syncTimer(),
      raiseRnmi: (cause: number) => hart.raiseRnmi(BigInt(cause)),
    };
    const time = { mtime: () => hart.mtime() };
    this.clint = new Clint(pins, time);
    this.plic = new Plic(pins, opts.plicGateway ?? 'qemu');
    this.consoleOut = (b: number) => {
      if (capture) { this.consoleChunks.push(String.fromCharCode(b)); this.consoleCache = null; }
      opts.onConsole?.(b);
    };
    this.uart = new Uart16550(this.plic.source(P.UART0_IRQ), this.consoleOut);
    this.finisher = new SifiveTest((f: FinisherEvent) => { this.finish = f; hart.stopReason = 'finisher'; hart.kick(); });
    if (opts.semihosting) {
      hart.semihosting = new Semihosting(hart, {
        consoleOut: this.consoleOut, cmdline: opts.semihosting.cmdline,
        exit: (code) => { this.finish = { kind: code === 0 ? 'pass' : 'fail', code }; hart.stopReason = 'finisher'; hart.kick(); },
      });
    }
    this.doorbell = new Doorbell(pins, (level: boolean) => hart.setHwBit(Irq.DOORBELL, level));
    this.doorbell.onConsole1 = (b: number) => {
      if (capture) this.console1Chunks.push(String.fromCharCode(b));
      opts.onConsole1?.(b);
    };
    // Device events in guest time (the RTC's alarm, the network's scripted frames) share the
    // hart's one deadline through a queue; the hart fires them between instructions.
    this.timers = new DeviceTimerQueue(hart);
    this.rtc = new GoldfishRtc(time, this.plic.source(P.RTC_IRQ), this.timers.create(() => this.rtc.fire()));
    for (const d of [this.clint, this.plic, this.uart, this.finisher, this.rtc, this.doorbell, this.iopmp]) this.bus.attach(d);
    // Device DMA sees guest-physical RAM through the IOPMP, which knows the requestor by its
    // RRID (the virtio slot); writes go through the hart so stale decoded code is dropped.
    const iopmp = this.iopmp;
    const dmaFor = (rrid: number): DmaMemory => ({
      readBytes: (pa, length) => {
        const v = iopmp.check(rrid, pa, length, false);
        if (v) throw new DmaDenied(pa, length, false, v.etype);
        const off = pa - hart.ramBase;
        return off >= 0 && length >= 0 && off + length <= hart.ramSize ? hart.ram.subarray(off, off + length) : null;
      },
      writeBytes: (pa, data) => {
        const v = iopmp.check(rrid, pa, data.length, true);
        if (v) throw new DmaDenied(pa, data.length, true, v.etype);
        return hart.writeRam(pa, data);
      },
    });
    this.drive = opts.drive ?? null;
    const bySlot = new Map<number, BlockBackend>();
    if (this.drive) bySlot.set(P.VIRTIO_COUNT - 1, this.drive);
    for (const d of opts.drives ?? []) {
      if (!(Number.isInteger(d.slot) && d.slot >= 0 && d.slot < P.VIRTIO_COUNT)) throw new MachineError(`virtio slot ${d.slot} does not exist (0..${P.VIRTIO_COUNT - 1})`);
      if (bySlot.has(d.slot)) throw new MachineError(`virtio slot ${d.slot} is given two drives`);
      bySlot.set(d.slot, d.backend);
    }
    const nicBySlot = new Map<number, VirtioNet>();
    this.network = opts.nics?.length ? new Network(time, this.timers) : null;
    // Cards without a MAC get QEMU's defaults, 52:54:00:12:34:56 first (devices/virtio-net.ts).
    const macs = assignMacs((opts.nics ?? []).map((n) => n.mac));
    (opts.nics ?? []).forEach((n, i) => {
      if (!(Number.isInteger(n.slot) && n.slot >= 0 && n.slot < P.VIRTIO_COUNT)) throw new MachineError(`virtio slot ${n.slot} does not exist (0..${P.VIRTIO_COUNT - 1})`);
      if (bySlot.has(n.slot) || nicBySlot.has(n.slot)) throw new MachineError(`virtio slot ${n.slot} is given two devices`);
      const nic = new VirtioNet(macs[i], `nic${i}`);
      nicBySlot.set(n.slot, nic);
      this.network!.addNic(nic);
    });
    const legacy = opts.virtioLegacy ?? false;
    for (let i = 0; i < P.VIRTIO_COUNT; i++) {
      const base = P.virtioSlotBase(i);
      const disk = bySlot.get(i);
      const nic = nicBySlot.get(i);
      const device = disk ? new VirtioBlk(disk) : nic;
      const dev = device
        ? new VirtioMmio(base, device, this.plic.source(P.virtioSlotIrq(i)), dmaFor(i), legacy)
        : new EmptyVirtioSlot(base, legacy);
      this.virtio.push(dev);
      this.bus.attach(dev);
    }

    // Images, as QEMU virt loads them.
    // The lowest address of the image loaded last (QEMU places the initrd from the kernel's).
    let lowest = 0;
    const entryOf = (img: Uint8Array, name: string, rawBase: number, region?: [number, number, string]): number => {
      lowest = rawBase;
      if (isElf(img)) {
        let elf: ElfImage;
        try {
          elf = parseElf(img, name);
        } catch (e) {
          // A truncated or corrupt file is bad input, whatever part of the reader noticed it.
          if (e instanceof ElfError) throw e;
          throw new MachineError(`${name}: malformed ELF (${(e as Error).message})`);
        }
        this.loadElf(elf, name, region);
        this.symbols.push(...elf.symbols);
        const loaded = elf.segments.filter((seg) => seg.memsz > 0).map((seg) => seg.paddr);
        if (loaded.length) lowest = Math.max(Math.min(...loaded), P.RAM_BASE);
        return elf.entry;
      }
      if (!looksLikeRawImage(img, name)) {
        throw new MachineError(`${name}: not an ELF file, and not a raw image (raw images need a .bin, .img or Image name, or the RISC-V image header)`);
      }
      if (!this.loadRaw(rawBase, img, name)) throw new MachineError(`${name}: ${img.length} bytes do not fit in RAM at 0x${rawBase.toString(16)}`);
      return rawBase;
    };
    // As on QEMU virt, the reset vector always jumps to the start of RAM, where the firmware
    // (or, with -bios none, the kernel) is expected to begin; the kernel's ELF entry reaches the
    // firmware through the fw_dynamic block.
    let resetTarget = P.RAM_BASE;
    let kernelEntry = 0;
    let kernelLowest = 0;
    if (opts.mmodeFirmware) {
      const name = opts.mmodeFirmwareName ?? 'firmware';
      if (!isElf(opts.mmodeFirmware)) throw new MachineError(`${name}: the M-mode firmware must be an ELF file`);
      resetTarget = entryOf(opts.mmodeFirmware, name, FW_RAM_BASE, [FW_RAM_BASE, FW_RAM_BASE + FW_RAM_SIZE, 'the firmware RAM']);
      if (opts.kernel) { kernelEntry = entryOf(opts.kernel, opts.kernelName ?? 'kernel', P.RAM_BASE); kernelLowest = lowest; }
    } else if (opts.bios) {
      entryOf(opts.bios, opts.biosName ?? 'bios', P.RAM_BASE);
      if (opts.kernel) { kernelEntry = entryOf(opts.kernel, opts.kernelName ?? 'kernel', P.KERNEL_BASE); kernelLowest = lowest; }
    } else if (opts.kernel) {
      kernelEntry = entryOf(opts.kernel, opts.kernelName ?? 'kernel', P.RAM_BASE);
      kernelLowest = lowest;
    }
    const tohost = this.symbols.find((s) => s.name === 'tohost');
    if (tohost) { this.tohost = tohost.value; hart.watchRam(tohost.value, () => this.htif()); }

    let initrd: { start: number; end: number } | undefined;
    if (opts.initrd) {
      const name = opts.initrdName ?? 'initrd';
      if (!opts.kernel) throw new MachineError(`${name}: an initrd needs a kernel`);
      // QEMU 7.2 (riscv_load_initrd): far enough above the kernel (its lowest loaded address) that
      // the kernel does not overwrite it when it unpacks: half of RAM, at most 128 MiB.
      const start = kernelLowest + Math.min(Math.floor(ramSize / 2), 128 * MiB);
      if (!this.place(start, opts.initrd, `${name}: initrd at 0x${start.toString(16)} (${opts.initrd.length} bytes)`)) {
        throw new MachineError(`${name}: ${opts.initrd.length} bytes do not fit in RAM at 0x${start.toString(16)}`);
      }
      initrd = { start, end: start + opts.initrd.length };
    }
    if (opts.dtb) {
      try {
        this.fdt = withChosen(opts.dtb, chosenProps({ bootargs: opts.bootargs, initrd }));
      } catch (e) {
        if (e instanceof FdtError) throw new MachineError(`${opts.dtbName ?? 'dtb'}: ${e.message}`);
        throw e;
      }
    } else this.fdt = deviceTree({ ramSize, bootargs: opts.bootargs, initrd });
    // As QEMU: the highest 2 MiB-aligned address below the end of RAM (or 3 GiB, whichever is lower)
    // that leaves room for the tree.
    const dramEnd = Math.min(P.RAM_BASE + ramSize, 3072 * MiB);
    this.fdtAddress = Math.floor((dramEnd - this.fdt.length) / (2 * MiB)) * 2 * MiB;
    if (opts.deviceTree ?? true) this.place(this.fdtAddress, this.fdt, `the device tree at 0x${this.fdtAddress.toString(16)} (${this.fdt.length} bytes, below the end of RAM)`);
    this.bus.rom = { base: P.MROM_BASE, bytes: resetRom(resetTarget, this.fdtAddress, kernelEntry) };
    // What a reset puts back, as QEMU's ROM blobs: the loaded images and the device tree.
    const saved = this.loaded;
    this.loadImages = () => {
      hart.clearMemory();
      for (const s of saved) hart.writeRam(s.pa, s.bytes);
      if (tohost) hart.watchRam(tohost.value, () => this.htif());
    };
    hart.reset(P.MROM_BASE);
  }

  private loadElf(elf: ElfImage, name: string, region: [number, number, string] = [P.RAM_BASE, P.RAM_BASE + this.ramSize, 'RAM']): void {
    const [ramBase, ramEnd, what] = region;
    for (const s of elf.segments) {
      if (s.memsz === 0) continue;
      const start = s.paddr, end = s.paddr + s.memsz;
      const where = `segment at 0x${BigInt.asUintN(64, BigInt(s.paddr)).toString(16)} (${s.memsz} bytes)`;
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end <= ramBase || start >= ramEnd) {
        throw new MachineError(`${name}: ${where} lies outside ${what} 0x${ramBase.toString(16)}..0x${ramEnd.toString(16)}`);
      }
      if (end > ramEnd) throw new MachineError(`${name}: ${where} runs past the end of ${what} at 0x${ramEnd.toString(16)}`);
      // A segment that starts below RAM usually carries the ELF headers there (linkers put
      // them in the first page); QEMU loads the part in RAM, and so does the reference.
      const from = Math.max(start, ramBase);
      const inRam = new Uint8Array(end - from);
      const skip = from - start;
      if (skip < s.data.length) inRam.set(s.data.subarray(skip));
      this.place(from, inRam, `${name}: ${where}`);
    }
  }

  private loadRaw(pa: number, data: Uint8Array, name: string): boolean {
    return this.place(pa, data, `${name}: raw image at 0x${pa.toString(16)} (${data.length} bytes)`);
  }

  /**
   * Put image bytes in RAM and remember them for a reset. Images never overlap (QEMU refuses
   * overlapping ROM regions too): one would silently corrupt the other.
   */
  private place(pa: number, data: Uint8Array, what: string): boolean {
    const other = this.loaded.find((o) => data.length && o.bytes.length && pa < o.pa + o.bytes.length && o.pa < pa + data.length);
    if (other) throw new MachineError(`${what} overlaps ${other.what}`);
    if (!this.hart.writeRam(pa, data)) return false;
    this.loaded.push({ pa, bytes: data, what });
    return true;
  }

  /** The CLINT's mtimecmp or mtime changed. */
  private syncTimer(): void {
    this.hart.mtimecmp = this.clint.mtimecmp(0);
    this.hart.mtimeOffset = this.clint.mtimeOffset ?? 0;
    this.hart.updateTimerBits();
    this.hart.kick();
  }

  /** A write reached the HTIF tohost word (riscv-tests convention, as QEMU's spike machine). */
  private htif(): void {
    const v = this.readU64(this.tohost);
    if (v === 0n) return;
    const dev = Number(v >> 56n), cmd = Number((v >> 48n) & 0xffn), payload = v & ((1n << 48n) - 1n);
    if (dev === 0 && cmd === 0) {
      if (payload & 1n) {
        this.tohostExit = Number(payload >> 1n);
        this.hart.stopReason = 'tohost';
        this.hart.kick();
        return;
      }
      // A pointer to a syscall block: [which, arg0, arg1, arg2]; only write(2) is needed.
      const p = Number(payload);
      const which = this.readU64(p);
      if (which === 64n) {
        const buf = Number(this.readU64(p + 16)), len = Number(this.readU64(p + 24));
        const bytes = this.readBytes(BigInt(buf), Math.min(len, 1 << 20));
        for (const b of bytes) this.consoleOut(b);
        this.writeU64(p, BigInt(len));
      } else {
        this.writeU64(p, -38n & ((1n << 64n) - 1n));
      }
    } else if (dev === 1 && cmd === 1) {
      this.consoleOut(Number(payload & 0xffn));
    }
    this.writeU64(this.tohost, 0n);
    const fromhost = this.symbols.find((s) => s.name === 'fromhost');
    if (fromhost) this.writeU64(fromhost.value, (BigInt(dev) << 56n) | (BigInt(cmd) << 48n) | 1n);
  }

  // ---- API used by the harness, the CLI and the tests ------------------------------------------
  /** What instance 1 wrote to its console (the doorbell's CONSOLE1), as text. */
  get console1(): string { const t = this.console1Chunks.join(''); this.console1Chunks = [t]; return t; }

  get console(): string {
    if (this.consoleCache === null) { this.consoleCache = this.consoleChunks.join(''); this.consoleChunks = [this.consoleCache]; }
    return this.consoleCache;
  }

  loadBytes(pa: bigint, data: Uint8Array): void {
    const a = Number(pa);
    if (!this.hart.writeRam(a, data)) throw new MachineError(`cannot load ${data.length} bytes at 0x${pa.toString(16)}: outside RAM`);
  }

  readBytes(pa: bigint, len: number): Uint8Array {
    const off = Number(pa) - this.hart.ramBase;
    if (off < 0 || off + len > this.hart.ramSize) throw new MachineError(`cannot read ${len} bytes at 0x${pa.toString(16)}: outside RAM`);
    return this.hart.ram.slice(off, off + len);
  }

  private readU64(pa: number): bigint {
    const b = this.readBytes(BigInt(pa), 8);
    return new DataView(b.buffer).getBigUint64(0, true);
  }
  private writeU64(pa: number, v: bigint): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
    this.hart.writeRam(pa, b);
  }

  /** Run until a stop or `maxInsns` more instructions. */
  run(opts: { maxInsns: number; stopOnTrap?: boolean }): RunResult {
    this.hart.stopOnTrap = opts.stopOnTrap ?? false;
    let reason: StopReason;
    try {
      reason = this.hart.run(opts.maxInsns);
    } catch (e) {
      const pc = this.hart.getPc();
      let text = 'instruction unreadable';
      try {
        const bits = this.hart.peekInstruction(this.hart.pc);
        if (bits !== null) text = disassemble(bits, this.hart.pc);
      } catch { /* the description is best effort */ }
      throw new InternalError(pc, text, e as Error);
    }
    const r: RunResult = { reason };
    if (reason === 'finisher' && this.finish) {
      r.code = this.finish.kind === 'pass' ? 0 : this.finish.kind === 'fail' ? this.finish.code : 0;
    } else if (reason === 'tohost') {
      r.code = this.tohostExit ?? 0;
    } else if (reason === 'trap' && this.hart.lastTrap) {
      r.cause = this.hart.lastTrap.cause; r.tval = this.hart.lastTrap.tval; r.epc = this.hart.lastTrap.epc;
    }
    return r;
  }

  /**
   * Return to power-on with empty RAM and no images, keeping the allocations: the harness runs
   * thousands of small vectors and reuses one machine for them.
   */
  resetEmpty(): void {
    this.hart.semihosting?.closeAll();
    this.hart.clearMemory();
    this.bus.resetDevices();
    this.network?.reset();
    this.finish = null;
    this.tohost = -1;
    this.tohostExit = null;
    this.consoleChunks = [];
    this.consoleCache = '';
    this.console1Chunks = [];
    this.hart.reset(P.MROM_BASE);
    this.syncTimer();
  }

  /**
   * The guest asked for a reset (finisher 0x7777): power-on state for the hart and every device,
   * RAM reloaded with the images and device tree as at start, and the backing disk kept.
   */
  reboot(): void {
    this.hart.semihosting?.closeAll();
    this.loadImages();
    this.bus.resetDevices();
    this.network?.reset();
    this.finish = null;
    this.tohostExit = null;
    this.hart.reset(P.MROM_BASE);
    this.syncTimer();
  }

  /**
   * The machine is done: nothing will run it or read it again. Its memory is reused by the next
   * machine of the same RAM size (a fresh one costs more than clearing it: machine/hart-memory.ts).
   */
  dispose(): void { this.hart.release(); }

  /** What the finisher said, if it said anything. */
  get finisherState(): FinisherEvent | null { return this.finish; }
}

/**
 * The reset code in the boot ROM: a0 = hartid, a1 = device tree, a2 = the fw_dynamic
 * information block (as QEMU's virt, so firmware can find the next stage), RNMIs enabled
 * (mnstatus.NMIE, the platform's Smrnmi), then jump to the image's entry.
 */
function resetRom(target: number, fdt: number, kernelEntry: number): Uint8Array {
  const t0 = 5, a0 = 10, a1 = 11, a2 = 12;
  const code = [
    encode('auipc', { rd: t0, imm: 0 }),
    encode('addi', { rd: a2, rs1: t0, imm: 0x40 }),
    encode('csrrs', { rd: a0, rs1: 0, csr: 0xf14 }),
    encode('ld', { rd: a1, rs1: t0, imm: 0x38 }),
    encode('csrrsi', { rd: 0, imm: 8, csr: 0x744 }),
    encode('ld', { rd: t0, rs1: t0, imm: 0x30 }),
    encode('jalr', { rd: 0, rs1: t0, imm: 0 }),
  ];
  const rom = new Uint8Array(0xf000);
  const dv = new DataView(rom.buffer);
  code.forEach((w, i) => dv.setUint32(i * 4, w, true));
  dv.setBigUint64(0x30, BigInt(target), true);
  dv.setBigUint64(0x38, BigInt(fdt), true);
  // fw_dynamic_info: magic "OSBI", version 2, next_addr, next_mode (1 = S), options, boot_hart.
  dv.setBigUint64(0x40, 0x4942534fn, true);
  dv.setBigUint64(0x48, 2n, true);
  dv.setBigUint64(0x50, BigInt(kernelEntry), true);
  dv.setBigUint64(0x58, 1n, true);
  dv.setBigUint64(0x60, 0n, true);
  dv.setBigUint64(0x68, 0n, true);
  return rom;
}

/**
 * QEMU accepts raw images as -kernel and -bios; so does the reference, but only when the file
 * says it is one, so that a mistyped path to a text file is an error rather than a hang.
 */
function looksLikeRawImage(img: Uint8Array, name: string): boolean {
  if (/\.(bin|img|raw)$|Image$/.test(name)) return true;
  // The RISC-V Linux image header: "RISCV\0\0\0" at 0x30 (deprecated) or "RSC\x05" at 0x38.
  const at = (o: number, s: string) => img.length >= o + s.length && [...s].every((c, i) => img[o + i] === c.charCodeAt(0));
  return at(0x30, 'RISCV') || at(0x38, 'RSC\x05');
}
