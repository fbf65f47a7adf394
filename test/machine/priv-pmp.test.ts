// PMP by the privileged specification 1.12, section 3.7, on the Pmp unit and through the hart.

import { Pmp } from '../../reference/machine/pmp';
import { Access } from '../../reference/machine/trap-causes';
import { CSR, E, EBREAK, MS, newHart, load, RAM, RAMN, trapOf } from './helpers';

const R = 1, W = 2, X = 4, L = 0x80, TOR = 8, NA4 = 16, NAPOT = 24;
const napot = (base: number, size: number) => BigInt(base / 4) | BigInt(size / 8 - 1);
const cfg = (...entries: number[]) => entries.reduce((v, e, i) => v | (BigInt(e) << BigInt(8 * i)), 0n);
const S = 1, U = 0, M = 3;
const BASE = 0x80010000;

function pmp(addrs: bigint[], cfg0: bigint): Pmp {
  const p = new Pmp();
  addrs.forEach((a, i) => p.writeAddr(i, a));
  p.writeCfg(0, cfg0);
  return p;
}

describe('address matching (3.7.1)', () => {
  test('TOR matches [pmpaddr(i-1), pmpaddr(i)); entry 0 starts at 0', () => {
    const p = pmp([BigInt(BASE / 4), BigInt((BASE + 0x100) / 4)], cfg(0, TOR | R));
    expect(p.check(BASE, 8, S, Access.Load)).toBe(true);
    expect(p.check(BASE + 0xf8, 8, S, Access.Load)).toBe(true);
    expect(p.check(BASE + 0x100, 4, S, Access.Load)).toBe(false); // no match: S fails
    expect(p.check(BASE - 4, 4, S, Access.Load)).toBe(false);
    const q = pmp([BigInt(BASE / 4)], cfg(TOR | R));
    expect(q.check(0x1000, 4, S, Access.Load)).toBe(true);
  });

  test('NA4 matches 4 bytes; NAPOT matches 2^(trailing ones + 3) bytes', () => {
    const p = pmp([BigInt(BASE / 4), napot(BASE + 0x1000, 0x1000)], cfg(NA4 | R, NAPOT | W | R));
    expect(p.check(BASE, 4, S, Access.Load)).toBe(true);
    expect(p.check(BASE + 4, 4, S, Access.Load)).toBe(false);
    expect(p.check(BASE + 0x1ffc, 4, S, Access.Store)).toBe(true);
    expect(p.check(BASE + 0x2000, 4, S, Access.Store)).toBe(false);
  });

  test('an access that only partly matches the lowest matching entry fails, even for M with L', () => {
    const p = pmp([BigInt(BASE / 4), BigInt((BASE + 0x100) / 4)], cfg(0, TOR | R | W | L));
    expect(p.check(BASE + 0xfc, 8, M, Access.Load)).toBe(false);
    expect(p.check(BASE - 4, 8, S, Access.Load)).toBe(false);
  });

  test('the lowest-numbered matching entry decides', () => {
    const p = pmp([napot(BASE, 64), BigInt((BASE - 0x1000) / 4), BigInt((BASE + 0x1000) / 4)], cfg(NAPOT, 0, TOR | R | W));
    expect(p.check(BASE + 8, 8, S, Access.Load)).toBe(false);
    expect(p.check(BASE + 0x80, 8, S, Access.Load)).toBe(true);
  });
});

describe('privilege and locking (3.7.1)', () => {
  test('M ignores unlocked entries; a locked entry binds M too', () => {
    const unlocked = pmp([napot(BASE, 64)], cfg(NAPOT));
    expect(unlocked.check(BASE, 8, M, Access.Store)).toBe(true);
    const locked = pmp([napot(BASE, 64)], cfg(NAPOT | R | L));
    expect(locked.check(BASE, 8, M, Access.Store)).toBe(false);
    expect(locked.check(BASE, 8, M, Access.Load)).toBe(true);
  });

  test('no matching entry: M succeeds, S and U fail (when an entry is active)', () => {
    const p = pmp([napot(BASE, 64)], cfg(NAPOT | R));
    expect(p.check(0x80000000, 4, M, Access.Fetch)).toBe(true);
    expect(p.check(0x80000000, 4, S, Access.Fetch)).toBe(false);
    expect(p.check(0x80000000, 4, U, Access.Load)).toBe(false);
  });

  test('writes to a locked entry\'s cfg and address are ignored; a locked TOR also locks the address below', () => {
    const p = pmp([BigInt(BASE / 4), BigInt((BASE + 64) / 4)], cfg(R, TOR | R | L));
    p.writeCfg(0, cfg(R | W, NAPOT | R | W | X));
    expect(p.readCfg(0) & 0xffffn).toBe(BigInt((TOR | R | L) << 8 | (R | W)));
    p.writeAddr(1, 0x1234n);
    p.writeAddr(0, 0x5678n);
    expect(p.readAddr(1)).toBe(BigInt((BASE + 64) / 4));
    expect(p.readAddr(0)).toBe(BigInt(BASE / 4));
  });

  test('pmpaddr holds bits 55:2 (54 bits); R=0 W=1 is reserved and not stored', () => {
    const p = new Pmp();
    p.writeAddr(0, (1n << 64n) - 1n);
    expect(p.readAddr(0)).toBe((1n << 54n) - 1n);
    p.writeCfg(0, BigInt(NAPOT | W));
    expect(Number(p.readCfg(0) & 7n)).not.toBe(W);
  });
});

describe('through the hart', () => {
  test('S-mode load denied by PMP is a load access fault with the address; the page-table walk is checked too', () => {
    const h = newHart();
    load(h, RAM, [E('ld', { rd: 5, rs1: 10, imm: 0 }), EBREAK]);
    h.writeCsr(CSR.pmpaddr0 + 15, napot(RAM, 0x8000));
    h.writeCsr(CSR.pmpaddr0, napot(BASE, 64));
    h.writeCsr(CSR.pmpcfg0, cfg(NAPOT));
    h.writeCsr(CSR.pmpcfg2, BigInt(NAPOT | R | W | X) << 56n);
    h.setX(10, BigInt(BASE + 8));
    h.setPriv(S); h.setPc(RAMN); h.run(10);
    expect(trapOf(h)).toEqual({ cause: 5n, tval: BigInt(BASE + 8), epc: RAMN });

    // Sv39 with the root table inside the denied region: the fetch's walk faults.
    const g = newHart();
    load(g, RAM, [EBREAK]);
    g.writeCsr(CSR.pmpaddr0 + 15, napot(RAM, 0x8000));
    g.writeCsr(CSR.pmpaddr0, napot(BASE, 0x1000));
    g.writeCsr(CSR.pmpcfg0, cfg(NAPOT));
    g.writeCsr(CSR.pmpcfg2, BigInt(NAPOT | R | W | X) << 56n);
    g.writeCsr(CSR.satp, (8n << 60n) | BigInt(BASE / 4096));
    g.setPriv(S); g.setPc(RAMN); g.run(10);
    expect(trapOf(g)).toEqual({ cause: 1n, tval: RAMN, epc: RAMN });
  });
});

// 3.7.1: "If no PMP entry matches an M-mode access, the access succeeds. If no PMP entry matches an
// S-mode or U-mode access, but at least one PMP entry is implemented, the access fails." All 16
// entries are implemented, so this holds whether or not any entry is active.
describe('no entry matches (3.7.1)', () => {
  const kinds = [Access.Fetch, Access.Load, Access.Store];

  test('every entry OFF (the reset state): M passes, S and U fail, for every access and page', () => {
    const p = new Pmp();
    p.reset();
    for (const a of kinds) {
      expect(p.check(BASE, 8, M, a)).toBe(true);
      expect(p.check(BASE, 8, S, a)).toBe(false);
      expect(p.check(BASE, 8, U, a)).toBe(false);
      expect(p.pageVerdict(BASE, M, a)).toBe(1); // Allow
      expect(p.pageVerdict(BASE, S, a)).toBe(0); // Deny
      expect(p.pageVerdict(BASE, U, a)).toBe(0);
    }
  });

  test('an active entry elsewhere: outside it M passes, S and U fail; inside it they pass', () => {
    const p = pmp([napot(BASE, 0x1000)], cfg(NAPOT | R | W | X));
    for (const a of kinds) {
      expect(p.check(BASE + 0x1000, 8, M, a)).toBe(true);
      expect(p.check(BASE + 0x1000, 8, S, a)).toBe(false);
      expect(p.check(BASE + 0x1000, 8, U, a)).toBe(false);
      expect(p.check(BASE, 8, U, a)).toBe(true);
    }
  });

  /** A hart with every PMP entry OFF, code at RAM, stopping at its first trap. */
  function bare(code: number[], priv: number, setup: (h: ReturnType<typeof newHart>) => void = () => undefined) {
    const h = newHart({ pmpOpen: false });
    load(h, RAM, [...code, EBREAK]);
    h.setX(10, BigInt(BASE)); h.setX(11, 0x1234n);
    setup(h);
    h.setPriv(priv); h.setPc(RAMN); h.run(10);
    return h;
  }
  const mprv = (mpp: number) => (h: ReturnType<typeof newHart>) => h.writeCsr(CSR.mstatus, MS.MPRV | (BigInt(mpp) << MS.MPP_SHIFT));

  test('fetch from S and from U is an instruction access fault at the first instruction', () => {
    for (const priv of [S, U]) expect(trapOf(bare([E('addi', { rd: 5, rs1: 0, imm: 1 })], priv))).toEqual({ cause: 1n, tval: RAMN, epc: RAMN });
  });

  test('loads, stores and AMOs with S or U effective privilege (MPRV) fault; from M they pass', () => {
    const ld = E('ld', { rd: 5, rs1: 10, imm: 0 }), sd = E('sd', { rs1: 10, rs2: 11, imm: 0 }), amo = E('amoadd.d', { rd: 5, rs1: 10, rs2: 11 });
    for (const mpp of [S, U]) {
      expect(trapOf(bare([ld], M, mprv(mpp)))).toEqual({ cause: 5n, tval: BigInt(BASE), epc: RAMN });
      expect(trapOf(bare([sd], M, mprv(mpp)))).toEqual({ cause: 7n, tval: BigInt(BASE), epc: RAMN });
      expect(trapOf(bare([amo], M, mprv(mpp)))).toEqual({ cause: 7n, tval: BigInt(BASE), epc: RAMN });
    }
    const m = bare([sd, ld], M);
    expect(trapOf(m)).toEqual({ cause: 3n, tval: 0n, epc: RAMN + 8n }); // the ebreak: both passed
    expect(m.getX(5)).toBe(0x1234n);
  });

  test('a page-table walk for an S or U access faults with the access type of the original access', () => {
    for (const mpp of [S, U]) {
      const h = bare([E('ld', { rd: 5, rs1: 10, imm: 0 })], M, (g) => { g.writeCsr(CSR.satp, (8n << 60n) | BigInt(BASE / 4096)); mprv(mpp)(g); });
      expect(trapOf(h)).toEqual({ cause: 5n, tval: BigInt(BASE), epc: RAMN });
    }
  });

  test('the translation cache forgets verdicts when PMP changes: closed, then opened, then closed again', () => {
    const h = newHart({ pmpOpen: false });
    load(h, RAM, [E('ld', { rd: 5, rs1: 10, imm: 0 }), EBREAK]);
    h.setX(10, BigInt(BASE));
    const attempt = () => { h.setPriv(M); h.writeCsr(CSR.mstatus, MS.MPRV | (BigInt(S) << MS.MPP_SHIFT)); h.setPc(RAMN); h.run(10); return trapOf(h).cause; };
    expect(attempt()).toBe(5n);
    h.writeCsr(CSR.pmpaddr0, (1n << 54n) - 1n);
    h.writeCsr(CSR.pmpcfg0, cfg(NAPOT | R));
    expect(attempt()).toBe(3n);
    h.writeCsr(CSR.pmpcfg0, 0n);
    expect(attempt()).toBe(5n);
  });
});
