// Where the console of third-party software on the reference may differ from QEMU 7.2's, each
// by a section of conformance/qemu-divergences.md (the test checks that the section exists and
// that QEMU still departs). Nothing here depends on host time: QEMU runs are driven by what the
// console shows, so U-Boot's autoboot countdown is interrupted at the same point on both.
import type { Divergence } from './helpers';

const both = (key: string, re: RegExp): Divergence => ({ key, qemu: re, reference: re });

export const OPENSBI_DIVERGENCES: Divergence[] = [
  // OpenSBI counts the mhpmcounters that keep a written value.
  both('mhpm-counters', /^Boot HART MHPM Count {6}: \d+$/),
];

export const PAYLOAD_DIVERGENCES: Divergence[] = [
  ...OPENSBI_DIVERGENCES,
  // SBI BASE get_marchid / get_mimpid pass the CSRs on.
  both('marchid-mimpid', /^base [56] 0x0{16} 0x[0-9a-f]{16}$/),
  both('sstatus-vs-uxl', /^warl sstatus /),
  both('scounteren-width', /^warl scounteren /),
  both('senvcfg-cbo', /^warl senvcfg /),
  both('sepc-bit0', /^warl sepc /),
  both('platform-devices', /^load 0x3000000 /),
  both('interrupt-priority', /^interrupts pending 0x0{13}222 taken in order 0x[0-9a-f]{16}$/),
];

/** U-Boot's report of the devices and device tree it found. */
export const UBOOT_DIVERGENCES: Divergence[] = [
  ...OPENSBI_DIVERGENCES,
  { key: 'platform-devices', qemu: /^(Core: {2}\d+ devices, \d+ uclasses, devicetree: board|Flash: 32 MiB|flashstart {2}= 0x0*20000000|flashsize {3}= 0x0*2000000)$/, reference: /^(Core: {2}\d+ devices, \d+ uclasses, devicetree: board|flashstart {2}= 0x0{16}|flashsize {3}= 0x0{16})$/ },
  // Addresses and sizes that follow from the device tree's size, and the cpu node's newer ISA properties.
  {
    key: 'device-tree-contents',
    qemu: /^(Working FDT set to [0-9a-f]+|fdt_blob {4}= 0x[0-9a-f]{16}|new_fdt {5}= 0x[0-9a-f]{16}|fdt_size {4}= 0x[0-9a-f]{16}| reserved\[[23]\]\t\[0x[0-9a-f]+-0x87ffffff\], 0x[0-9a-f]+ bytes flags: 0)$/,
    reference: /^(Working FDT set to [0-9a-f]+|fdt_blob {4}= 0x[0-9a-f]{16}|new_fdt {5}= 0x[0-9a-f]{16}|fdt_size {4}= 0x[0-9a-f]{16}| reserved\[[23]\]\t\[0x[0-9a-f]+-0x87ffffff\], 0x[0-9a-f]+ bytes flags: 0|\t\triscv,isa-base = "rv64i";|\t\triscv,isa-extensions = "i", "m", "a", "c", "zicsr", "zifencei", "sstc";)$/,
  },
  both('mmu-sv39', /^\t\tmmu-type = "riscv,sv(39|48)";$/),
];
