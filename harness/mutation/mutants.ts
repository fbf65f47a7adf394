// Known bugs to inject into a copy of the compiled reference (dist/reference/machine/*.js), one at
// a time. The suite is only as good as the bugs it catches: test/harness/mutation.test.ts shows
// each of these is caught by at least one vector. A pattern that no longer matches exactly once
// means the reference changed and the mutant must be updated (an error, never a silent pass).

export interface Mutant {
  name: string;
  /** What the bug is, in the words of the specification it breaks. */
  bug: string;
  /** File under dist/ to rewrite. */
  file: string;
  edits: { find: RegExp; replace: string }[];
  /** Vectors that aim at the bug (matched against file, title, spec and tags), besides the sample. */
  aim: RegExp;
}

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
    edits: [{ find: /(function accessFault\(h, access, va\) \{\s*return h\.raise\(\(0, traps_1\.accessFaultCause\)\(access\), )\(0, traps_1\.addressTval\)\(va\)\)/, replace: '$1 0n)' }],
    aim: /access|amo.*misaligned|misaligned/,
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
