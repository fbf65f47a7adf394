// Known bugs to inject into a copy of the compiled reference (dist/reference/machine/*.js), one at
// a time. The suite is only as good as the bugs it catches: test/harness/mutation.test.ts shows
// each of these is caught by at least one vector. A pattern that no longer matches exactly once
// means the reference changed and the mutant must be updated (an error, never a silent pass).

export interface Mutant {
  name: string;
  /** What the bug is, in the words of the specification it breaks. */
  bug: string;
  /** File under dist/ to rewrite (an edit may name another). */
  file: string;
  edits: { find: RegExp; replace: string; file?: string }[];
  /** Vectors that aim at the bug (matched against file, title, spec and tags), besides the sample. */
  aim: RegExp;
  /** Every how-many-th other vector runs too (check.ts SAMPLE_STRIDE unless given). */
  stride?: number;
}

// The illegal counterparts of the legal alternatives (harness/alternatives/legal.ts): for each choice
// the specification leaves, a behaviour just outside what it allows. The alternatives must pass
// and these must fail, so the vectors accept exactly the allowed outcomes, no more.
const ILLEGAL_STRIDE = 400;

export const MUTANTS: Mutant[] = [
  {
    name: 'sraw-sign',
    bug: 'SRAW shifts logically and drops the sign extension of its 32-bit result (riscv-unpriv 5.2)',
    file: 'reference/machine/hart.js',
    edits: [{ find: /(case \d+ \/\* Op\.SRAW \*\/: \{\s*const v = x\[rs1\]) >> /, replace: '$1 >>> ' }],
    aim: /sraw/,
  },
  {
    name: 'illegal-tval',
    // 0 is allowed (conformance/choices.ts illegal-instruction-tval-zero); the pc, a breakpoint's tval, is not.
    bug: 'an illegal-instruction trap writes the pc to mtval; 3.1.16 allows only 0 or the faulting instruction bits (riscv-priv 3.1.16)',
    file: 'reference/machine/traps.js',
    edits: [{ find: /(function illegalInsnTval\(h, bits, len\) \{[^}]*?return )BigInt\(len === 2 \? bits & 0xffff : bits >>> 0\);/, replace: '$1BigInt.asUintN(64, BigInt(h.pc));' }],
    aim: /illegal/,
  },
  {
    name: 'access-fault-tval',
    bug: 'a load, store or fetch access fault leaves mtval 0 instead of the faulting address (riscv-priv 3.1.16)',
    file: 'reference/machine/translation.js',
    edits: [{ find: /(function accessFault\(h, access, va\) \{\s*return h\.fault\(\(0, traps_1\.accessFaultCause\)\(access\), )\(0, traps_1\.addressTval\)\(va\)\)/, replace: '$1 0n)' }],
    aim: /access|amo.*misaligned|misaligned/,
  },
  {
    name: 'ebreak-tval-next',
    bug: 'EBREAK writes the address of the next instruction to mtval; 3.1.16 allows 0 or the address of the EBREAK itself (choice breakpoint-tval-pc)',
    file: 'reference/machine/traps.js',
    edits: [{ find: /(function breakpointTval\(h, pc\) \{\s*return )h\.choose\('breakpointTval'\) === 'pc' \? BigInt\.asUintN\(64, BigInt\(pc\)\) : 0n;/, replace: '$1BigInt.asUintN(64, BigInt(pc + 4));' }],
    aim: /ebreak|breakpoint/, stride: ILLEGAL_STRIDE,
  },
  {
    // The hart traps misaligned accesses (a legal choice without Zicclsm, which it then does not
    // declare) but gives a store the load's cause: loads pass, stores must fail.
    name: 'misaligned-store-load-cause',
    bug: 'a misaligned store raises 4, load address misaligned; it must raise 6 (or 7, an access fault) (riscv-unpriv 2.6, riscv-priv table 3.6; choice misaligned-address-trap)',
    file: 'reference/machine/traps.js',
    edits: [
      { find: /(access === 1 \/\* Access\.Load \*\/ \? 4 \/\* Exc\.LoadMisaligned \*\/ : )6 \/\* Exc\.StoreMisaligned \*\//, replace: '$14' },
      { file: 'reference/machine/choices.js', find: /misaligned: 'perform',/, replace: "misaligned: 'address-misaligned'," },
      { file: 'harness/capabilities.js', find: /PROMISE_CAPABILITIES = \['zicclsm', 'svadu'\];/, replace: "PROMISE_CAPABILITIES = ['svadu'];" },
    ],
    aim: /misaligned/, stride: ILLEGAL_STRIDE,
  },
  {
    name: 'xtvec-reserved-mode-kept',
    bug: 'mtvec/stvec keep a reserved MODE (2 or 3) as written; the registers are WARL and must read a legal value (riscv-priv 2.3, 3.1.7; choice xtvec-reserved-mode-clear)',
    file: 'reference/machine/csr.js',
    edits: [{ find: /(function legalTvec\(h, v\) \{[^]*?)return h\.choose\('xtvecReservedMode'\) === 'clear-mode-bit1' \? v & ~2n : null;/, replace: '$1return v;' }],
    aim: /mtvec|stvec/, stride: ILLEGAL_STRIDE,
  },
  {
    name: 'pmpcfg-rw01-kept',
    bug: 'a pmpcfg byte keeps the reserved R=0, W=1 as written (riscv-priv 3.7.1: a collective WARL field, R=0 W=1 reserved; choice pmpcfg-rw01-clear-w)',
    file: 'reference/machine/pmp.js',
    edits: [{ find: /b = reservedRW\(\) === 'clear-w' \? b & ~W : \(b & ~7\) \| \(this\.cfg\[e\] & 7\);/, replace: 'b = b;' }],
    aim: /pmp/i, stride: ILLEGAL_STRIDE,
  },
  {
    name: 'mpp-reserved-kept',
    bug: 'mstatus.MPP keeps the reserved 2 as written; MPP is WARL over the implemented modes (riscv-priv 3.1.6.1; choices mpp-reserved-user, mpp-reserved-machine)',
    file: 'reference/machine/csr.js',
    edits: [{ find: /const mpp = how === 'user' \? 0 : how === 'machine' \? mstatus_1\.MS_MPP : \(h\.mstatus & mstatus_1\.MS_MPP\);/, replace: 'const mpp = next & mstatus_1.MS_MPP;' }],
    aim: /mstatus|mpp/i, stride: ILLEGAL_STRIDE,
  },
  {
    name: 'hpm-counters-missing',
    bug: 'mhpmcounter19-31 and hpmcounter19-31 do not exist (illegal instruction); the CSRs exist in every case, if only as read-only zero (riscv-priv 3.1.10; choice hpm-counters-writable)',
    file: 'reference/machine/csr.js',
    edits: [
      { find: /csrRange\('mhpmcounter', counters_1\.HPM_FIRST, 31,/, replace: "csrRange('mhpmcounter', counters_1.HPM_FIRST, 18," },
      { find: /csrRange\('hpmcounter', 3, 31,/, replace: "csrRange('hpmcounter', 3, 18," },
    ],
    aim: /hpm/, stride: ILLEGAL_STRIDE,
  },
  {
    name: 'pmp-priority',
    bug: 'PMP entries are searched from the highest-numbered down, so a higher entry overrides a lower one (riscv-priv 3.7.1: the lowest-numbered matching entry decides)',
    file: 'reference/machine/pmp.js',
    edits: [
      { find: /(check\(pa, size, priv, access\) \{[^]*?)for \(let i = 0; i < exports\.PMP_ENTRIES; i\+\+\) \{/, replace: '$1for (let i = exports.PMP_ENTRIES - 1; i >= 0; i--) {' },
      { find: /(pageVerdict\(page, priv, access\) \{[^]*?)for \(let i = 0; i < exports\.PMP_ENTRIES; i\+\+\) \{/, replace: '$1for (let i = exports.PMP_ENTRIES - 1; i >= 0; i--) {' },
    ],
    aim: /pmp/i,
  },
];
