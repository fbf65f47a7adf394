// Platform-level interrupt controller as on QEMU 7.2 virt: 96 sources (0 = no interrupt, so
// 1..95 are real), priorities 0..7, two contexts for the one hart: 0 = M-mode (MEIP),
// 1 = S-mode (SEIP). Register layout: priority at 4*source, pending bits at 0x1000, enables at
// 0x2000 + 0x80*context, threshold at 0x200000 + 0x1000*context, claim/complete 4 bytes above it.
//
// Where QEMU and the PLIC specification differ, the reference behaves as QEMU, so that a guest
// reads the same values on both (conformance/platform.md quotes the specification for each):
// claim honours the threshold, the enable bit of source 0 is writable, complete does not look at
// the enable bit.
//
// How a level-triggered source becomes pending is one of two models (PlicGateway):
// - 'qemu' (the default): as QEMU 7.2's sifive_plic, every time a device drives its line high
//   the source pends, and completion only ends the claim. A source whose line stays high pends
//   again only when its device raises the line again. Software written for QEMU virt depends on
//   it (teaching kernels whose UART driver never reads IIR, so the THR-empty interrupt stays
//   asserted, would take it forever under the other model).
// - 'spec': the PLIC specification's gateway: a request is latched (lowering the line does not
//   retract it) and a source whose line is still asserted at completion pends again.

import { HartPins, IrqLine, MmioDevice, mergeSubword, readSubword } from '../device';
import { PLIC_BASE, PLIC_SIZE } from './memory-map';

export const PLIC_SOURCES = 96;
export const PLIC_CONTEXTS = 2;
export const PLIC_MAX_PRIORITY = 7;

/** Which interrupt gateway the PLIC models (see the header comment). */
export type PlicGateway = 'qemu' | 'spec';
export const PLIC_GATEWAYS: readonly PlicGateway[] = ['qemu', 'spec'];
const WORDS = PLIC_SOURCES / 32;

const PENDING = 0x1000;
export const ENABLE = 0x2000;
export const ENABLE_STRIDE = 0x80;
export const CONTEXT = 0x200000;
export const CONTEXT_STRIDE = 0x1000;
/** Claim/complete register, above each context's threshold. */
export const CLAIM = 4;

export class Plic implements MmioDevice {
  readonly name = 'plic';
  readonly base = PLIC_BASE;
  readonly size = PLIC_SIZE;
  readonly maxWidth = 4;
  readonly minWidth = 4;
  private readonly priority = new Uint8Array(PLIC_SOURCES);
  private readonly level = new Uint8Array(PLIC_SOURCES);
  private readonly pending = new Uint8Array(PLIC_SOURCES);
  private readonly claimed = new Uint8Array(PLIC_SOURCES);
  private readonly enable = new Uint32Array(PLIC_CONTEXTS * WORDS);
  private readonly threshold = new Uint8Array(PLIC_CONTEXTS);

  /** The gateway model; a machine reused for many runs (the harness's pool) may switch it between runs. */
  constructor(private readonly pins: HartPins, public gateway: PlicGateway = 'qemu') {}

  reset(): void {
    this.priority.fill(0); this.level.fill(0); this.pending.fill(0); this.claimed.fill(0);
    this.enable.fill(0); this.threshold.fill(0);
    this.update();
  }

  /** The input wire of source `n` (1..95), level-triggered. */
  source(n: number): IrqLine {
    if (!(n >= 1 && n < PLIC_SOURCES)) throw new RangeError(`PLIC source ${n} does not exist`);
    return {
      set: (l: boolean) => {
        this.level[n] = l ? 1 : 0;
        // Both models latch a request: lowering the line does not retract it (specification:
        // "The gateway does not have the facility to retract an interrupt request once
        // forwarded"; QEMU 7.2 pends on every raise and ignores a lower). A claimed source is
        // not offered again until completed.
        if (l) { this.pending[n] = 1; this.update(); }
      },
    };
  }

  private enabled(ctx: number, s: number): boolean {
    return ((this.enable[ctx * WORDS + (s >> 5)] >>> (s & 31)) & 1) !== 0;
  }

  /** The source a claim by `ctx` would return now (0 for none). */
  private best(ctx: number): number {
    let id = 0, pr = this.threshold[ctx];
    for (let s = 1; s < PLIC_SOURCES; s++) {
      // Strictly greater: equal priority goes to the lower ID, and priority must exceed the threshold.
      if (this.pending[s] && !this.claimed[s] && this.priority[s] > pr && this.enabled(ctx, s)) { pr = this.priority[s]; id = s; }
    }
    return id;
  }

  private update(): void {
    this.pins.setMeip(this.best(0) !== 0);
    this.pins.setSeip(this.best(1) !== 0);
  }

  read(off: number, width: 1 | 2 | 4): number {
    const o = off & ~3;
    let v = 0;
    if (o < PENDING) {
      const s = o >> 2;
      if (s < PLIC_SOURCES) v = this.priority[s];
    } else if (o < PENDING + 4 * WORDS) {
      const w = (o - PENDING) >> 2;
      for (let b = 0; b < 32; b++) if (this.pending[w * 32 + b]) v |= 1 << b;
    } else if (o >= ENABLE && o < ENABLE + PLIC_CONTEXTS * ENABLE_STRIDE) {
      const ctx = (o - ENABLE) >> 7, w = ((o - ENABLE) & (ENABLE_STRIDE - 1)) >> 2;
      if (w < WORDS) v = this.enable[ctx * WORDS + w];
    } else if (o >= CONTEXT && o < CONTEXT + PLIC_CONTEXTS * CONTEXT_STRIDE) {
      const ctx = (o - CONTEXT) >> 12, r = (o - CONTEXT) & (CONTEXT_STRIDE - 1);
      if (r === 0) v = this.threshold[ctx];
      else if (r === CLAIM) v = this.claim(ctx);
    }
    return readSubword(v >>> 0, off, width);
  }

  write(off: number, width: 1 | 2 | 4, value: number): void {
    const o = off & ~3;
    if (o < PENDING) {
      const s = o >> 2;
      // Source 0 does not exist: its priority register is hardwired to zero.
      if (s >= 1 && s < PLIC_SOURCES) this.priority[s] = mergeSubword(this.priority[s], off, width, value) & PLIC_MAX_PRIORITY;
    } else if (o >= ENABLE && o < ENABLE + PLIC_CONTEXTS * ENABLE_STRIDE) {
      const ctx = (o - ENABLE) >> 7, w = ((o - ENABLE) & (ENABLE_STRIDE - 1)) >> 2;
      if (w < WORDS) {
        const i = ctx * WORDS + w;
        // As QEMU, every bit is writable, the one of the non-existent source 0 included (it never pends).
        this.enable[i] = mergeSubword(this.enable[i], off, width, value);
      }
    } else if (o >= CONTEXT && o < CONTEXT + PLIC_CONTEXTS * CONTEXT_STRIDE) {
      const ctx = (o - CONTEXT) >> 12, r = (o - CONTEXT) & (CONTEXT_STRIDE - 1);
      if (r === 0) this.threshold[ctx] = mergeSubword(this.threshold[ctx], off, width, value) & PLIC_MAX_PRIORITY;
      else if (r === CLAIM) this.complete(value >>> 0);
    }
    // The pending array is read-only: writes to it are ignored.
    this.update();
  }

  private claim(ctx: number): number {
    const id = this.best(ctx);
    if (id !== 0) { this.pending[id] = 0; this.claimed[id] = 1; this.update(); }
    return id;
  }

  private complete(id: number): void {
    if (id < 1 || id >= PLIC_SOURCES) return;
    this.claimed[id] = 0;
    // The specification's gateway forwards a new request if the level-triggered line is still
    // asserted; QEMU's waits for the device to drive the line again.
    if (this.gateway === 'spec' && this.level[id]) this.pending[id] = 1;
  }
}
