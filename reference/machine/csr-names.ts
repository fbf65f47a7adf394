// CSR numbers of the privileged specification 1.12 that the platform implements, plus Sstc
// (stimecmp) and Smrnmi (mn*). The hart's CSR file, the disassembler and the vector format use
// this one table.

export const CSR_NUMBERS: Readonly<Record<string, number>> = {
  // Unprivileged counters
  cycle: 0xc00, time: 0xc01, instret: 0xc02,
  ...range('hpmcounter', 3, 31, 0xc03),
  // Supervisor
  sstatus: 0x100, sie: 0x104, stvec: 0x105, scounteren: 0x106, senvcfg: 0x10a,
  sscratch: 0x140, sepc: 0x141, scause: 0x142, stval: 0x143, sip: 0x144, stimecmp: 0x14d,
  satp: 0x180,
  // Machine information
  mvendorid: 0xf11, marchid: 0xf12, mimpid: 0xf13, mhartid: 0xf14, mconfigptr: 0xf15,
  // Machine trap setup and handling
  mstatus: 0x300, misa: 0x301, medeleg: 0x302, mideleg: 0x303, mie: 0x304, mtvec: 0x305,
  mcounteren: 0x306, menvcfg: 0x30a, mcountinhibit: 0x320,
  mscratch: 0x340, mepc: 0x341, mcause: 0x342, mtval: 0x343, mip: 0x344,
  // Memory protection
  pmpcfg0: 0x3a0, pmpcfg2: 0x3a2,
  ...range('pmpaddr', 0, 15, 0x3b0),
  // Machine counters
  mcycle: 0xb00, minstret: 0xb02,
  ...range('mhpmcounter', 3, 31, 0xb03),
  ...range('mhpmevent', 3, 31, 0x323),
  // Debug triggers (none implemented: tselect reads 0, tdata1 reads type 0)
  tselect: 0x7a0, tdata1: 0x7a1, tdata2: 0x7a2, tdata3: 0x7a3,
  // Smrnmi
  mnscratch: 0x740, mnepc: 0x741, mncause: 0x742, mnstatus: 0x744,
};

function range(prefix: string, first: number, last: number, base: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (let n = first; n <= last; n++) out[prefix + n] = base + (n - first);
  return out;
}

export const CSR_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(CSR_NUMBERS).map(([k, v]) => [v, k]));
