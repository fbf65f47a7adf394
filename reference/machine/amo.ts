// The A extension: LR/SC and the AMOs (unprivileged spec 20191213 ch. 8), one table row per
// opcode giving its width and what it does.

import type { Hart } from './hart';
import { Op } from './isa/opcodes';
import { Access } from './trap-causes';
import { exactAddress, readPhys, writePhys } from './data-access';
import { translate } from './translation';
import { accessFaultCause, addressTval, misalignedCause } from './traps';

/** What an A-extension instruction does with memory. */
export const enum AmoKind { Lr, Sc, Swap, Add, Xor, And, Or, Min, Max, MinU, MaxU }

export interface AmoRow { readonly kind: AmoKind; readonly bytes: 4 | 8 }

const ROWS: [Op, AmoRow][] = [
  [Op.LR_W, { kind: AmoKind.Lr, bytes: 4 }], [Op.LR_D, { kind: AmoKind.Lr, bytes: 8 }],
  [Op.SC_W, { kind: AmoKind.Sc, bytes: 4 }], [Op.SC_D, { kind: AmoKind.Sc, bytes: 8 }],
  [Op.AMOSWAP_W, { kind: AmoKind.Swap, bytes: 4 }], [Op.AMOSWAP_D, { kind: AmoKind.Swap, bytes: 8 }],
  [Op.AMOADD_W, { kind: AmoKind.Add, bytes: 4 }], [Op.AMOADD_D, { kind: AmoKind.Add, bytes: 8 }],
  [Op.AMOXOR_W, { kind: AmoKind.Xor, bytes: 4 }], [Op.AMOXOR_D, { kind: AmoKind.Xor, bytes: 8 }],
  [Op.AMOAND_W, { kind: AmoKind.And, bytes: 4 }], [Op.AMOAND_D, { kind: AmoKind.And, bytes: 8 }],
  [Op.AMOOR_W, { kind: AmoKind.Or, bytes: 4 }], [Op.AMOOR_D, { kind: AmoKind.Or, bytes: 8 }],
  [Op.AMOMIN_W, { kind: AmoKind.Min, bytes: 4 }], [Op.AMOMIN_D, { kind: AmoKind.Min, bytes: 8 }],
  [Op.AMOMAX_W, { kind: AmoKind.Max, bytes: 4 }], [Op.AMOMAX_D, { kind: AmoKind.Max, bytes: 8 }],
  [Op.AMOMINU_W, { kind: AmoKind.MinU, bytes: 4 }], [Op.AMOMINU_D, { kind: AmoKind.MinU, bytes: 8 }],
  [Op.AMOMAXU_W, { kind: AmoKind.MaxU, bytes: 4 }], [Op.AMOMAXU_D, { kind: AmoKind.MaxU, bytes: 8 }],
];

/** The row of each A-extension opcode, indexed by opcode; undefined for every other opcode. */
export const AMO_TABLE: readonly (AmoRow | undefined)[] = (() => {
  const t: (AmoRow | undefined)[] = [];
  for (const [op, row] of ROWS) t[op] = row;
  return t;
})();

/** Execute the A-extension instruction `row` (rd, rs1, rs2 are register-pair indices). */
export function executeAmo(h: Hart, row: AmoRow, rd: number, rs1: number, rs2: number): void {
  const x = h.x;
  const { kind, bytes } = row;
  const wide = bytes === 8;
  const access = kind === AmoKind.Lr ? Access.Load : Access.Store;
  const va = exactAddress(h, rs1, 0, access);
  const pa = atomicAddress(h, va, bytes, access);
  if (kind === AmoKind.Sc) {
    const ok = h.reservation === pa;
    h.reservation = -1;
    if (ok) writePhys(h, pa, bytes, x[rs2], x[rs2 + 1], va);
    x[rd] = ok ? 0 : 1; x[rd + 1] = 0;
    return;
  }
  // An AMO that faults on its read is a store/AMO access fault (privileged spec, table 3.6).
  const lo = readPhys(h, pa, bytes, access, va);
  const hi = wide ? h.rhi : lo >> 31;
  if (kind === AmoKind.Lr) { h.reservation = pa; x[rd] = lo; x[rd + 1] = hi; return; }
  const bl = x[rs2], bh = wide ? x[rs2 + 1] : bl >> 31;
  let nl = 0, nh = 0;
  switch (kind) {
    case AmoKind.Swap: nl = bl; nh = bh; break;
    case AmoKind.Add: { const s = (lo >>> 0) + (bl >>> 0); nl = s | 0; nh = (hi + bh + (s > 0xffffffff ? 1 : 0)) | 0; break; }
    case AmoKind.Xor: nl = lo ^ bl; nh = hi ^ bh; break;
    case AmoKind.And: nl = lo & bl; nh = hi & bh; break;
    case AmoKind.Or: nl = lo | bl; nh = hi | bh; break;
    default: {
      const signed = kind === AmoKind.Min || kind === AmoKind.Max;
      const ah2 = signed ? hi : hi >>> 0, bh2 = signed ? bh : bh >>> 0;
      const aLess = ah2 < bh2 || (ah2 === bh2 && (lo >>> 0) < (bl >>> 0));
      const takeA = (kind === AmoKind.Min || kind === AmoKind.MinU) ? aLess : !aLess;
      const eq = lo === bl && hi === bh;
      nl = takeA || eq ? lo : bl; nh = takeA || eq ? hi : bh;
    }
  }
  writePhys(h, pa, bytes, nl, nh, va);
  x[rd] = lo; x[rd + 1] = hi;
}

/**
 * Translate and check an LR/SC/AMO address. A misaligned one raises address-misaligned: the
 * specification also allows an access fault, or performing it within a misaligned atomicity
 * granule (unprivileged 20191213 8.4); this platform never performs it, as QEMU 7.2.
 */
function atomicAddress(h: Hart, va: number, bytes: number, access: Access): number {
  if (va % bytes !== 0) h.raise(h.choose('atomicMisaligned') === 'access-fault' ? accessFaultCause(access) : misalignedCause(access), addressTval(va));
  // An AMO also needs read permission: the store walk checked W, and W implies R.
  return translate(h, va, access, bytes);
}
