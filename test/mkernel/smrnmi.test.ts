// Smrnmi on the reference hart, from the specification (RISC-V privileged architecture,
// "Resumable Non-Maskable Interrupts"): what taking an RNMI, MNRET, exceptions with NMIE clear
// and the mn* CSRs do. Vector addresses are the platform's (conformance/mmode-kernels.md).

import { Hart } from '../../reference/machine/hart';
import { E, load, newHart, nobus, NOP, RAM, RAMN, SELF_LOOP } from '../machine/helpers';

const RNMI_VECTOR = RAM + 0x8000, RNMI_EXC = RAM + 0x8100, MTVEC = RAM + 0x9000;
const MNRET = 0x70200073;
const NMIE = 8;

function hart(): Hart {
  const h = newHart(); // PMP open to S and U, as firmware leaves it
  h.stopOnTrap = false;
  h.rnmiVector = RNMI_VECTOR;
  h.rnmiExceptionVector = RNMI_EXC;
  h.setPc(RAMN);
  load(h, RNMI_VECTOR, [SELF_LOOP]);
  load(h, RNMI_EXC, [SELF_LOOP]);
  load(h, MTVEC, [SELF_LOOP]);
  h.writeCsr(0x305, BigInt(MTVEC));
  return h;
}

describe('Smrnmi', () => {
  test('an RNMI is taken whatever mstatus.MIE says while NMIE is set: mnepc, mncause, MNPP, NMIE cleared', () => {
    const h = hart();
    load(h, RAM, [NOP, NOP, NOP]);
    h.writeCsr(0x744, BigInt(NMIE));
    h.setPriv(1);
    h.run(1);
    h.raiseRnmi(5n);
    h.run(1); // the RNMI is taken before the next instruction, then the vector's first one runs
    expect(h.readCsr(0x741)).toBe(RAMN + 4n);
    expect(h.readCsr(0x742)).toBe((1n << 63n) | 5n);
    expect(Number(h.readCsr(0x744))).toBe(1 << 11); // MNPP = S, NMIE = 0
    expect(h.priv).toBe(3);
    expect(h.pc).toBe(RNMI_VECTOR);
    expect(h.readCsr(0x300) & 8n).toBe(0n); // mstatus untouched (MIE was and stays 0)
  });

  test('no RNMI while NMIE is clear; it stays pending until software sets NMIE', () => {
    const h = hart();
    load(h, RAM, [NOP, NOP, E('csrrsi', { rd: 0, imm: NMIE, csr: 0x744 }), NOP, NOP]);
    h.raiseRnmi(1n);
    h.run(2);
    expect(h.pc).toBe(RAM + 8);
    h.run(2); // csrrsi sets NMIE; the RNMI comes at the next boundary
    expect(h.readCsr(0x741)).toBe(RAMN + 12n);
    expect(h.pc).toBe(RNMI_VECTOR);
  });

  test('software cannot clear NMIE; MNPP is WARL like MPP (2 keeps the old value)', () => {
    const h = hart();
    h.writeCsr(0x744, BigInt(NMIE | (1 << 11)));
    h.writeCsr(0x744, 0n);
    expect(Number(h.readCsr(0x744))).toBe(NMIE);
    h.writeCsr(0x744, BigInt(3 << 11));
    h.writeCsr(0x744, BigInt(2 << 11));
    expect(Number(h.readCsr(0x744))).toBe(NMIE | (3 << 11));
  });

  test('MNRET returns to mnepc in MNPP, sets NMIE, clears MPRV below M, leaves MIE/MPIE/MPP alone', () => {
    const h = hart();
    load(h, RAM, [MNRET]);
    load(h, RAM + 0x100, [NOP]);
    h.writeCsr(0x741, RAMN + 0x100n);
    h.writeCsr(0x744, BigInt(0 << 11));
    h.writeCsr(0x300, (1n << 17n) | (1n << 7n) | (3n << 11n)); // MPRV, MPIE, MPP = M
    h.run(1);
    expect(h.pc).toBe(RAM + 0x100);
    expect(h.priv).toBe(0);
    expect(Number(h.readCsr(0x744)) & NMIE).toBe(NMIE);
    expect(h.readCsr(0x300) & ((1n << 17n) | (1n << 7n) | (3n << 11n))).toBe((1n << 7n) | (3n << 11n));
  });

  test('MNRET below M-mode is illegal', () => {
    const h = hart();
    h.stopOnTrap = true;
    load(h, RAM, [MNRET]);
    h.setPriv(1);
    expect(h.run(1)).toBe('trap');
    expect(h.lastTrap?.cause).toBe(2n);
  });

  test('an exception in M-mode with NMIE clear is an M trap (mepc, mcause, mtval, MPP) at the RNMI exception vector', () => {
    const h = hart();
    load(h, RAM, [0xffffffff]); // an illegal encoding
    h.writeCsr(0x300, 1n << 3n); // MIE set: it moves to MPIE
    h.run(1);
    expect(h.pc).toBe(RNMI_EXC);
    expect(h.readCsr(0x341)).toBe(RAMN);
    expect(h.readCsr(0x342)).toBe(2n);
    expect(h.readCsr(0x343)).toBe(0xffffffffn);
    const ms = h.readCsr(0x300);
    expect((ms >> 11n) & 3n).toBe(3n);
    expect(ms & (1n << 7n)).toBe(1n << 7n);
    expect(ms & (1n << 3n)).toBe(0n);
    expect(h.readCsr(0x741)).toBe(0n); // mnepc untouched
  });

  test('with NMIE set the same exception goes to mtvec', () => {
    const h = hart();
    load(h, RAM, [0xffffffff]);
    h.writeCsr(0x744, BigInt(NMIE));
    h.run(1);
    expect(h.pc).toBe(MTVEC);
  });

  test('while NMIE is clear M-mode takes no interrupts, even with MIE set', () => {
    const h = hart();
    load(h, RAM, [NOP, NOP]);
    h.writeCsr(0x300, 1n << 3n);
    h.writeCsr(0x304, 1n << 3n);
    h.setHwBit(3, true); // MSIP
    h.run(1);
    expect(h.pc).toBe(RAM + 4);
    h.writeCsr(0x744, BigInt(NMIE));
    h.run(1);
    expect(h.pc).toBe(MTVEC);
  });

  test('without an RNMI vector (no M-mode firmware) a raised RNMI is never taken and does not wake WFI', () => {
    const h = new Hart(RAM, 1 << 20, nobus);
    h.setPc(RAMN);
    load(h, RAM, [E('csrrsi', { rd: 0, imm: NMIE, csr: 0x744 }), 0x10500073, NOP]);
    h.raiseRnmi(1n);
    expect(h.run(10)).toBe('idle');
    expect(h.pc).toBe(RAM + 8);
  });
});

