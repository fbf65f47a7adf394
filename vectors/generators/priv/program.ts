// Building blocks of the `priv` suite: a vector is a small program entered at a chosen privilege
// with chosen CSRs, which ends at its first trap into M-mode. What a vector checks is in its
// registers at that trap (CSR values read into registers, an S-mode handler's scause/stval/sepc)
// and in the trap itself (cause, tval, epc), so every implementation and the QEMU oracle can
// be compared on the same observation.

import { encode } from '../../../reference/tools/disasm';
import { CSR_NAMES, CSR_NUMBERS, csrByName } from '../../../reference/machine/csr';
import { hex64, StateInputs } from '../../../reference/state';
import type { VectorDraft } from '../isa';

export const CODE = 0x80000000;
/** S-mode trap handler (stvec): records scause, stval, sepc, sstatus in x20..x23, then ebreak. */
export const S_HANDLER = 0x80001000;
/** A second code page, used as a jump target and as the "other" page of tests. */
export const CODE2 = 0x80002000;
export const DATA = 0x80010000;

export type Priv = 'M' | 'S' | 'U';
export const PRIV_NUM: Record<Priv, number> = { M: 3, S: 1, U: 0 };

export const E = encode;
export const csr = (name: string): number => {
  const n = CSR_NUMBERS[name];
  if (n === undefined) throw new Error(`unknown CSR ${name}`);
  return n;
};
export const csrr = (rd: number, c: number) => E('csrrs', { rd, rs1: 0, csr: c });
export const csrw = (c: number, rs1: number) => E('csrrw', { rd: 0, rs1, csr: c });
export const csrrw = (rd: number, c: number, rs1: number) => E('csrrw', { rd, rs1, csr: c });
export const csrrs = (rd: number, c: number, rs1: number) => E('csrrs', { rd, rs1, csr: c });
export const csrrc = (rd: number, c: number, rs1: number) => E('csrrc', { rd, rs1, csr: c });
export const li = (rd: number, imm: number) => E('addi', { rd, rs1: 0, imm });
export const EBREAK = E('ebreak');
export const ECALL = E('ecall');
export const MRET = E('mret');
export const SRET = E('sret');
export const WFI = E('wfi');
export const NOP = E('addi', { rd: 0, rs1: 0, imm: 0 });
export const SFENCE = E('sfence.vma', { rs1: 0, rs2: 0 });

/** The handler delegated traps reach: its registers are the observation. */
export const S_HANDLER_WORDS = [csrr(20, csr('scause')), csrr(21, csr('stval')), csrr(22, csr('sepc')), csrr(23, csr('sstatus')), EBREAK];

export const MSTATUS = {
  SIE: 1n << 1n, MIE: 1n << 3n, SPIE: 1n << 5n, MPIE: 1n << 7n, SPP: 1n << 8n, MPP_S: 1n << 11n, MPP_M: 3n << 11n,
  MPRV: 1n << 17n, SUM: 1n << 18n, MXR: 1n << 19n, TVM: 1n << 20n, TW: 1n << 21n, TSR: 1n << 22n,
};

const hexw = (w: number) => '0x' + (w >>> 0).toString(16).padStart(8, '0');

export interface Case {
  title: string;
  tags: string[];
  spec: string;
  priv?: Priv;
  /** CSRs set before the first instruction (keys kept in name order: the order they are applied). */
  csrs?: Record<string, bigint>;
  x?: Record<string, bigint>;
  code: number[];
  /** Install the S-mode handler and point stvec at it. */
  sHandler?: boolean;
  /** The handler's last instruction (default ebreak; ecall when breakpoints are delegated). */
  sHandlerEnd?: number;
  /** Extra memory: other code, page tables, data. */
  memory?: { base: number; words?: number[]; bytes?: Uint8Array }[];
  observe?: { base: number; length: number }[];
  maxInsns?: number;
  seed?: string;
  /** Keep PMP at reset (every entry OFF) even though S or U runs: for vectors about exactly that. */
  pmpAtReset?: boolean;
}

/**
 * pmpaddr0/pmpcfg0 as firmware sets them before it enters S: one NAPOT entry over all memory, RWX.
 * An S/U access that matches no PMP entry fails (privileged 1.12, 3.7.1), so a vector that runs
 * in S or U (or uses MPRV) and is not about PMP opens memory this way to keep its meaning.
 */
export const OPEN_PMP = { pmpaddr0: (1n << 54n) - 1n, pmpcfg0: 0x1fn };
const MPRV = 1n << 17n;

/** Does the vector run in S or U, or access memory as them (MPRV), with PMP left to the default? */
function needsOpenPmp(c: Case, words: number[]): boolean {
  if (c.pmpAtReset || Object.keys(c.csrs ?? {}).some((k) => k.startsWith('pmp'))) return false;
  if (c.priv === 'S' || c.priv === 'U' || c.sHandler) return true;
  if (((c.csrs?.mstatus ?? 0n) & MPRV) !== 0n) return true;
  // mret/sret reach a lower privilege; a csrw/csrs to mstatus may set MPRV.
  return words.some((w) => w === MRET || w === SRET || ((w & 0x7f) === 0x73 && ((w >>> 12) & 3) !== 0 && (w >>> 20) === 0x300));
}

/** The harness capabilities (conformance/PROTOCOL.md) a CSR needs, from the CSR table. */
function csrCapabilities(name: string | undefined, out: Set<string>): void {
  if (name === undefined) return;
  for (const need of csrByName(name)?.needs ?? []) out.add(need);
}

/**
 * Capabilities a vector needs, from what it uses: its privilege, its initial CSRs, the CSRs its
 * code names. (Privilege reached by an mret in the code is tagged by the generator.)
 */
function capabilities(c: Case, code: number[]): string[] {
  const out = new Set<string>(['rv64i', 'zicsr']);
  if (c.priv === 'S' || c.sHandler) out.add('s');
  if (c.priv === 'U') out.add('u');
  for (const name of Object.keys(c.csrs ?? {})) csrCapabilities(name, out);
  for (const w of code) {
    if ((w & 0x7f) !== 0x73 || ((w >>> 12) & 7) === 0 || ((w >>> 12) & 7) === 4) continue;
    const name = CSR_NAMES.get(w >>> 20);
    csrCapabilities(name, out);
    // What a PMP CSR reads back depends on the granularity (3.7.1: with G >= 1 NA4 is not
    // selectable and low pmpaddr bits read as zeros or ones), so a vector that accesses one needs G = 0.
    if (name !== undefined && /^pmp(cfg|addr)\d+$/.test(name)) out.add('pmp-g0');
  }
  // An NA4 entry exists only with G = 0.
  for (const [name, v] of Object.entries(c.csrs ?? {})) {
    if (!name.startsWith('pmpcfg')) continue;
    for (let i = 0; i < 8; i++) if (((v >> BigInt(8 * i + 3)) & 3n) === 2n) out.add('pmp-g0');
  }
  return [...out];
}

export function draft(c: Case): VectorDraft {
  const memory: StateInputs['memory'] = [{ base: hex64(BigInt(CODE)), words: [...c.code, EBREAK].map(hexw) }];
  if (c.sHandler) memory.push({ base: hex64(BigInt(S_HANDLER)), words: [...S_HANDLER_WORDS.slice(0, -1), c.sHandlerEnd ?? EBREAK].map(hexw) });
  for (const m of c.memory ?? []) {
    memory.push(m.words ? { base: hex64(BigInt(m.base)), words: m.words.map(hexw) } : { base: hex64(BigInt(m.base)), bytes: Buffer.from(m.bytes ?? []).toString('hex') });
  }
  const words = [...c.code, ...(c.memory ?? []).flatMap((m) => m.words ?? [])];
  const csrs: Record<string, bigint> = { ...(needsOpenPmp(c, words) ? OPEN_PMP : {}), ...(c.csrs ?? {}) };
  if (c.sHandler && csrs.stvec === undefined) csrs.stvec = BigInt(S_HANDLER);
  const csrOut: Record<string, string> = {};
  for (const k of Object.keys(csrs).sort()) csrOut[k] = hex64(csrs[k]);
  const x: Record<string, string> = {};
  for (const k of Object.keys(c.x ?? {}).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))) x[k] = hex64(c.x![k]);
  const hart: StateInputs['hart'] = { pc: hex64(BigInt(CODE)), priv: c.priv ?? 'M' };
  if (Object.keys(x).length) hart.x = x;
  if (Object.keys(csrOut).length) hart.csrs = csrOut;
  return {
    title: c.title, tags: [...new Set(['priv', ...capabilities({ ...c, csrs }, words), ...c.tags])], spec: c.spec, seed: c.seed,
    inputs: { kind: 'state', memory, hart, stop: { maxInsns: c.maxInsns ?? 200, onTrap: true } },
    observe: c.observe?.map((o) => ({ base: hex64(BigInt(o.base)), length: o.length })),
  };
}

/**
 * Tag of a documented difference between QEMU 7.2 and the reference (conformance/qemu-divergences.md
 * explains each KEY with the specification text that decides it).
 */
export const qemuDivergence = (key: string) => `qemu-divergence:${key}`;
/** Tag of a vector QEMU cannot run, with the reason. */
export const qemuSkip = (reason: string) => `qemu-skip:${reason}`;
