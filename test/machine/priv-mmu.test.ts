// Sv39 by the privileged specification 1.12, section 4.3: the walk, leaf permissions with SUM,
// MXR and MPRV, superpages and their alignment, reserved encodings, canonical addresses and the
// hardware update of A and D. Page tables are written by hand here, independently of the generators.

import { Hart } from '../../reference/machine/hart';
import { CSR, E, EBREAK, MS, newHart, load, r64, RAM, RAMN, trapOf, u64, w64 } from './helpers';

const ROOT = RAM + 0x20000, L1 = RAM + 0x21000, L0 = RAM + 0x22000, DATA = RAM + 0x10000;
const VA = 0x10000;
const V = 1n, R = 2n, W = 4n, X = 8n, U = 16n, A = 64n, D = 128n;
const pte = (pa: number, flags: bigint) => (BigInt(pa / 4096) << 10n) | flags;
const SATP = (8n << 60n) | BigInt(ROOT / 4096);

/** Code identity-mapped by a gigapage at 0x80000000; VA 0x10000 mapped by `leaf` at `level`. */
function mapped(leaf: bigint, level: 0 | 1 | 2, codeUser = false): Hart {
  const h = newHart();
  w64(h, ROOT + 16, pte(RAM, V | R | W | X | A | D | (codeUser ? U : 0n)));
  if (level === 2) w64(h, ROOT, leaf);
  else {
    w64(h, ROOT, pte(L1, V));
    if (level === 1) w64(h, L1, leaf);
    else { w64(h, L1, pte(L0, V)); w64(h, L0 + 0x10 * 8, leaf); }
  }
  w64(h, DATA, 0x1122334455667788n);
  h.writeCsr(CSR.satp, SATP);
  return h;
}

function access(h: Hart, insn: number, priv: number, mstatus = 0n): { cause: bigint; tval: bigint; epc: bigint } {
  load(h, RAM, [insn, EBREAK]);
  h.setX(10, BigInt(VA));
  h.setX(11, 0xabcdn);
  h.writeCsr(CSR.mstatus, mstatus);
  h.setPriv(priv);
  h.setPc(RAMN);
  h.run(50);
  return trapOf(h);
}
const LD = E('ld', { rd: 5, rs1: 10, imm: 0 }), SD = E('sd', { rs1: 10, rs2: 11, imm: 0 }), JALR = E('jalr', { rd: 1, rs1: 10, imm: 0 });
const ok = { cause: 3n, tval: 0n, epc: RAMN + 4n };
const pf = (cause: bigint, epc = RAMN) => ({ cause, tval: BigInt(VA), epc });

describe('Sv39 leaf permissions (4.3.1, 4.3.2 step 5)', () => {
  test('R allows loads, W stores, X fetches; otherwise the matching page fault', () => {
    expect(access(mapped(pte(DATA, V | R | A), 0), LD, 1)).toEqual(ok);
    expect(access(mapped(pte(DATA, V | R | A), 0), SD, 1)).toEqual(pf(15n));
    expect(access(mapped(pte(DATA, V | X | A), 0), LD, 1)).toEqual(pf(13n));
    expect(access(mapped(pte(DATA, V | R | A), 0), JALR, 1)).toEqual({ cause: 12n, tval: BigInt(VA), epc: BigInt(VA) });
  });

  test('a load through a valid mapping returns the physical bytes', () => {
    const h = mapped(pte(DATA, V | R | A), 0);
    access(h, LD, 1);
    expect(h.getX(5)).toBe(0x1122334455667788n);
  });

  test('MXR makes executable pages readable', () => {
    expect(access(mapped(pte(DATA, V | X | A), 0), LD, 1, MS.MXR)).toEqual(ok);
  });

  test('U pages: U-mode only; S-mode loads and stores need SUM, S-mode fetches never', () => {
    expect(access(mapped(pte(DATA, V | R | W | U | A | D), 0, true), LD, 0)).toEqual(ok);
    expect(access(mapped(pte(DATA, V | R | W | A | D), 0, true), LD, 0)).toEqual(pf(13n));
    expect(access(mapped(pte(DATA, V | R | W | U | A | D), 0), LD, 1)).toEqual(pf(13n));
    expect(access(mapped(pte(DATA, V | R | W | U | A | D), 0), SD, 1, MS.SUM)).toEqual(ok);
    expect(access(mapped(pte(DATA, V | X | U | A), 0), JALR, 1, MS.SUM)).toEqual({ cause: 12n, tval: BigInt(VA), epc: BigInt(VA) });
  });

  test('MPRV: M-mode loads and stores are translated and checked as MPP', () => {
    expect(access(mapped(pte(DATA, V | R | A), 0), LD, 3, MS.MPRV | (1n << 11n))).toEqual(ok);
    expect(access(mapped(pte(DATA, V | R | A), 0), LD, 3, MS.MPRV | (0n << 11n))).toEqual(pf(13n));
    // MPP = M: untranslated, and 0x10000 is not memory.
    expect(access(mapped(pte(DATA, V | R | A), 0), LD, 3, MS.MPRV | (3n << 11n))).toEqual({ cause: 5n, tval: BigInt(VA), epc: RAMN });
  });
});

describe('Sv39 structure (4.3.2)', () => {
  test('superpage leaves at levels 1 and 2 translate with the low VPN bits', () => {
    for (const level of [1, 2] as const) {
      const h = mapped(pte(RAM, V | R | A), level);
      expect(access(h, LD, 1)).toEqual(ok);
      expect(h.getX(5)).toBe(0x1122334455667788n);
    }
  });

  test('a misaligned superpage is a page fault', () => {
    expect(access(mapped(pte(RAM + 0x1000, V | R | A), 1), LD, 1)).toEqual(pf(13n));
    expect(access(mapped(pte(RAM + 0x200000, V | R | A), 2), LD, 1)).toEqual(pf(13n));
  });

  test('reserved encodings fault: W without R, V = 0, reserved high bits, A/D/U in a pointer', () => {
    expect(access(mapped(pte(DATA, V | W | A | D), 0), LD, 1)).toEqual(pf(13n));
    expect(access(mapped(pte(DATA, R | W | A | D), 0), LD, 1)).toEqual(pf(13n));
    expect(access(mapped(pte(DATA, V | R | A) | (1n << 60n), 0), LD, 1)).toEqual(pf(13n));
    const h = mapped(pte(DATA, V | R | A), 0);
    w64(h, ROOT, pte(L1, V | A));
    expect(access(h, LD, 1)).toEqual(pf(13n));
  });

  test('non-canonical addresses fault (bits 63..39 must equal bit 38)', () => {
    const h = mapped(pte(DATA, V | R | A), 0);
    load(h, RAM, [LD, EBREAK]);
    h.setX(10, 0x0000004000000000n);
    h.setPriv(1); h.setPc(RAMN); h.run(10);
    expect(trapOf(h)).toEqual({ cause: 13n, tval: 0x0000004000000000n, epc: RAMN });
  });

  test('A is set on any access and D on a store, in the leaf PTE (hardware update)', () => {
    const h = mapped(pte(DATA, V | R | W), 0);
    access(h, LD, 1);
    expect(r64(h, L0 + 0x80) & (A | D)).toBe(A);
    access(h, SD, 1);
    expect(r64(h, L0 + 0x80) & (A | D)).toBe(A | D);
    expect(u64(r64(h, DATA))).toBe(0xabcdn);
  });

  test('a PTE outside RAM is an access fault of the original access type', () => {
    const h = mapped(pte(DATA, V | R | A), 0);
    w64(h, ROOT, pte(0x300000, V));
    expect(access(h, SD, 1)).toEqual({ cause: 7n, tval: BigInt(VA), epc: RAMN });
  });
});
