// CSR semantics: csrrw/csrrs/csrrc and their immediate forms on every implemented CSR with
// edge and seeded values (each WARL field legalised as the CSR file does), reset values of the
// read-only and information CSRs, the counters (checked by relations that do not depend on how
// fast time passes), and access rules: privilege, read-only CSRs written, unimplemented numbers.

import { CSR_NUMBERS } from '../../../reference/machine/csr';
import { Prng } from '../prng';
import { Case, csr, csrr, csrrc, csrrs, csrrw, csrw, E, li, MSTATUS, Priv } from './program';
import { qemuCsrAccessTags, qemuCsrrsZeroSourceTags, qemuCsrSemanticsTags } from './qemu-model';

const SPEC_CSR = 'riscv-priv 1.12 ch.2 Control and Status Registers / ch.3-4 (per CSR)';
const SPEC_ZICSR = 'riscv-unpriv 20191213 ch.9 "Zicsr" / riscv-priv 1.12 2.1 CSR Address Mapping Conventions';

/** CSRs whose every write is legal to leave in place until the vector's trap. */
const PLAIN = ['sstatus', 'sie', 'stvec', 'scounteren', 'senvcfg', 'sscratch', 'sepc', 'scause', 'stval', 'sip', 'stimecmp', 'satp',
  'mstatus', 'misa', 'medeleg', 'mideleg', 'mie', 'mcounteren', 'menvcfg', 'mcountinhibit', 'mepc', 'mcause', 'mtval', 'mip',
  'pmpaddr0', 'pmpaddr1', 'pmpaddr7', 'pmpaddr8', 'pmpaddr15', 'mhpmcounter3', 'mhpmcounter31', 'mhpmevent3', 'mhpmevent31',
  'tselect', 'tdata1', 'tdata2', 'tdata3', 'mnscratch', 'mnepc', 'mncause', 'mnstatus'];
/** CSRs the QEMU runner uses while the vector runs: written values are swapped back before the end. */
const RESTORED = ['mtvec', 'mscratch'];
/** pmpcfg: every byte without L, so the entries stay writable for the next vector. */
const PMPCFG = ['pmpcfg0', 'pmpcfg2'];

const M64 = (1n << 64n) - 1n;
const EDGES = [0n, M64, 0x5555555555555555n, 0xaaaaaaaaaaaaaaaan, 1n, 2n, 3n, 0x8000000000000000n, 0x7fffffffffffffffn, 0xffffffffn];

function semantics(name: string, v: bigint, set: bigint, clr: bigint, restore: boolean): Case {
  const c = csr(name);
  // x10 = value, x11 = bits to set, x12 = bits to clear; x5..x9, x13, x14 observe.
  // A runner-owned CSR is first set to a known value (its value at entry is the runner's own on
  // QEMU), and put back before the end.
  const code = [
    ...(restore ? [csrrw(16, c, 17)] : []),
    csrw(c, 10),
    csrr(5, c),
    csrrs(6, c, 11),
    csrr(7, c),
    csrrc(0, c, 12),
    csrr(8, c),
    E('csrrwi', { rd: 9, imm: 0x15, csr: c }),
    E('csrrsi', { rd: 0, imm: 0x0a, csr: c }),
    E('csrrci', { rd: 13, imm: 0x01, csr: c }),
    csrr(14, c),
  ];
  if (restore) code.push(csrw(c, 16), li(16, 0));
  const mstatus = name === 'mstatus' || name === 'sstatus';
  return {
    title: `csr ${name}: write 0x${v.toString(16)}, set 0x${set.toString(16)}, clear 0x${clr.toString(16)}`,
    tags: ['zicsr', 'csr-warl', ...qemuCsrSemanticsTags(name, v, set)], spec: `${SPEC_CSR}/${name}`,
    // mret-entered M-mode state (MPIE = 1) so that QEMU and the reference start alike.
    csrs: mstatus ? { mstatus: MSTATUS.MPIE } : undefined,
    x: { x10: v, x11: set, x12: clr, ...(restore ? { x17: 0x80004000n } : {}) },
    code,
  };
}

const maskL = (v: bigint) => v & 0x7f7f7f7f7f7f7f7fn;

export function* csrSemantics(): Generator<Case> {
  const rng = new Prng(0x5eed0c5an);
  for (const name of [...PLAIN, ...RESTORED, ...PMPCFG]) {
    const vals = [...EDGES];
    for (let i = 0; i < 6; i++) vals.push(rng.next64());
    for (const v0 of vals) {
      const pmp = name.startsWith('pmpcfg');
      const v = pmp ? maskL(v0) : v0;
      const set = pmp ? maskL(rng.next64()) : rng.next64();
      const clr = rng.next64();
      yield semantics(name, v, set, clr, RESTORED.includes(name));
    }
  }
}

/** Reset values and read-only behaviour of the information CSRs. */
export function* csrReadOnly(): Generator<Case> {
  for (const name of ['mvendorid', 'marchid', 'mimpid', 'mhartid', 'mconfigptr', 'misa']) {
    const c = csr(name);
    yield { title: `csr ${name}: read`, tags: ['zicsr'], spec: `${SPEC_CSR}/${name}`, code: [csrr(5, c), csrrs(6, c, 0), E('csrrsi', { rd: 7, imm: 0, csr: c })] };
    // Writing a read-only CSR (csrrw, or csrrs/csrrc with a nonzero source) is illegal.
    if (name !== 'misa') {
      for (const [op, src] of [['csrrw', 0], ['csrrs', 10], ['csrrc', 10], ['csrrwi', 0], ['csrrsi', 1]] as const) {
        const bits = op.endsWith('i') ? E(op, { rd: 5, imm: src, csr: c }) : E(op, { rd: 5, rs1: src, csr: c });
        yield { title: `csr ${name}: ${op} with source ${src} on a read-only CSR is illegal`, tags: ['zicsr'], spec: `${SPEC_ZICSR}/read-only`, x: { x10: 1n }, code: [bits] };
      }
    }
  }
}

/** The counters: values are host time on QEMU, so the vectors check relations, then clear the raw values. */
export function* counters(): Generator<Case> {
  const spec = 'riscv-priv 1.12 3.1.11 Machine Counter/Timers; riscv-unpriv 20191213 ch.10 Counters';
  const big = 1n << 32n;
  for (const name of ['mcycle', 'minstret']) {
    for (const v of [0n, 1000n, 0xffffffffn, 0x123456789abcn, 0x7fffffff00000000n]) {
      const c = csr(name);
      yield {
        title: `counter ${name}: written 0x${v.toString(16)} reads back at most 2^32 later`, tags: ['zicsr', 'counters'], spec,
        x: { x10: v, x11: big },
        code: [csrw(c, 10), csrr(5, c), E('sub', { rd: 6, rs1: 5, rs2: 10 }), E('sltu', { rd: 7, rs1: 6, rs2: 11 }), li(5, 0), li(6, 0)],
      };
    }
  }
  for (const [user, machine] of [['cycle', 'mcycle'], ['instret', 'minstret'], ['time', 'time']]) {
    yield {
      title: `counter ${user}: monotonic, and ${machine} follows within 2^32`, tags: ['zicsr', 'counters'], spec, x: { x11: big },
      code: [csrr(5, csr(user)), csrr(6, csr(machine)), csrr(7, csr(user)),
        E('sltu', { rd: 8, rs1: 7, rs2: 5 }), E('sub', { rd: 9, rs1: 7, rs2: 5 }), E('sltu', { rd: 9, rs1: 9, rs2: 11 }),
        E('sltu', { rd: 12, rs1: 6, rs2: 5 }), li(5, 0), li(6, 0), li(7, 0)],
    };
  }
  // time is the CLINT's mtime.
  yield {
    title: 'counter time: equals the CLINT mtime within 2^32', tags: ['zicsr', 'counters', 'clint'], spec, x: { x11: big, x12: 0x200bff8n },
    code: [csrr(5, csr('time')), E('ld', { rd: 6, rs1: 12, imm: 0 }), csrr(7, csr('time')),
      E('sltu', { rd: 8, rs1: 6, rs2: 5 }), E('sltu', { rd: 9, rs1: 7, rs2: 6 }), E('sub', { rd: 13, rs1: 7, rs2: 5 }), E('sltu', { rd: 13, rs1: 13, rs2: 11 }),
      li(5, 0), li(6, 0), li(7, 0)],
  };
  // Access from S and U: mcounteren and scounteren bits CY, TM, IR, HPM3, HPM31.
  for (const [name, bit] of [['cycle', 0], ['time', 1], ['instret', 2], ['hpmcounter3', 3], ['hpmcounter31', 31]] as const) {
    for (const priv of ['S', 'U'] as Priv[]) {
      for (const men of [0, 1]) for (const sen of [0, 1]) {
        if (priv === 'S' && sen === 1 && men === 0) continue;
        const csrs: Record<string, bigint> = { mcounteren: BigInt(men) << BigInt(bit), scounteren: BigInt(sen) << BigInt(bit) };
        // The raw value is discarded: only whether the read traps is observed.
        yield {
          title: `counter ${name} from ${priv}: mcounteren=${men} scounteren=${sen}`, tags: ['zicsr', 'counters'], spec: 'riscv-priv 1.12 3.1.12 Machine Counter-Enable Register; 4.1.5 scounteren',
          priv, csrs, code: [csrr(5, csr(name)), li(5, 7)],
        };
      }
    }
  }
}

/** Every CSR of the platform read and written from M, S and U: privilege field, read-only field. */
export function* csrAccess(): Generator<Case> {
  const names = Object.keys(CSR_NUMBERS).filter((n) => !/^(m?hpmcounter|mhpmevent)([4-9]|[12][0-9]|30)$/.test(n));
  for (const name of names) {
    const c = CSR_NUMBERS[name];
    for (const priv of ['M', 'S', 'U'] as Priv[]) {
      // Counters below M need their enable bits; they are tested in counters().
      const csrs = priv !== 'M' ? { mcounteren: M64 >> 32n, scounteren: M64 >> 32n, menvcfg: 1n << 63n } : undefined;
      const tags = ['zicsr', ...qemuCsrAccessTags(name, priv)];
      yield { title: `csr access ${name} (0x${c.toString(16)}): read from ${priv}`, tags, spec: `${SPEC_ZICSR}/privilege`, priv, csrs, code: [csrr(5, c), li(5, 1)] };
      // Writes with x0 as the value; runner-owned and locked-state CSRs are left to other groups.
      if (priv !== 'M' || (c >> 10) === 3) {
        const readOnly = qemuCsrrsZeroSourceTags(name, c, priv);
        yield { title: `csr access ${name} (0x${c.toString(16)}): csrrs with nonzero source from ${priv}`, tags: ['zicsr', ...readOnly], spec: `${SPEC_ZICSR}/read-only and privilege`, priv, csrs, x: { x10: 0n }, code: [csrrs(5, c, 10), li(5, 1)] };
      }
    }
  }
}

/** Numbers no CSR of the platform uses: illegal instruction from M (a deterministic sample and the standard ranges' edges). */
export function* unimplementedCsrs(): Generator<Case> {
  const used = new Set(Object.values(CSR_NUMBERS));
  const rng = new Prng(0xc5a0n);
  const picks = new Set<number>([0x000, 0x001, 0x002, 0x003, 0x015, 0x107, 0x10c, 0x145, 0x15d, 0x181, 0x200, 0x240, 0x280, 0x307, 0x30b, 0x30c, 0x310, 0x31a, 0x321, 0x322, 0x34a, 0x34b, 0x35c, 0x3a1, 0x3a3, 0x3c0, 0x3ef,
    0x5a8, 0x600, 0x602, 0x603, 0x604, 0x680, 0x747, 0x757, 0x7a4, 0x7a5, 0x7a8, 0x7b0, 0x7b1, 0x7b2, 0x7c0, 0x800, 0x8ff, 0x9c0, 0xb01, 0xb80, 0xb82, 0xbc0, 0xc80, 0xc82, 0xcc0, 0xda0, 0xdc0, 0xe11, 0xfb0, 0xfc0, 0xf16, 0xfff]);
  while (picks.size < 160) picks.add(rng.below(4096));
  for (const n of [...picks].sort((a, b) => a - b)) {
    if (used.has(n)) continue;
    // 0x7a4 is tinfo, which QEMU 7.2's Sdtrig implements: an allowed alternative (choice sdtrig-tinfo).
    yield { title: `csr unimplemented 0x${n.toString(16).padStart(3, '0')}: csrr is illegal`, tags: ['zicsr'], spec: 'riscv-priv 1.12 2.1: accesses to non-existent CSRs raise illegal-instruction', code: [csrr(5, n)] };
  }
}
