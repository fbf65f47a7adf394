// PMP: OFF/TOR/NA4/NAPOT entries with each R/W/X combination, from M, S and U, with and without
// the lock bit; boundaries and partial matches, the lowest-numbered matching entry deciding,
// locked entries ignoring writes (and a locked TOR locking its base), and page-table walks checked.
// Entry 15 grants S and U the code pages, so only the entries under test decide data accesses.
// pmp-no-match: an S/U access that matches no entry fails, also while every entry is OFF.

import { Case, CODE, csr, csrr, csrw, DATA, E, EBREAK, li, MSTATUS, Priv, qemuDivergence, qemuSkip } from './program';

import { qemuAmoAccessFaultTags, qemuPmpReservedTags } from './qemu-model';
import { ROOT, tables, TEST_VA } from './sv39';

const SPEC = 'riscv-priv 1.12 3.7 Physical Memory Protection';
const R = 1n, W = 2n, X = 4n, L = 0x80n;
const TOR = 1n << 3n, NA4 = 2n << 3n, NAPOT = 3n << 3n;
const napot = (base: number, size: number) => BigInt(base / 4) | BigInt(size / 8 - 1);
/** Entry 15: NAPOT over the first 32 KiB of RAM (code and the S handler), RWX. */
const CODE_ENTRY = { pmpaddr15: napot(CODE, 0x8000) };
const CODE_CFG2 = (NAPOT | R | W | X) << 56n;
const modeName = (a: bigint) => ['OFF', 'TOR', 'NA4', 'NAPOT'][Number(a >> 3n)];
const permName = (p: bigint) => (p & R ? 'R' : '-') + (p & W ? 'W' : '-') + (p & X ? 'X' : '-');

type Access = 'load' | 'store' | 'fetch' | 'amo';
function access(kind: Access, size = 8): number[] {
  if (kind === 'amo') return [E('amoadd.d', { rd: 5, rs1: 10, rs2: 11 })];
  if (kind === 'load') return [size === 8 ? E('ld', { rd: 5, rs1: 10, imm: 0 }) : size === 4 ? E('lw', { rd: 5, rs1: 10, imm: 0 }) : E('lb', { rd: 5, rs1: 10, imm: 0 })];
  if (kind === 'store') return [size === 8 ? E('sd', { rs1: 10, rs2: 11, imm: 0 }) : size === 4 ? E('sw', { rs1: 10, rs2: 11, imm: 0 }) : E('sb', { rs1: 10, rs2: 11, imm: 0 })];
  return [E('jalr', { rd: 1, rs1: 10, imm: 0 })];
}
/** The data region is filled with `li x6, 0x55`/ebreak pairs so that a permitted fetch is seen. */
const DATA_FILL = Array.from({ length: 64 }, (_, i) => (i % 2 === 0 ? li(6, 0x55) : EBREAK));

function pmpCase(title: string, priv: Priv, csrs: Record<string, bigint>, kind: Access, addr: number, size = 8, tags: string[] = []): Case {
  const locked = Object.entries(csrs).some(([k, v]) => k.startsWith('pmpcfg') && [...Array(8).keys()].some((i) => ((v >> BigInt(8 * i)) & L) !== 0n));
  const all = { ...csrs };
  if (priv !== 'M') { Object.assign(all, CODE_ENTRY); all.pmpcfg2 = (all.pmpcfg2 ?? 0n) | CODE_CFG2; }
  return {
    title, tags: ['pmp', ...(locked ? ['pmp-lock'] : []), ...tags], spec: SPEC, priv, csrs: all,
    x: { x10: BigInt(addr), x11: 0x0102030405060708n }, code: access(kind, size),
    memory: [{ base: DATA, words: DATA_FILL }],
    // A locked entry may deny the QEMU runner's own reads of the data region: observe only unlocked cases.
    observe: locked || kind !== 'store' ? undefined : [{ base: DATA, length: 16 }],
  };
}

export function* pmpModes(): Generator<Case> {
  const size = 0x100;
  for (const mode of [TOR, NA4, NAPOT, 0n]) for (let perm = 0n; perm < 8n; perm++) for (const lock of [0n, L]) {
    if (mode === 0n && (perm !== 7n)) continue; // OFF: permissions are ignored
    const cfg0 = mode | perm | lock;
    const csrs: Record<string, bigint> = mode === TOR
      ? { pmpaddr0: BigInt(DATA / 4), pmpaddr1: BigInt((DATA + size) / 4), pmpcfg0: cfg0 << 8n }
      : mode === NA4 ? { pmpaddr0: BigInt(DATA / 4), pmpcfg0: cfg0 } : { pmpaddr0: napot(DATA, size), pmpcfg0: cfg0 };
    const span = mode === NA4 ? 4 : size;
    for (const priv of ['M', 'S', 'U'] as Priv[]) for (const kind of ['load', 'store', 'fetch'] as Access[]) {
      if (lock && priv !== 'M' && kind === 'fetch' && perm !== 7n) continue;
      const label = `pmp ${modeName(mode)} ${permName(perm)}${lock ? ' L' : ''} from ${priv}: ${kind}`;
      yield pmpCase(`${label} inside`, priv, csrs, kind, DATA, mode === NA4 ? 4 : 8, qemuPmpReservedTags(perm, kind, true, priv, lock));
      if (mode !== 0n && kind !== 'fetch') {
        // Just past the end (no entry matches: M passes, S/U fail) and straddling the end (partial match fails).
        const outside = qemuPmpReservedTags(perm, kind, false, priv, lock);
        yield pmpCase(`${label} just past the end`, priv, csrs, kind, DATA + span, 4, outside);
        yield pmpCase(`${label} straddling the end`, priv, csrs, kind, DATA + span - 4, 8, outside);
      }
    }
  }
}

/** The lowest-numbered matching entry decides, whatever higher entries say. */
export function* pmpPriority(): Generator<Case> {
  for (const [lowPerm, highPerm] of [[0n, R | W], [R | W, 0n], [R, R | W | X], [W | R, R]]) for (const priv of ['S', 'U', 'M'] as Priv[]) for (const kind of ['load', 'store'] as Access[]) {
    for (const lock of [0n, L]) {
      // Entry 0: NAPOT 64 bytes at DATA; entry 1: TOR over [DATA - 4K, DATA + 4K).
      const csrs = {
        pmpaddr0: napot(DATA, 64), pmpaddr1: BigInt((DATA - 0x1000) / 4), pmpaddr2: BigInt((DATA + 0x1000) / 4),
        pmpcfg0: (NAPOT | lowPerm | lock) | ((TOR | highPerm) << 16n),
      };
      yield pmpCase(`pmp priority entry0 ${permName(lowPerm)}${lock ? ' L' : ''} over entry2 ${permName(highPerm)} from ${priv}: ${kind}`, priv, csrs, kind, DATA + 8, 8, ['priority']);
      yield pmpCase(`pmp priority outside entry0, inside entry2 ${permName(highPerm)} from ${priv}: ${kind}${lock ? ' (entry0 L)' : ''}`, priv, csrs, kind, DATA + 0x80, 8, ['priority']);
    }
  }
  // TOR with entry 0 starts at address 0; TOR with top <= base matches nothing.
  // (Only from S: a locked entry over [0, DATA) would also lock M out of the UART the QEMU runner reports on.)
  yield pmpCase('pmp TOR entry 0 from address 0, no permissions, from S: load (the code is covered too)', 'S', { pmpaddr0: BigInt((DATA + 0x100) / 4), pmpcfg0: TOR }, 'load', DATA, 8, ['tor']);
  for (const priv of ['S', 'M'] as Priv[]) {
    yield pmpCase(`pmp TOR with top below base matches nothing, from ${priv}: load`, priv, { pmpaddr0: BigInt((DATA + 0x100) / 4), pmpaddr1: BigInt(DATA / 4), pmpcfg0: (TOR | L * (priv === 'M' ? 1n : 0n)) << 8n }, 'load', DATA + 8, 8, ['tor']);
  }
}

/** Lock bits: locked entries ignore writes to their cfg and address; a locked TOR locks the address below it. */
export function* pmpLocking(): Generator<Case> {
  const spec = `${SPEC}/3.7.1 Locking and Privilege Mode`;
  for (const [name, csrs] of [
    ['locked NAPOT entry 0', { pmpaddr0: napot(DATA, 64), pmpcfg0: NAPOT | R | L }],
    ['locked TOR entry 1 (locks pmpaddr0 too)', { pmpaddr0: BigInt(DATA / 4), pmpaddr1: BigInt((DATA + 64) / 4), pmpcfg0: (TOR | R | L) << 8n }],
    ['unlocked NAPOT entry 0', { pmpaddr0: napot(DATA, 64), pmpcfg0: NAPOT | R }],
  ] as [string, Record<string, bigint>][]) {
    yield {
      title: `pmp ${name}: write pmpcfg0, pmpaddr0, pmpaddr1 and read back`, tags: ['pmp', ...(name.startsWith('locked') ? ['pmp-lock'] : [])], spec, csrs,
      x: { x10: 0x1f1f1f1f1f1f1f1fn & 0x7f7f7f7f7f7f7f1fn, x11: 0x12345n, x12: 0x23456n },
      code: [csrw(csr('pmpcfg0'), 10), csrw(csr('pmpaddr0'), 11), csrw(csr('pmpaddr1'), 12), csrr(5, csr('pmpcfg0')), csrr(6, csr('pmpaddr0')), csrr(7, csr('pmpaddr1'))],
    };
  }
  // Granularity: all-ones NAPOT reads back with the implemented bits (G = 0: every bit).
  yield {
    title: 'pmp granularity: pmpaddr0 all ones, then NA4 and NAPOT readback', tags: ['pmp', qemuDivergence('pmpaddr-width')], spec: `${SPEC}/3.7.2 granularity G`,
    x: { x10: (1n << 64n) - 1n, x11: NAPOT | R, x12: NA4 | R },
    code: [csrw(csr('pmpaddr0'), 10), csrr(5, csr('pmpaddr0')), csrw(csr('pmpcfg0'), 11), csrr(6, csr('pmpaddr0')), csrw(csr('pmpcfg0'), 12), csrr(7, csr('pmpaddr0')), csrw(csr('pmpcfg0'), 0)],
  };
  // The reserved R=0, W=1 combination.
  for (const perm of [W, W | X]) {
    yield {
      title: `pmp cfg with reserved W without R (${permName(perm)}) reads back legalised`, tags: ['pmp', 'csr-warl', qemuDivergence('pmpcfg-fields')], spec: `${SPEC}/3.7.1: R=0 W=1 is reserved`,
      x: { x10: NAPOT | perm, x11: napot(DATA, 64) }, code: [csrw(csr('pmpaddr0'), 11), csrw(csr('pmpcfg0'), 10), csrr(5, csr('pmpcfg0')), csrw(csr('pmpcfg0'), 0)],
    };
  }
}

/** Page-table walks are checked by PMP as S-mode loads of the PTEs. */
export function* pmpWalks(): Generator<Case> {
  const V = 1n, Rp = 2n, Wp = 4n, Xp = 8n, A = 64n, D = 128n;
  const SATP = (8n << 60n) | BigInt(ROOT / 4096);
  for (const [label, walkPerm] of [['page tables readable', R], ['page tables not readable', 0n], ['page tables X only', X]] as const) {
    for (const kind of ['load', 'store', 'fetch'] as Access[]) {
      const leaf = (BigInt(DATA / 4096) << 10n) | V | Rp | Wp | Xp | A | D;
      const tbl = tables(V | Rp | Wp | Xp | A | D, 0, leaf);
      yield {
        title: `pmp on the page-table walk: ${label}, S ${kind}`, tags: ['pmp', 'sv39'], spec: `${SPEC}; 4.3.2 step 2: PTE accesses are checked by PMP`, priv: 'S',
        csrs: {
          satp: SATP, pmpaddr0: napot(ROOT, 0x4000), pmpaddr1: napot(DATA, 0x1000), pmpaddr15: napot(CODE, 0x8000),
          pmpcfg0: (NAPOT | walkPerm) | ((NAPOT | R | W | X) << 8n), pmpcfg2: CODE_CFG2,
        },
        x: { x10: BigInt(TEST_VA), x11: 5n }, code: access(kind),
        memory: [...tbl, { base: DATA, words: DATA_FILL }],
      };
    }
  }
  void MSTATUS;
}

/**
 * 3.7.1: "If no PMP entry matches an M-mode access, the access succeeds. If no PMP entry matches an
 * S-mode or U-mode access, but at least one PMP entry is implemented, the access fails." All 16
 * entries are implemented, so the rule holds with every entry OFF (the reset state) as with
 * active entries elsewhere. Expectations derived from that sentence by hand, and from the reference.
 */
const amoTags = (kind: Access) => (kind === 'amo' ? ['a', ...qemuAmoAccessFaultTags] : []);

export function* pmpNoMatch(): Generator<Case> {
  const spec = `${SPEC}/3.7.1: no matching entry: M succeeds, S and U fail`;
  const SATP = (8n << 60n) | BigInt(ROOT / 4096);
  const cause = { fetch: 'an instruction access fault', load: 'a load access fault', store: 'a store/AMO access fault', amo: 'a store/AMO access fault' };
  const x = { x10: BigInt(DATA), x11: 0x0102030405060708n };
  const memory = [{ base: DATA, words: DATA_FILL }];

  // Every entry OFF. S and U cannot even fetch their first instruction. QEMU 7.2 refuses the
  // mret that would enter them (see qemu-divergences.md, qemu-skip: pmp-all-off-entry).
  for (const priv of ['S', 'U'] as Priv[]) {
    yield { title: `pmp all entries OFF, from ${priv}: fetch is ${cause.fetch}`, tags: ['pmp', 'pmp-no-match', qemuSkip('pmp-all-off-entry')], spec, priv, pmpAtReset: true, x, code: [li(5, 1)] };
  }
  // Every entry OFF, data accesses made as S or U through MPRV from M (M fetches the code). The
  // program sets mstatus itself (the QEMU runner enters M with MPP = U); the trap into M sets MPP = M.
  for (const [mpp, priv] of [[1n, 'S'], [0n, 'U']] as const) {
    const ms = MSTATUS.MPRV | (mpp << 11n) | MSTATUS.MPIE;
    for (const kind of ['load', 'store', 'amo'] as Access[]) {
      yield {
        title: `pmp all entries OFF, MPRV as ${priv}: ${kind} is ${cause[kind]}`, tags: ['pmp', 'pmp-no-match', 'mprv', 's', ...(priv === 'U' ? ['u'] : []), ...amoTags(kind)], spec, pmpAtReset: true,
        x: { ...x, x14: ms, x15: MSTATUS.MPRV }, code: [csrw(csr('mstatus'), 14), ...access(kind), E('csrrc', { rd: 0, rs1: 15, csr: csr('mstatus') })], memory,
      };
    }
    // Sv39 walk for an access made as S or U: the first PTE read matches no entry.
    const leaf = (BigInt(DATA / 4096) << 10n) | 0xcfn; // V R W X A D
    yield {
      title: `pmp all entries OFF, MPRV as ${priv} with Sv39: the page-table walk of a load is a load access fault`, tags: ['pmp', 'pmp-no-match', 'mprv', 'sv39', 's', ...(priv === 'U' ? ['u'] : [])], spec: `${spec}; 4.3.2 step 2`, pmpAtReset: true,
      csrs: { satp: SATP }, x: { x10: BigInt(TEST_VA), x14: ms, x15: MSTATUS.MPRV },
      code: [csrw(csr('mstatus'), 14), ...access('load'), E('csrrc', { rd: 0, rs1: 15, csr: csr('mstatus') })], memory: [...tables(0xcfn | 16n, 0, leaf | 16n), ...memory],
    };
  }
  // Every entry OFF, from M: every access succeeds (the program reaches its ebreak).
  for (const kind of ['load', 'store', 'amo', 'fetch'] as Access[]) {
    yield { title: `pmp all entries OFF, from M: ${kind} succeeds`, tags: ['pmp', 'pmp-no-match'], spec, pmpAtReset: true, x, code: access(kind), memory, observe: kind === 'store' || kind === 'amo' ? [{ base: DATA, length: 16 }] : undefined };
  }
  // Active entries (entry 15 over the code only): S and U accesses to DATA match none and fail.
  for (const priv of ['S', 'U'] as Priv[]) for (const kind of ['load', 'store', 'amo', 'fetch'] as Access[]) {
    const c = pmpCase(`pmp only the code entry active, from ${priv}: ${kind} outside it is ${cause[kind]}`, priv, {}, kind, DATA, 8, ['pmp-no-match', ...amoTags(kind)]);
    yield { ...c, spec };
  }
  // ... and the page-table walk: tables outside every active entry, from S and U.
  for (const priv of ['S', 'U'] as Priv[]) {
    const leaf = (BigInt(DATA / 4096) << 10n) | 0xdfn; // V R W X U A D
    yield {
      title: `pmp only the code entry active, from ${priv} with Sv39: the page-table walk of a fetch is an instruction access fault`, tags: ['pmp', 'pmp-no-match', 'sv39'], spec: `${spec}; 4.3.2 step 2`, priv,
      csrs: { satp: SATP, pmpaddr15: napot(CODE, 0x8000), pmpcfg2: CODE_CFG2 }, x: { x10: BigInt(TEST_VA) }, code: [li(5, 1)],
      memory: [...tables(0xcfn | (priv === 'U' ? 16n : 0n), 0, leaf), ...memory],
    };
  }
}
