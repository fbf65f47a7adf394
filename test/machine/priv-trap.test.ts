// Traps and interrupts by the privileged specification 1.12 (3.1.6-3.1.9, 3.3): trap entry and
// return state, delegation, interrupt priority and enables, WFI and the mstatus trap bits.

import { Hart } from '../../reference/machine/hart';
import { CSR, csrr, csrw, E, EBREAK, ECALL, MRET, MS, newHart, load, RAM, RAMN, SELF_LOOP, SRET, trapOf, u64, WFI } from './helpers';

const HANDLER = RAM + 0x1000; // M handler: self loop
const SHANDLER = RAM + 0x2000; // S handler: self loop

/** A hart that enters real handlers (no stop on trap); runs `n` instructions. */
function live(code: number[], opts: { priv?: number; regs?: Record<number, bigint>; setup?: (h: Hart) => void; n?: number } = {}): Hart {
  const h = newHart();
  h.stopOnTrap = false;
  load(h, RAM, code);
  load(h, HANDLER, [SELF_LOOP, SELF_LOOP]);
  load(h, SHANDLER, [SELF_LOOP]);
  h.writeCsr(CSR.mtvec, BigInt(HANDLER));
  h.writeCsr(CSR.stvec, BigInt(SHANDLER));
  for (const [k, v] of Object.entries(opts.regs ?? {})) h.setX(Number(k), u64(v));
  opts.setup?.(h);
  h.setPriv(opts.priv ?? 3);
  h.setPc(RAMN);
  h.run(opts.n ?? 20);
  return h;
}
const csrOf = (h: Hart, n: number) => h.readCsr(n);

describe('trap entry (3.1.6.1, 3.1.14-3.1.16)', () => {
  test('an exception from U into M: mepc, mcause, mtval, MPP = U, MPIE = old MIE, MIE = 0', () => {
    const h = live([E('ld', { rd: 5, rs1: 10, imm: 0 })], { priv: 0, regs: { 10: 0x300000n }, setup: (hh) => hh.writeCsr(CSR.mstatus, MS.MIE) });
    expect(h.priv).toBe(3);
    expect(h.getPc()).toBe(BigInt(HANDLER));
    expect(csrOf(h, CSR.mcause)).toBe(5n);
    expect(csrOf(h, CSR.mtval)).toBe(0x300000n);
    expect(csrOf(h, CSR.mepc)).toBe(RAMN);
    const ms = csrOf(h, CSR.mstatus);
    expect((ms & MS.MPP) >> 11n).toBe(0n);
    expect(ms & MS.MPIE).toBe(MS.MPIE);
    expect(ms & MS.MIE).toBe(0n);
  });

  test('a delegated exception from U goes to S: SPP = U, SPIE = old SIE, SIE = 0; M CSRs untouched', () => {
    const h = live([ECALL], { priv: 0, setup: (hh) => { hh.writeCsr(CSR.medeleg, 1n << 8n); hh.writeCsr(CSR.mstatus, MS.SIE); } });
    expect(h.priv).toBe(1);
    expect(h.getPc()).toBe(BigInt(SHANDLER));
    expect(csrOf(h, CSR.scause)).toBe(8n);
    expect(csrOf(h, CSR.sepc)).toBe(RAMN);
    expect(csrOf(h, CSR.mcause)).toBe(0n);
    const ms = csrOf(h, CSR.mstatus);
    expect(ms & MS.SPP).toBe(0n);
    expect(ms & MS.SPIE).toBe(MS.SPIE);
    expect(ms & MS.SIE).toBe(0n);
  });

  test('traps never go to a less privileged mode: a delegated exception raised in M stays in M', () => {
    const h = live([E('ld', { rd: 5, rs1: 10, imm: 0 })], { regs: { 10: 0x300000n }, setup: (hh) => hh.writeCsr(CSR.medeleg, 1n << 5n) });
    expect(h.priv).toBe(3);
    expect(csrOf(h, CSR.mcause)).toBe(5n);
    expect(csrOf(h, CSR.scause)).toBe(0n);
  });

  test('ecall cause follows the privilege: 8 from U, 9 from S, 11 from M', () => {
    for (const [priv, cause] of [[0, 8n], [1, 9n], [3, 11n]] as [number, bigint][]) {
      expect(live([ECALL], { priv }).readCsr(CSR.mcause)).toBe(cause);
    }
  });

  test('vectored mode: interrupts go to base + 4 * cause, exceptions to base', () => {
    const vec = (h: Hart) => { h.writeCsr(CSR.mtvec, BigInt(HANDLER) | 1n); };
    const h = live([ECALL], { setup: vec, n: 1 });
    expect(h.getPc()).toBe(BigInt(HANDLER));
    const g = live([E('addi', { rd: 0, rs1: 0, imm: 0 })], { priv: 1, setup: (hh) => { vec(hh); hh.writeCsr(CSR.mie, 1n << 1n); hh.writeCsr(CSR.mip, 1n << 1n); }, n: 1 });
    expect(g.readCsr(CSR.mcause)).toBe((1n << 63n) | 1n);
    expect(g.getPc()).toBe(BigInt(HANDLER + 4));
  });
});

describe('interrupts (3.1.9)', () => {
  const pendAll = (hh: Hart, bits: bigint) => { hh.writeCsr(CSR.mie, 0xfffn); hh.writeCsr(CSR.mip, bits); };

  test('priority among M-level interrupts: MEI > MSI > MTI > SEI > SSI > STI', () => {
    const order = [11, 3, 7, 9, 1, 5];
    for (let k = 0; k < order.length; k++) {
      const pending = order.slice(k);
      const h = live([E('addi', { rd: 0, rs1: 0, imm: 0 })], {
        priv: 1, n: 1, setup: (hh) => {
          pendAll(hh, pending.filter((b) => b === 1 || b === 5 || b === 9).reduce((a, b) => a | (1n << BigInt(b)), 0n));
          if (pending.includes(11)) hh.setHwBit(11, true);
          if (pending.includes(3)) hh.setHwBit(3, true);
          if (pending.includes(7)) hh.mtimecmp = 0; // the CLINT comparator: mtime >= mtimecmp
        },
      });
      expect(h.readCsr(CSR.mcause)).toBe((1n << 63n) | BigInt(order[k]));
    }
  });

  test('M-level interrupts are taken below M whatever MIE says, and in M only with MIE', () => {
    const setup = (hh: Hart) => pendAll(hh, 1n << 1n);
    expect(live([0x13], { priv: 1, setup, n: 1 }).priv).toBe(3);
    expect(live([0x13, 0x13], { priv: 3, setup, n: 2 }).readCsr(CSR.mcause)).toBe(0n);
    expect(live([0x13], { priv: 3, setup: (hh) => { setup(hh); hh.writeCsr(CSR.mstatus, MS.MIE); }, n: 1 }).readCsr(CSR.mcause)).toBe((1n << 63n) | 1n);
  });

  test('a delegated interrupt is never taken in M; in S only with SIE; in U always', () => {
    const deleg = (hh: Hart) => { hh.writeCsr(CSR.mideleg, 1n << 1n); pendAll(hh, 1n << 1n); hh.writeCsr(CSR.mstatus, hh.readCsr(CSR.mstatus) | MS.MIE); };
    expect(live([0x13, 0x13], { priv: 3, setup: deleg, n: 2 }).readCsr(CSR.scause)).toBe(0n);
    expect(live([0x13, 0x13], { priv: 1, setup: deleg, n: 2 }).readCsr(CSR.scause)).toBe(0n);
    expect(live([0x13], { priv: 1, setup: (hh) => { deleg(hh); hh.writeCsr(CSR.mstatus, MS.SIE); }, n: 1 }).readCsr(CSR.scause)).toBe((1n << 63n) | 1n);
    expect(live([0x13], { priv: 0, setup: deleg, n: 1 }).readCsr(CSR.scause)).toBe((1n << 63n) | 1n);
  });
});

describe('trap return and wait (3.3.2, 3.3.3, 3.1.6.5)', () => {
  test('mret: privilege from MPP, MIE from MPIE, MPIE = 1, MPP = U, MPRV cleared when leaving M', () => {
    const h = live([csrw(CSR.mstatus, 10), csrw(CSR.mepc, 11), MRET], { regs: { 10: (1n << 11n) | MS.MPRV, 11: BigInt(RAM + 0x3000) }, n: 3 });
    expect(h.priv).toBe(1);
    expect(h.getPc()).toBe(BigInt(RAM + 0x3000));
    const ms = h.readCsr(CSR.mstatus);
    expect(ms & (MS.MPP | MS.MPRV | MS.MIE)).toBe(0n);
    expect(ms & MS.MPIE).toBe(MS.MPIE);
  });

  test('sret in S returns to SPP with SIE = SPIE; TSR makes it illegal in S; in U it is illegal', () => {
    const h = live([SRET], { priv: 1, n: 1, setup: (hh) => { hh.writeCsr(CSR.mstatus, MS.SPIE); hh.writeCsr(CSR.sepc, BigInt(RAM + 0x3000)); } });
    expect(h.priv).toBe(0);
    expect(h.readCsr(CSR.mstatus) & (MS.SIE | MS.SPIE)).toBe(MS.SIE | MS.SPIE);
    expect(live([SRET], { priv: 1, n: 1, setup: (hh) => hh.writeCsr(CSR.mstatus, MS.TSR) }).readCsr(CSR.mcause)).toBe(2n);
    expect(live([SRET], { priv: 0, n: 1 }).readCsr(CSR.mcause)).toBe(2n);
  });

  test('mret below M is illegal, with the instruction in mtval', () => {
    const h = live([MRET], { priv: 1, n: 1 });
    expect(h.readCsr(CSR.mcause)).toBe(2n);
    expect(h.readCsr(CSR.mtval)).toBe(BigInt(MRET));
  });

  test('wfi: U-mode illegal; S-mode illegal with TW; completes when an enabled interrupt is pending', () => {
    expect(live([WFI], { priv: 0, n: 1 }).readCsr(CSR.mcause)).toBe(2n);
    expect(live([WFI], { priv: 1, n: 1, setup: (hh) => hh.writeCsr(CSR.mstatus, MS.TW) }).readCsr(CSR.mcause)).toBe(2n);
    const h = newHart();
    load(h, RAM, [WFI, E('addi', { rd: 5, rs1: 0, imm: 1 }), EBREAK]);
    h.writeCsr(CSR.mie, 1n << 1n);
    h.writeCsr(CSR.mip, 1n << 1n);
    h.run(10);
    expect(h.getX(5)).toBe(1n);
    expect(trapOf(h).cause).toBe(3n);
  });

  test('wfi with nothing that could wake it stops the run as idle', () => {
    const h = newHart();
    load(h, RAM, [WFI, EBREAK]);
    expect(h.run(10)).toBe('idle');
  });

  test('TVM makes sfence.vma illegal in S', () => {
    const sf = E('sfence.vma', { rs1: 0, rs2: 0 });
    expect(live([sf], { priv: 1, n: 1, setup: (hh) => hh.writeCsr(CSR.mstatus, MS.TVM) }).readCsr(CSR.mcause)).toBe(2n);
    expect(live([sf, ECALL], { priv: 1, n: 2 }).readCsr(CSR.mcause)).toBe(9n);
  });

  test('a handler that faults at once does not hang the run: the budget bounds it', () => {
    const h = newHart();
    h.stopOnTrap = false;
    load(h, RAM, [ECALL]);
    h.writeCsr(CSR.mtvec, 0x300000n); // nothing there: every entry faults on its fetch
    expect(h.run(1000)).toBe('limit');
    void csrr;
  });
});
