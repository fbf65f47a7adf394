// The RISC-V target description GDB reads with qXfer:features:read (GDB manual, "Target
// Descriptions"; features org.gnu.gdb.riscv.cpu, .csr and .virtual as QEMU's gdbstub offers
// them). The CSR feature lists exactly the CSRs the reference implements, from its one table.

import { CSR_NUMBERS } from '../machine/csr';
import { ABI_NAMES } from '../tools/disasm';

/** GDB's RISC-V register numbering: x0..x31, pc, then (f registers 33..64, absent here) CSRs at 65 + number. */
export const REG_PC = 32;
export const REG_CSR_BASE = 65;
/** The privilege level, QEMU's virtual register, after the CSR space. */
export const REG_PRIV = REG_CSR_BASE + 4096;

export function targetXml(): string {
  const gpr = ABI_NAMES.map((name, i) =>
    `  <reg name="${name}" bitsize="64" regnum="${i}" type="${i === 1 ? 'code_ptr' : i === 2 || i === 8 ? 'data_ptr' : 'int'}"/>`);
  const csrs = Object.entries(CSR_NUMBERS).sort((a, b) => a[1] - b[1])
    .map(([name, num]) => `  <reg name="${name}" bitsize="64" regnum="${REG_CSR_BASE + num}" group="csr"/>`);
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
    '<target version="1.0">',
    '<architecture>riscv:rv64</architecture>',
    '<feature name="org.gnu.gdb.riscv.cpu">',
    ...gpr,
    `  <reg name="pc" bitsize="64" regnum="${REG_PC}" type="code_ptr"/>`,
    '</feature>',
    '<feature name="org.gnu.gdb.riscv.csr">',
    ...csrs,
    '</feature>',
    '<feature name="org.gnu.gdb.riscv.virtual">',
    `  <reg name="priv" bitsize="64" regnum="${REG_PRIV}" group="system"/>`,
    '</feature>',
    '</target>',
    '',
  ].join('\n');
}
