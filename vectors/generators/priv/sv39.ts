// Sv39: every combination of the leaf PTE's V/R/W/X/U/A/D bits against loads, stores, AMOs and
// fetches from S and U (with SUM and MXR), leaves at each level, misaligned superpages, reserved
// encodings, non-canonical addresses and MPRV. The code runs from an identity-mapped gigapage;
// the page under test maps VA 0x10000 to the data page at PA 0x80010000 (as a physical address,
// 0x10000 is unmapped on QEMU virt and on the reference, so an untranslated access faults).

import { hex64 } from '../../../reference/state';
import { Case, CODE, csr, csrw, DATA, E, ECALL, EBREAK, li, MSTATUS, Priv, qemuDivergence } from './program';
import { qemuSv39AmoTags } from './qemu-model';

const SPEC = 'riscv-priv 1.12 4.3 Sv39 / 4.3.2 Virtual Address Translation Process';
export const ROOT = 0x80020000, L1 = 0x80021000, L0 = 0x80022000;
export const TEST_VA = 0x10000;
const V = 1n, R = 2n, W = 4n, X = 8n, U = 16n, G = 32n, A = 64n, D = 128n;
const SATP = (8n << 60n) | BigInt(ROOT / 4096);
const pte = (pa: number, flags: bigint) => (BigInt(pa / 4096) << 10n) | flags;
const flagsName = (f: bigint) => ['V', 'R', 'W', 'X', 'U', 'G', 'A', 'D'].filter((_, i) => (f >> BigInt(i)) & 1n).join('') || '0';

/** Page tables as memory regions; `leafLevel` is where the page under test is mapped. */
export function tables(codeFlags: bigint, leafLevel: 0 | 1 | 2, leaf: bigint): { base: number; bytes: Uint8Array }[] {
  const root = new Uint8Array(4096), l1 = new Uint8Array(4096), l0 = new Uint8Array(4096);
  const put = (t: Uint8Array, i: number, v: bigint) => new DataView(t.buffer).setBigUint64(i * 8, v, true);
  put(root, 2, pte(0x80000000, codeFlags)); // VA 0x80000000.. = PA 0x80000000.. (gigapage)
  if (leafLevel === 2) put(root, 0, leaf);
  else {
    put(root, 0, pte(L1, V));
    if (leafLevel === 1) put(l1, 0, leaf);
    else { put(l1, 0, pte(L0, V)); put(l0, 0x10, leaf); }
  }
  // Only the entries in use are stored: the rest of each table is zero (invalid).
  const out = [{ base: ROOT, bytes: root.slice(0, 24) }];
  if (leafLevel < 2) out.push({ base: L1, bytes: l1.slice(0, 8) });
  if (leafLevel === 0) out.push({ base: L0 + 0x80, bytes: l0.slice(0x80, 0x88) });
  return out;
}

/** Where the leaf PTE lives, for observing A and D. */
const leafAddress = (level: 0 | 1 | 2) => (level === 2 ? ROOT : level === 1 ? L1 : L0 + 0x80);
const leafPa = (level: 0 | 1 | 2) => (level === 0 ? DATA : 0x80000000);
/** The data page holds code too, so a fetch that succeeds runs `li x6, 0x55; ebreak`. */
const DATA_WORDS = [li(6, 0x55), EBREAK, 0x01234567, 0x89abcdef];

type Access = 'load' | 'store' | 'amo' | 'fetch';
const ACCESS_CODE: Record<Access, number[]> = {
  load: [E('ld', { rd: 5, rs1: 10, imm: 8 })],
  store: [E('sd', { rs1: 10, rs2: 11, imm: 8 })],
  amo: [E('addi', { rd: 12, rs1: 10, imm: 8 }), E('amoadd.d', { rd: 5, rs1: 12, rs2: 11 })],
  fetch: [E('jalr', { rd: 1, rs1: 10, imm: 0 })],
};
const FAULT: Record<Access, bigint> = { load: 13n, store: 15n, amo: 15n, fetch: 12n };

function sv39Case(title: string, priv: Priv, status: bigint, level: 0 | 1 | 2, leaf: bigint, access: Access, tags: string[] = []): Case {
  const codeFlags = V | R | W | X | A | D | (priv === 'U' ? U : 0n);
  const flags = leaf & 0x3ffn;
  const has = (b: bigint) => (flags & b) !== 0n;
  const amoQemu = qemuSv39AmoTags({ v: has(V), r: has(R), w: has(W), a: has(A), uMatch: has(U) === (priv === 'U') });
  const c: Case = {
    title, tags: ['sv39', ...tags, ...(access === 'amo' ? ['a', ...amoQemu] : [])], spec: SPEC, priv,
    csrs: { satp: SATP, mstatus: status }, x: { x10: BigInt(TEST_VA), x11: 0x1122334455667788n },
    code: ACCESS_CODE[access],
    memory: [...tables(codeFlags, level, leaf), { base: DATA, words: DATA_WORDS }],
    observe: [{ base: DATA, length: 16 }, { base: leafAddress(level), length: 8 }],
  };
  // Clearing A/D by a page fault instead of setting them in hardware is also allowed (choice ad-page-fault).
  return c;
}

export function* sv39Permissions(): Generator<Case> {
  const modes: { priv: Priv; status: bigint; access: Access; label: string }[] = [];
  for (const access of ['load', 'store', 'amo', 'fetch'] as Access[]) {
    modes.push({ priv: 'S', status: 0n, access, label: `S ${access}` });
    modes.push({ priv: 'U', status: 0n, access, label: `U ${access}` });
  }
  modes.push({ priv: 'S', status: MSTATUS.SUM, access: 'load', label: 'S load SUM' });
  modes.push({ priv: 'S', status: MSTATUS.SUM, access: 'store', label: 'S store SUM' });
  modes.push({ priv: 'S', status: MSTATUS.SUM, access: 'fetch', label: 'S fetch SUM' });
  modes.push({ priv: 'S', status: MSTATUS.MXR, access: 'load', label: 'S load MXR' });
  modes.push({ priv: 'U', status: MSTATUS.MXR, access: 'load', label: 'U load MXR' });
  for (let f = 0n; f < 128n; f++) {
    const flags = (f & 0x1fn) | ((f >> 5n) << 6n); // V R W X U, A, D (G stays 0)
    for (const m of modes) {
      yield sv39Case(`sv39 ${m.label}: leaf level 0 flags ${flagsName(flags)}`, m.priv, m.status, 0, pte(DATA, flags), m.access);
    }
  }
}

export function* sv39Structure(): Generator<Case> {
  const full = V | R | W | X | A | D;
  for (const level of [1, 2] as const) {
    for (const flags of [full, V | R | A, V | X | A, V | R | W | A, full | U]) {
      for (const access of ['load', 'store', 'fetch'] as Access[]) for (const priv of ['S', 'U'] as Priv[]) {
        yield sv39Case(`sv39 superpage level ${level} ${priv} ${access}: flags ${flagsName(flags)}`, priv, 0n, level, pte(leafPa(level), flags), access, ['superpage']);
      }
    }
    // A superpage whose PPN is not aligned to its size is a misaligned superpage: page fault.
    for (const misalign of level === 1 ? [0x1000, 0x100000] : [0x1000, 0x200000, 0x20000000]) {
      for (const access of ['load', 'store', 'fetch'] as Access[]) {
        yield sv39Case(`sv39 misaligned superpage level ${level} +0x${misalign.toString(16)} ${access}`, 'S', 0n, level, pte(leafPa(level) + misalign, full), access, ['superpage']);
      }
    }
  }
  // Reserved encodings: W without R; reserved high bits (63:54) of a leaf; A/D/U in a non-leaf.
  for (const access of ['load', 'store', 'fetch'] as Access[]) {
    yield sv39Case(`sv39 reserved leaf W without R: ${access}`, 'S', 0n, 0, pte(DATA, V | W | A | D), access, ['reserved']);
    yield sv39Case(`sv39 reserved leaf W|X without R: ${access}`, 'S', 0n, 0, pte(DATA, V | W | X | A | D), access, ['reserved']);
    for (const bit of [54n, 60n, 63n]) {
      yield sv39Case(`sv39 leaf with reserved bit ${bit}: ${access}`, 'S', 0n, 0, pte(DATA, full) | (1n << bit), access, ['reserved']);
    }
    yield sv39Case(`sv39 invalid leaf (V=0, other bits set): ${access}`, 'S', 0n, 0, pte(DATA, R | W | X | A | D), access);
  }
  for (const nonLeafFlags of [D, A, U]) {
    for (const access of ['load', 'fetch'] as Access[]) {
      const c = sv39Case(`sv39 non-leaf level 1 pointer with ${flagsName(nonLeafFlags)} set: ${access}`, 'S', 0n, 0, pte(DATA, full), access, ['reserved']);
      // Rewrite the root's pointer to L1 with the reserved bit.
      c.memory = c.memory!.map((m) => {
        if (m.base !== ROOT) return m;
        const b = Uint8Array.from(m.bytes!);
        new DataView(b.buffer).setBigUint64(0, pte(L1, V | nonLeafFlags), true);
        return { base: m.base, bytes: b };
      });
      yield c;
    }
  }
  // Non-canonical virtual addresses: bits 63..39 must equal bit 38.
  for (const va of [0x4000000000n, 0x8000000000000000n, 0xffffffc000000000n - 0x1000n, 0x0000008000000000n]) {
    for (const access of ['load', 'store', 'fetch'] as Access[]) {
      const c = sv39Case(`sv39 non-canonical va ${hex64(va)}: ${access}`, 'S', 0n, 0, pte(DATA, full), access, ['canonical']);
      c.x = { ...c.x, x10: va };
      yield c;
    }
  }
  // A canonical address in the upper half with no mapping.
  for (const access of ['load', 'store', 'fetch'] as Access[]) {
    const c = sv39Case(`sv39 unmapped upper-half va: ${access}`, 'S', 0n, 0, pte(DATA, full), access, ['canonical']);
    c.x = { ...c.x, x10: 0xffffffffc0010000n };
    yield c;
  }
  // Page faults delegated to S: the handler sees scause/stval/sepc.
  for (const access of ['load', 'store', 'fetch'] as Access[]) {
    const c = sv39Case(`sv39 page fault delegated to S: ${access}`, 'S', 0n, 0, pte(DATA, V), access, ['traps']);
    c.csrs = { ...c.csrs, medeleg: (1n << 12n) | (1n << 13n) | (1n << 15n) };
    c.sHandler = true;
    yield c;
  }
  // satp written by S takes effect after sfence.vma: map, fence, access.
  const satpCase = sv39Case('sv39 satp written in S then sfence.vma', 'S', 0n, 0, pte(DATA, full), 'load');
  satpCase.csrs = { mstatus: 0n };
  satpCase.x = { ...satpCase.x, x13: SATP };
  satpCase.code = [csrw(csr('satp'), 13), E('sfence.vma', { rs1: 0, rs2: 0 }), ...ACCESS_CODE.load];
  yield satpCase;
}

/** MPRV: M-mode loads and stores translated and checked as MPP; fetches stay M. */
export function* sv39Mprv(): Generator<Case> {
  for (const mpp of [0n, 1n, 3n]) for (const sum of [0n, MSTATUS.SUM]) for (const mxr of [0n, MSTATUS.MXR]) {
    for (const flags of [V | R | W | A | D, V | R | W | A | D | U, V | X | A | U, V | X | A]) {
      for (const access of ['load', 'store'] as Access[]) {
        const ms = MSTATUS.MPRV | (mpp << 11n) | sum | mxr | MSTATUS.MPIE;
        const c = sv39Case(`sv39 mprv MPP=${mpp} SUM=${sum ? 1 : 0} MXR=${mxr ? 1 : 0} ${access}: flags ${flagsName(flags)}`, 'M', 0n, 0, pte(DATA, flags), access, ['mprv', 's', ...(mpp === 0n ? ['u'] : [])]);
        // The M-mode program sets mstatus itself (the runner enters M with MPP = U).
        c.csrs = { satp: SATP };
        c.x = { ...c.x, x14: ms, x15: MSTATUS.MPRV };
        c.code = [csrw(csr('mstatus'), 14), ...ACCESS_CODE[access], E('csrrc', { rd: 0, rs1: 15, csr: csr('mstatus') })];
        yield c;
      }
    }
  }
  void ECALL;
}
