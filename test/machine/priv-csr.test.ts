// CSR rules of the privileged specification 1.12 (chapters 2-4) and Sstc, checked on the Hart.
// Each expectation cites the rule it comes from.

import { Hart } from '../../reference/machine/hart';
import { CSR, csrr, csrw, E, EBREAK, MS, newHart, load, RAM, RAMN, trapOf, u64 } from './helpers';

const MASK64 = (1n << 64n) - 1n;

/** Run `code` (then ebreak) at privilege `priv` after `setup`; returns the hart stopped at its first M trap. */
function exec(code: number[], opts: { priv?: number; regs?: Record<number, bigint>; setup?: (h: Hart) => void } = {}): Hart {
  const h = newHart();
  load(h, RAM, [...code, EBREAK]);
  for (const [k, v] of Object.entries(opts.regs ?? {})) h.setX(Number(k), u64(v));
  opts.setup?.(h);
  h.setPriv(opts.priv ?? 3);
  h.setPc(RAMN);
  h.run(1000);
  return h;
}
const illegalAt = (h: Hart, index: number, bits: number) => {
  expect(trapOf(h)).toEqual({ cause: 2n, tval: BigInt(bits >>> 0), epc: RAMN + BigInt(4 * index) });
};
const completed = (h: Hart, n: number) => expect(trapOf(h)).toEqual({ cause: 3n, tval: 0n, epc: RAMN + BigInt(4 * n) });

describe('CSR access rules (2.1, unpriv 9.1)', () => {
  test('a CSR above the current privilege is illegal; at or below it is not', () => {
    illegalAt(exec([csrr(5, CSR.mstatus)], { priv: 1 }), 0, csrr(5, CSR.mstatus));
    illegalAt(exec([csrr(5, CSR.sstatus)], { priv: 0 }), 0, csrr(5, CSR.sstatus));
    completed(exec([csrr(5, CSR.sstatus)], { priv: 1 }), 1);
  });

  test('writing a read-only CSR is illegal, even csrrs with a register holding zero; csrrs with x0 is a read', () => {
    const setZero = E('csrrs', { rd: 5, rs1: 10, csr: CSR.mhartid });
    illegalAt(exec([setZero], { regs: { 10: 0n } }), 0, setZero);
    const readOnly = E('csrrs', { rd: 5, rs1: 0, csr: CSR.mhartid });
    completed(exec([readOnly]), 1);
    const wi = E('csrrwi', { rd: 0, imm: 0, csr: CSR.marchid });
    illegalAt(exec([wi]), 0, wi);
  });

  test('csrrw with rd = x0 does not read; csrrs/csrrc with x0 do not write', () => {
    const h = exec([csrw(CSR.mscratch, 10), E('csrrs', { rd: 6, rs1: 0, csr: CSR.mscratch }), E('csrrc', { rd: 7, rs1: 0, csr: CSR.mscratch })], { regs: { 10: 0x1234n } });
    expect(h.getX(6)).toBe(0x1234n);
    expect(h.getX(7)).toBe(0x1234n);
  });

  test('a CSR number no register uses is illegal', () => {
    const bits = csrr(5, 0x7c0);
    illegalAt(exec([bits]), 0, bits);
  });
});

describe('mstatus and sstatus (3.1.6, 4.1.1)', () => {
  test('UXL and SXL read 2 (XLEN 64); FS, XS and SD read 0 without F', () => {
    const h = exec([csrw(CSR.mstatus, 10), csrr(5, CSR.mstatus), csrr(6, CSR.sstatus)], { regs: { 10: MASK64 } });
    const ms = h.getX(5);
    expect((ms >> 32n) & 3n).toBe(2n);
    expect((ms >> 34n) & 3n).toBe(2n);
    expect((ms >> 13n) & 3n).toBe(0n); // FS
    expect((ms >> 15n) & 3n).toBe(0n); // XS
    expect(ms >> 63n).toBe(0n); // SD
    // sstatus is a restricted view: SIE, SPIE, SPP, SUM, MXR and UXL.
    expect(h.getX(6)).toBe(MS.SIE | MS.SPIE | MS.SPP | MS.SUM | MS.MXR | (2n << 32n));
  });

  test('MPP is WARL over {U, S, M}: writing 2 keeps the previous value', () => {
    const h = exec([csrw(CSR.mstatus, 10), csrw(CSR.mstatus, 11), csrr(5, CSR.mstatus)], { regs: { 10: 1n << 11n, 11: 2n << 11n } });
    expect((h.getX(5) & MS.MPP) >> 11n).toBe(1n);
  });
});

describe('trap setup CSRs', () => {
  test('misa reports RV64 ACIMSU and ignores writes', () => {
    const h = exec([csrw(CSR.misa, 0), csrr(5, CSR.misa)]);
    const letters = (v: bigint) => [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].filter((_, i) => (v >> BigInt(i)) & 1n).join('');
    expect(h.getX(5) >> 62n).toBe(2n);
    expect(letters(h.getX(5))).toBe('ACIMSU');
  });

  test('medeleg: ecall from M (bit 11) is read-only zero', () => {
    const h = exec([csrw(CSR.medeleg, 10), csrr(5, CSR.medeleg)], { regs: { 10: MASK64 } });
    expect((h.getX(5) >> 11n) & 1n).toBe(0n);
    expect(h.getX(5) & 0xffn).toBe(0xffn);
  });

  test('mideleg: only supervisor interrupts are delegable; sie and sip see only delegated bits', () => {
    const h = exec([csrw(CSR.mideleg, 10), csrr(5, CSR.mideleg), csrw(CSR.mie, 10), csrw(CSR.mideleg, 11), csrr(6, CSR.sie)], { regs: { 10: MASK64, 11: 1n << 5n } });
    expect(h.getX(5)).toBe((1n << 1n) | (1n << 5n) | (1n << 9n));
    expect(h.getX(6)).toBe(1n << 5n);
  });

  test('mtvec: modes 2 and 3 are reserved, the write is ignored (WARL, QEMU\'s choice)', () => {
    const h = exec([csrw(CSR.mtvec, 10), csrw(CSR.mtvec, 11), csrr(5, CSR.mtvec)], { regs: { 10: 0x80001001n, 11: 0x80002002n } });
    expect(h.getX(5)).toBe(0x80001001n);
  });

  test('mepc and sepc: bit 0 is always zero (IALIGN 16)', () => {
    const h = exec([csrw(CSR.mepc, 10), csrr(5, CSR.mepc), csrw(CSR.sepc, 10), csrr(6, CSR.sepc)], { regs: { 10: 0x80000003n } });
    expect(h.getX(5)).toBe(0x80000002n);
    expect(h.getX(6)).toBe(0x80000002n);
  });

  test('mcounteren and scounteren are 32-bit registers', () => {
    const h = exec([csrw(CSR.mcounteren, 10), csrr(5, CSR.mcounteren), csrw(CSR.scounteren, 10), csrr(6, CSR.scounteren)], { regs: { 10: MASK64 } });
    expect(h.getX(5)).toBe(0xffffffffn);
    expect(h.getX(6)).toBe(0xffffffffn);
  });
});

describe('mip (3.1.9)', () => {
  test('SEIP read is the software bit OR the external line; csrrs/csrrc modify only the software bit', () => {
    const h = exec([E('csrrs', { rd: 5, rs1: 0, csr: CSR.mip }), E('csrrc', { rd: 6, rs1: 10, csr: CSR.mip }), csrr(7, CSR.mip)], {
      regs: { 10: 1n << 9n }, setup: (hh) => hh.setHwBit(9, true),
    });
    expect(h.getX(5) & (1n << 9n)).toBe(1n << 9n);
    expect(h.getX(7) & (1n << 9n)).toBe(1n << 9n); // the line still drives it
  });

  test('MTIP, MSIP and MEIP are read-only in mip', () => {
    const h = exec([csrw(CSR.mip, 10), csrr(5, CSR.mip)], { regs: { 10: (1n << 3n) | (1n << 7n) | (1n << 11n) } });
    expect(h.getX(5)).toBe(0n);
  });

  test('Sstc: with menvcfg.STCE = 1, STIP follows stimecmp and ignores software writes', () => {
    const h = exec([csrw(CSR.mip, 10), csrr(5, CSR.mip)], { regs: { 10: 1n << 5n }, setup: (hh) => { hh.writeCsr(CSR.stimecmp, MASK64); hh.writeCsr(CSR.menvcfg, 1n << 63n); } });
    expect(h.getX(5)).toBe(0n);
    const g = exec([csrr(5, CSR.mip)], { setup: (hh) => { hh.writeCsr(CSR.stimecmp, 0n); hh.writeCsr(CSR.menvcfg, 1n << 63n); } });
    expect(g.getX(5)).toBe(1n << 5n);
  });

  test('Sstc: without STCE, STIP is writable by M', () => {
    const h = exec([csrw(CSR.mip, 10), csrr(5, CSR.mip)], { regs: { 10: 1n << 5n } });
    expect(h.getX(5)).toBe(1n << 5n);
  });

  test('Sstc: S-mode access to stimecmp needs menvcfg.STCE and mcounteren.TM', () => {
    const bits = csrr(5, CSR.stimecmp);
    illegalAt(exec([bits], { priv: 1, setup: (hh) => hh.writeCsr(CSR.mcounteren, 2n) }), 0, bits);
    illegalAt(exec([bits], { priv: 1, setup: (hh) => hh.writeCsr(CSR.menvcfg, 1n << 63n) }), 0, bits);
    completed(exec([bits], { priv: 1, setup: (hh) => { hh.writeCsr(CSR.menvcfg, 1n << 63n); hh.writeCsr(CSR.mcounteren, 2n); } }), 1);
  });
});

describe('satp (4.1.11)', () => {
  test('an unsupported MODE (Sv48, Sv57, reserved) leaves satp unchanged', () => {
    for (const mode of [9n, 10n, 1n, 15n]) {
      const h = exec([csrw(CSR.satp, 10), csrw(CSR.satp, 11), csrr(5, CSR.satp)], { regs: { 10: (8n << 60n) | 0x80020n, 11: (mode << 60n) | 0x1234n } });
      expect(h.getX(5)).toBe((8n << 60n) | 0x80020n);
    }
  });

  test('TVM traps satp accesses in S, not in M', () => {
    const bits = csrr(5, CSR.satp);
    illegalAt(exec([bits], { priv: 1, setup: (hh) => hh.writeCsr(CSR.mstatus, MS.TVM) }), 0, bits);
    completed(exec([bits], { priv: 3, setup: (hh) => hh.writeCsr(CSR.mstatus, MS.TVM) }), 1);
  });
});

describe('counters (3.1.11, 3.1.12, 4.1.5)', () => {
  test('cycle, time and instret from S need mcounteren; from U both mcounteren and scounteren', () => {
    for (const [n, bit] of [[CSR.cycle, 0], [CSR.time, 1], [CSR.instret, 2]]) {
      const bits = csrr(5, n);
      illegalAt(exec([bits], { priv: 1 }), 0, bits);
      completed(exec([bits], { priv: 1, setup: (hh) => hh.writeCsr(CSR.mcounteren, 1n << BigInt(bit)) }), 1);
      illegalAt(exec([bits], { priv: 0, setup: (hh) => hh.writeCsr(CSR.mcounteren, 1n << BigInt(bit)) }), 0, bits);
      completed(exec([bits], { priv: 0, setup: (hh) => { hh.writeCsr(CSR.mcounteren, 1n << BigInt(bit)); hh.writeCsr(CSR.scounteren, 1n << BigInt(bit)); } }), 1);
    }
  });

  test('minstret written by csrrw reads back the written value at the next instruction', () => {
    const h = exec([csrw(CSR.minstret, 10), csrr(5, CSR.minstret)], { regs: { 10: 1000n } });
    expect(h.getX(5)).toBe(1000n);
  });
});
