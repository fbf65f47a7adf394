// Interrupts: which pending interrupt is taken, where (M or S), and when, for every privilege,
// global enable, mie mask and mideleg; sources are the software-writable mip bits, the CLINT
// (msip, mtimecmp = 0 so the outcome does not depend on how fast time runs), Sstc's stimecmp
// (0 or all ones) and the PLIC with the UART's transmitter-empty interrupt.

import { Prng } from '../prng';
import { Case, CODE2, csr, csrr, csrw, E, li, MRET, MSTATUS, Priv, PRIV_NUM, qemuDivergence } from './program';

/** The specification's order among interrupts of one level (3.1.9): MEI, MSI, MTI, SEI, SSI, STI. */
const SPEC_ORDER = [11, 3, 7, 9, 1, 5];

/**
 * Which interrupt is taken first: the M-level set (not delegated) if it is enabled at `priv`,
 * else the S-level set. `lowestFirst` models QEMU 7.2 without AIA, which takes the lowest-numbered.
 */
function firstInterrupt(pending: bigint, enable: bigint, deleg: bigint, priv: Priv, mie: bigint, sie: bigint, lowestFirst: boolean): number {
  const pick = (set: bigint) => {
    if (set === 0n) return -1;
    if (lowestFirst) { let i = 0; while (((set >> BigInt(i)) & 1n) === 0n) i++; return i; }
    return SPEC_ORDER.find((i) => (set >> BigInt(i)) & 1n) ?? -1;
  };
  const ready = pending & enable;
  const m = ready & ~deleg, s = ready & deleg;
  if (m && (priv !== 'M' || mie)) return pick(m);
  if (s && (priv === 'U' || (priv === 'S' && sie))) return pick(s);
  return -1;
}

const priorityTags = (...a: Parameters<typeof firstInterrupt> extends [...infer P, boolean] ? P : never) =>
  firstInterrupt(...a, false) !== firstInterrupt(...a, true) ? [qemuDivergence('interrupt-priority')] : [];

const SPEC_IRQ = 'riscv-priv 1.12 3.1.9 mip and mie: priority MEI, MSI, MTI, SEI, SSI, STI; 3.1.6.1 global enables';
const SSI = 1n << 1n, MSI = 1n << 3n, STI = 1n << 5n, MTI = 1n << 7n, SEI = 1n << 9n, MEI = 1n << 11n;
const SOFT = [SSI, STI, SEI];
const CLINT_MSIP = 0x2000000n, CLINT_MTIMECMP = 0x2004000n;
const bitsName = (v: bigint) => ['SSI', 'MSI', 'STI', 'MTI', 'SEI', 'MEI'].filter((_, i) => (v >> BigInt(1 + 2 * i)) & 1n).join('|') || 'none';

/** Software-writable pending bits, set before the first instruction: taken at once, or not at all. */
export function* softwareInterrupts(): Generator<Case> {
  const all = SSI | STI | SEI;
  const cases: { priv: Priv; mie: bigint; sie: bigint; pending: bigint; deleg: bigint; enable: bigint }[] = [];
  for (let p = 0; p < 8; p++) for (let d = 0; d < 8; d++) {
    const pending = SOFT.filter((_, i) => (p >> i) & 1).reduce((a, b) => a | b, 0n);
    const deleg = SOFT.filter((_, i) => (d >> i) & 1).reduce((a, b) => a | b, 0n);
    for (const [priv, mie, sie] of [['M', 0n, 1n], ['M', 1n, 0n], ['S', 0n, 0n], ['S', 1n, 1n], ['U', 0n, 0n]] as [Priv, bigint, bigint][]) {
      cases.push({ priv, mie, sie, pending, deleg, enable: all });
    }
  }
  const rng = new Prng(0x1e0n);
  for (let i = 0; i < 120; i++) {
    const r = rng.below(1 << 14);
    const pick = (k: number) => SOFT.filter((_, j) => (r >> (k + j)) & 1).reduce((a, b) => a | b, 0n);
    cases.push({ priv: (['M', 'S', 'U'] as Priv[])[rng.below(3)], mie: BigInt((r >> 9) & 1), sie: BigInt((r >> 10) & 1), pending: pick(0), deleg: pick(3), enable: pick(6) });
  }
  for (const c of cases) {
    // M-mode vectors set mstatus themselves (the runner enters with mret: MPIE = 1, MPP = U).
    const ms = (c.mie ? MSTATUS.MIE : 0n) | (c.sie ? MSTATUS.SIE : 0n);
    const csrs: Record<string, bigint> = { mideleg: c.deleg, mie: c.enable, mip: c.pending };
    if (c.priv !== 'M') csrs.mstatus = ms;
    const code = c.priv === 'M' ? [csrw(csr('mstatus'), 14), li(5, 1)] : [li(5, 1)];
    yield {
      title: `interrupt sw from ${c.priv}: MIE=${c.mie} SIE=${c.sie} pending ${bitsName(c.pending)} mie ${bitsName(c.enable)} mideleg ${bitsName(c.deleg)}`,
      tags: ['interrupts', ...priorityTags(c.pending, c.enable, c.deleg, c.priv, c.mie, c.sie)], spec: SPEC_IRQ, priv: c.priv, csrs, x: { x14: ms | MSTATUS.MPIE }, code, sHandler: c.priv !== 'M',
    };
  }
}

/**
 * CLINT (msip, mtimecmp = 0) together with software bits: an M-mode prologue makes them pending
 * with interrupts off, then mret enters the target privilege where the highest-priority enabled
 * interrupt is taken at the first instruction.
 */
export function* clintInterrupts(): Generator<Case> {
  const rng = new Prng(0xc11e7n);
  for (let i = 0; i < 260; i++) {
    const r = rng.below(1 << 20);
    const msip = (r & 1) === 1, mtip = ((r >> 1) & 1) === 1;
    const soft = SOFT.filter((_, j) => (r >> (2 + j)) & 1).reduce((a, b) => a | b, 0n);
    const enable = [SSI, MSI, STI, MTI, SEI, MEI].filter((_, j) => (r >> (5 + j)) & 1).reduce((a, b) => a | b, 0n) | (i < 40 ? MSI | MTI | SSI | STI | SEI : 0n);
    const deleg = SOFT.filter((_, j) => (r >> (11 + j)) & 1).reduce((a, b) => a | b, 0n);
    const target = (['M', 'S', 'U'] as Priv[])[(r >> 14) % 3];
    const mpie = BigInt((r >> 16) & 1), sie = BigInt((r >> 17) & 1);
    const ms = (BigInt(PRIV_NUM[target]) << 11n) | (mpie ? MSTATUS.MPIE : 0n) | (sie ? MSTATUS.SIE : 0n);
    const code = [
      ...(msip ? [E('sw', { rs1: 10, rs2: 11, imm: 0 })] : []),
      ...(mtip ? [E('sd', { rs1: 12, rs2: 0, imm: 0 })] : []),
      csrw(csr('mstatus'), 14), csrw(csr('mepc'), 13), MRET,
    ];
    const pending = soft | (msip ? MSI : 0n) | (mtip ? MTI : 0n);
    yield {
      title: `interrupt clint to ${target}: MPIE=${mpie} SIE=${sie} pending ${bitsName(pending)} mie ${bitsName(enable)} mideleg ${bitsName(deleg)}`,
      tags: ['interrupts', 'clint', 's', ...(target === 'U' ? ['u'] : []), ...priorityTags(pending, enable, deleg, target, mpie, sie)], spec: `${SPEC_IRQ}; CLINT msip/mtimecmp`, seed: String(i),
      csrs: { mideleg: deleg, mie: enable, mip: soft }, x: { x10: CLINT_MSIP, x11: 1n, x12: CLINT_MTIMECMP, x13: BigInt(CODE2), x14: ms },
      code, sHandler: true, memory: [{ base: CODE2, words: [li(5, 1), li(6, 2)] }],
    };
  }
  // mtimecmp in the far future clears MTIP again; msip written 0 clears MSIP.
  for (const [name, store] of [['mtimecmp = all ones after 0', [E('sd', { rs1: 12, rs2: 0, imm: 0 }), E('sd', { rs1: 12, rs2: 15, imm: 0 })]], ['msip = 0 after 1', [E('sw', { rs1: 10, rs2: 11, imm: 0 }), E('sw', { rs1: 10, rs2: 0, imm: 0 })]]] as const) {
    yield {
      title: `interrupt clint: ${name} leaves nothing pending`, tags: ['interrupts', 'clint'], spec: 'CLINT: MTIP is mtime >= mtimecmp; MSIP is msip bit 0',
      csrs: { mie: MSI | MTI }, x: { x10: CLINT_MSIP, x11: 1n, x12: CLINT_MTIMECMP, x15: (1n << 64n) - 1n, x14: MSTATUS.MIE | MSTATUS.MPIE },
      code: [...store, csrr(5, csr('mip')), csrw(csr('mstatus'), 14), li(6, 1)],
    };
  }
}

/** Sstc: STIP follows time >= stimecmp when menvcfg.STCE = 1; S access needs STCE and mcounteren.TM. */
export function* sstc(): Generator<Case> {
  const spec = 'Sstc 1.0: stimecmp, menvcfg.STCE, mcounteren.TM';
  const STCE = 1n << 63n, ALL = (1n << 64n) - 1n;
  for (const stce of [0n, 1n]) for (const tm of [0n, 2n]) for (const deleg of [0n, STI]) for (const [cmpName, cmp] of [['0', 0n], ['all ones', ALL]] as const) {
    // S writes stimecmp (legal only with STCE and TM), then enables SIE: STIP is taken if time >= stimecmp.
    yield {
      title: `sstc from S: STCE=${stce} TM=${tm >> 1n} mideleg ${bitsName(deleg)} write stimecmp ${cmpName}`, tags: ['interrupts', 'sstc'], spec, priv: 'S',
      csrs: { menvcfg: stce ? STCE : 0n, mcounteren: tm, mideleg: deleg, mie: STI, stimecmp: ALL },
      x: { x10: cmp }, code: [csrw(csr('stimecmp'), 10), E('csrrsi', { rd: 0, imm: 2, csr: csr('sstatus') }), li(5, 1)], sHandler: true,
    };
  }
  for (const stce of [0n, 1n]) for (const cmp of [0n, ALL]) {
    // M-mode view: mip.STIP follows the comparator with STCE, and is the software bit without it.
    yield {
      title: `sstc from M: STCE=${stce} stimecmp=${cmp ? 'all ones' : '0'}, then write mip.STIP=1`, tags: ['interrupts', 'sstc', ...(!stce && !cmp ? [qemuDivergence('sstc-stip-without-stce')] : [])], spec,
      csrs: { menvcfg: stce ? STCE : 0n, stimecmp: cmp }, x: { x10: STI },
      code: [csrr(5, csr('mip')), E('csrrs', { rd: 0, rs1: 10, csr: csr('mip') }), csrr(6, csr('mip')), E('csrrc', { rd: 0, rs1: 10, csr: csr('mip') }), csrr(7, csr('mip'))],
    };
  }
}

/** PLIC: the UART's THR-empty interrupt (source 10) routed to the M or S context with priorities and thresholds. */
export function* plicInterrupts(): Generator<Case> {
  const spec = 'riscv-plic 1.0.0: priorities, enables, thresholds; riscv-priv 1.12 3.1.9 MEIP/SEIP';
  const PLIC = 0xc000000n, UART = 0x10000000n;
  for (const ctx of [0, 1]) for (const prio of [0, 1, 7]) for (const threshold of [0, 1, 7]) for (const enabled of [0, 1]) {
    if (!enabled && (prio !== 1 || threshold !== 0)) continue;
    // M-mode sets up the PLIC and the UART, then (S context) mrets to S with SIE, SEI delegated.
    const code = [
      E('sw', { rs1: 10, rs2: 15, imm: 0x28 }), // priority[10]
      E('sw', { rs1: 11, rs2: 16, imm: 0 }), // enable word of the context
      E('sw', { rs1: 12, rs2: 17, imm: 0 }), // threshold of the context
      E('sb', { rs1: 13, rs2: 18, imm: 1 }), // UART IER = THRI
      csrw(csr('mie'), 19),
      ...(ctx === 0
        ? [E('csrrsi', { rd: 0, imm: 8, csr: csr('mstatus') }), li(5, 1)]
        : [csrw(csr('mstatus'), 14), csrw(csr('mepc'), 20), MRET]),
    ];
    yield {
      title: `plic uart thre to ${ctx === 0 ? 'M' : 'S'} context: priority ${prio} threshold ${threshold} enable ${enabled}`,
      tags: ['interrupts', 'plic', 'uart', ...(ctx === 1 ? ['s'] : [])], spec,
      csrs: ctx === 1 ? { mideleg: SEI } : undefined,
      x: {
        x10: PLIC, x11: PLIC + 0x2000n + 0x80n * BigInt(ctx), x12: PLIC + 0x200000n + 0x1000n * BigInt(ctx), x13: UART,
        x14: (1n << 11n) | MSTATUS.SIE, x15: BigInt(prio), x16: BigInt(enabled << 10), x17: BigInt(threshold), x18: 2n,
        x19: ctx === 0 ? MEI : SEI, x20: BigInt(CODE2),
      },
      code, sHandler: ctx === 1, memory: ctx === 1 ? [{ base: CODE2, words: [li(5, 1), li(6, 2)] }] : undefined,
    };
  }
}

/** stvec in vectored mode: a delegated interrupt goes to base + 4 * cause, an exception to base. */
export function* vectoredStvec(): Generator<Case> {
  const spec = 'riscv-priv 1.12 4.1.2 stvec: MODE 1 (Vectored) sets pc to BASE + 4 * cause for interrupts, BASE for exceptions';
  const BASE = 0x80003000;
  // Every slot is an ebreak: the final trap's epc names the slot that was entered.
  const table = Array.from({ length: 16 }, () => E('ebreak'));
  for (const [name, bit] of [['SSI', SSI], ['STI', STI], ['SEI', SEI]] as const) {
    for (const priv of ['S', 'U'] as Priv[]) {
      yield {
        title: `stvec vectored: delegated ${name} from ${priv}`, tags: ['interrupts', 'vectored'], spec, priv,
        csrs: { stvec: BigInt(BASE) | 1n, mideleg: SSI | STI | SEI, mie: bit, mip: bit, mstatus: MSTATUS.SIE }, code: [li(5, 1)],
        memory: [{ base: BASE, words: table }],
      };
    }
  }
  for (const priv of ['U', 'S'] as Priv[]) {
    yield {
      title: `stvec vectored: a delegated exception (ecall from ${priv === 'U' ? 'U' : 'S'}) goes to BASE`, tags: ['traps', 'vectored'], spec, priv,
      csrs: { stvec: BigInt(BASE) | 1n, medeleg: (1n << 8n) | (1n << 9n) }, code: [E('ecall')],
      memory: [{ base: BASE, words: table }],
    };
  }
  // stvec with MODE >= 2 is reserved: the write is ignored (WARL); the old vectored value stays.
  yield {
    title: 'stvec: a write with MODE 2 keeps the previous value', tags: ['csr-warl', 'vectored'], spec, priv: 'S',
    csrs: { stvec: BigInt(BASE) | 1n, mideleg: SSI, mie: SSI }, x: { x10: 0x80004002n, x11: SSI },
    code: [csrw(csr('stvec'), 10), csrr(6, csr('stvec')), E('csrrs', { rd: 0, rs1: 11, csr: csr('sip') }), E('csrrsi', { rd: 0, imm: 2, csr: csr('sstatus') }), li(5, 1)],
    memory: [{ base: BASE, words: table }],
  };
}
