// A tiny S-mode payload for third-party SBI firmware (OpenSBI as QEMU ships it), assembled here
// with the project's encoder so that no binary is committed. It prints, over the UART, what an
// S-mode kernel sees of its firmware and platform: the SBI BASE answers and extension probes, the
// WARL behaviour of the S CSRs, and loads from devices and holes (trap cause and tval when they
// fault); then it shuts down through SRST. The same raw image runs under QEMU and the reference.
import { encode } from '../../reference/tools/disasm';

export const PAYLOAD_BASE = 0x80200000;
const UART = 0x10000000, PLIC = 0x0c000000;
const zero = 0, ra = 1, t0 = 5, t1 = 6, t2 = 7, s1 = 9, a0 = 10, a1 = 11, a6 = 16, a7 = 17, s2 = 18, s3 = 19, s4 = 20, s6 = 22, s9 = 25, s10 = 26, t6 = 31;

/** Words with labels: branch and jump targets are fixed up when the program is finished. */
class Program {
  private readonly words: number[] = [];
  private readonly labels = new Map<string, number>();
  private readonly fixups: { at: number; label: string; make: (offset: number) => number }[] = [];
  get here(): number { return this.words.length * 4; }
  op(name: string, o: Parameters<typeof encode>[1] = {}): this { this.words.push(encode(name, o)); return this; }
  label(name: string): this { this.labels.set(name, this.here); return this; }
  /** An instruction whose immediate is the offset from here to `label`. */
  to(label: string, make: (offset: number) => number): this { this.fixups.push({ at: this.words.length, label, make }); this.words.push(0); return this; }
  li(rd: number, value: number): this {
    const v = value | 0, lo = (v << 20) >> 20, hi = (v - lo) | 0;
    if (hi !== 0) { this.op('lui', { rd, imm: hi }); if (lo) this.op('addi', { rd, rs1: rd, imm: lo }); } else this.op('addi', { rd, rs1: zero, imm: lo });
    return this;
  }
  call(label: string, link = ra): this { return this.to(label, (imm) => encode('jal', { rd: link, imm })); }
  ret(link = ra): this { return this.op('jalr', { rd: zero, rs1: link, imm: 0 }); }
  beq(rs1: number, rs2: number, label: string): this { return this.to(label, (imm) => encode('beq', { rs1, rs2, imm })); }
  bne(rs1: number, rs2: number, label: string): this { return this.to(label, (imm) => encode('bne', { rs1, rs2, imm })); }
  blt(rs1: number, rs2: number, label: string): this { return this.to(label, (imm) => encode('blt', { rs1, rs2, imm })); }
  bltu(rs1: number, rs2: number, label: string): this { return this.to(label, (imm) => encode('bltu', { rs1, rs2, imm })); }
  data(bytes: Uint8Array): this { for (let i = 0; i < bytes.length; i += 4) this.words.push(new DataView(bytes.buffer, bytes.byteOffset).getUint32(i, true)); return this; }
  csrr(rd: number, csr: number): this { return this.op('csrrs', { rd, rs1: zero, csr }); }
  csrw(csr: number, rs1: number): this { return this.op('csrrw', { rd: zero, rs1, csr }); }
  bytes(): Uint8Array {
    for (const f of this.fixups) {
      const target = this.labels.get(f.label);
      if (target === undefined) throw new Error(`sbi-payload: no label ${f.label}`);
      this.words[f.at] = f.make(target - f.at * 4);
    }
    return new Uint8Array(Uint32Array.from(this.words).buffer);
  }
}

const CSR = { stimecmp: 0x14d, sstatus: 0x100, sie: 0x104, stvec: 0x105, scounteren: 0x106, senvcfg: 0x10a, sscratch: 0x140, sepc: 0x141, scause: 0x142, stval: 0x143, sip: 0x144, satp: 0x180 };
const EXT = { base: 0x10, time: 0x54494d45, ipi: 0x735049, rfence: 0x52464e43, hsm: 0x48534d, srst: 0x53525354, pmu: 0x504d55, dbcn: 0x4442434e, legacyPutchar: 0x01, unknown: 0x12345678 };

/** The payload, a raw image to load at PAYLOAD_BASE (the -kernel address under firmware, on QEMU and the reference). */
export function sbiPayload(): Uint8Array {
  const p = new Program();
  let strings = 0;
  // A string sits inline after a jal that skips it; the jal's link register is its address.
  const say = (s: string) => {
    const bytes = Buffer.concat([Buffer.from(s + '\0', 'latin1'), Buffer.alloc(3)]);
    const after = `str${strings++}`;
    p.to(after, (imm) => encode('jal', { rd: a0, imm })).data(bytes.subarray(0, bytes.length & ~3)).label(after).call('puts');
  };
  const hex = (rs: number) => p.op('addi', { rd: a0, rs1: rs, imm: 0 }).call('puthex');
  const ecall = (eid: number, fid: number, arg0 = 0) => p.li(a7, eid).li(a6, fid).li(a0, arg0).op('ecall');
  const sbiLine = (name: string, eid: number, fid: number, arg0 = 0) => {
    ecall(eid, fid, arg0);
    p.op('addi', { rd: s2, rs1: a0, imm: 0 }).op('addi', { rd: s3, rs1: a1, imm: 0 });
    say(`${name} `); hex(s2); say(' '); hex(s3); say('\n');
  };

  p.call('code', zero);
  // putc(a0), linked through t6; clobbers t0, t1.
  p.label('putc').li(t0, UART).label('putc.wait').op('lbu', { rd: t1, rs1: t0, imm: 5 }).op('andi', { rd: t1, rs1: t1, imm: 0x20 })
    .beq(t1, zero, 'putc.wait').op('sb', { rs1: t0, rs2: a0, imm: 0 }).ret(t6);
  // puts(a0 = address of a NUL-terminated string).
  p.label('puts').op('addi', { rd: s1, rs1: a0, imm: 0 }).label('puts.next').op('lbu', { rd: a0, rs1: s1, imm: 0 })
    .beq(a0, zero, 'puts.done').call('putc', t6).op('addi', { rd: s1, rs1: s1, imm: 1 }).call('puts.next', zero).label('puts.done').ret();
  // puthex(a0): "0x" and 16 digits.
  p.label('puthex').op('addi', { rd: s1, rs1: a0, imm: 0 }).li(a0, 0x30).call('putc', t6).li(a0, 0x78).call('putc', t6).li(s4, 60)
    .label('puthex.next').op('srl', { rd: a0, rs1: s1, rs2: s4 }).op('andi', { rd: a0, rs1: a0, imm: 15 }).li(t2, 10)
    .bltu(a0, t2, 'puthex.digit').op('addi', { rd: a0, rs1: a0, imm: 0x61 - 0x30 - 10 }).label('puthex.digit').op('addi', { rd: a0, rs1: a0, imm: 0x30 })
    .call('putc', t6).beq(s4, zero, 'puthex.done').op('addi', { rd: s4, rs1: s4, imm: -4 }).call('puthex.next', zero).label('puthex.done').ret();
  // Trap handler (stvec, direct mode). An exception: s10 = scause, s9 = stval, skip the 4-byte
  // instruction. An interrupt: append its code to s6 (a nibble each) and clear its source.
  p.label('trap').csrr(s10, CSR.scause).blt(s10, zero, 'irq')
    .csrr(s9, CSR.stval).csrr(t0, CSR.sepc).op('addi', { rd: t0, rs1: t0, imm: 4 }).csrw(CSR.sepc, t0).op('sret');
  p.label('irq').op('andi', { rd: t0, rs1: s10, imm: 0xff }).op('slli', { rd: s6, rs1: s6, imm: 4 }).op('or', { rd: s6, rs1: s6, rs2: t0 })
    .li(t1, 1).bne(t0, t1, 'irq.not-ssi').li(t1, 2).op('csrrc', { rd: zero, rs1: t1, csr: CSR.sip }).op('sret')
    .label('irq.not-ssi').li(t1, 5).bne(t0, t1, 'irq.not-sti').li(t1, -1).csrw(CSR.stimecmp, t1).op('sret')
    // SEI: claim from the PLIC's S context (1), silence the UART, complete.
    .label('irq.not-sti').li(t0, PLIC + 0x201004).op('lw', { rd: t1, rs1: t0, imm: 0 }).li(t2, UART).op('sb', { rs1: t2, rs2: zero, imm: 1 })
    .op('sw', { rs1: t0, rs2: t1, imm: 0 }).op('sret');

  p.label('code');
  p.op('auipc', { rd: t0, imm: 0 }).to('trap', (imm) => encode('addi', { rd: t0, rs1: t0, imm: imm + 4 })).csrw(CSR.stvec, t0);
  say('payload: S-mode\n');
  for (let f = 0; f <= 6; f++) sbiLine(`base ${f}`, EXT.base, f);
  for (const [name, eid] of Object.entries(EXT)) if (name !== 'base') sbiLine(`probe ${name}`, EXT.base, 3, eid);
  sbiLine('hsm status 0', EXT.hsm, 2, 0);
  // WARL: all ones, then zero, then the old value back (stvec last: the handler stays in place).
  for (const name of ['sstatus', 'sie', 'scounteren', 'senvcfg', 'sscratch', 'sepc', 'scause', 'stval', 'satp', 'stvec'] as const) {
    const csr = CSR[name];
    p.csrr(s4, csr).li(t0, -1).csrw(csr, t0).csrr(s2, csr).csrw(csr, zero).csrr(s3, csr).csrw(csr, s4);
    say(`warl ${name} `); hex(s2); say(' '); hex(s3); say('\n');
  }
  // Loads: the finisher, QEMU's PCIe PIO window, an empty virtio slot, a hole (cause and tval when they trap).
  for (const [name, addr] of [['finisher', 0x100000], ['0x3000000', 0x3000000], ['virtio0 magic', 0x10001000], ['virtio0 device', 0x10001008], ['hole 0x0', 0]] as const) {
    p.li(s10, 0).li(s9, 0).li(s2, 0).li(t0, addr).op('lw', { rd: s2, rs1: t0, imm: 0 });
    say(`load ${name} `); hex(s2); say(' trap '); hex(s10); say(' '); hex(s9); say('\n');
  }
  // SEI (the UART's THRE through the PLIC), SSI and STI all pending when SIE is set: the order taken.
  p.li(t0, PLIC).li(t1, 1).op('sw', { rs1: t0, rs2: t1, imm: 4 * 10 })
    .li(t0, PLIC + 0x2080).li(t1, 1 << 10).op('sw', { rs1: t0, rs2: t1, imm: 0 })
    .li(t0, PLIC + 0x201000).op('sw', { rs1: t0, rs2: zero, imm: 0 })
    .li(t0, UART).li(t1, 2).op('sb', { rs1: t0, rs2: t1, imm: 1 })
    .li(t1, 2).op('csrrs', { rd: zero, rs1: t1, csr: CSR.sip }).csrw(CSR.stimecmp, zero)
    .li(t1, 0x222).op('csrrs', { rd: zero, rs1: t1, csr: CSR.sie }).li(s6, 0).csrr(s2, CSR.sip)
    .op('csrrsi', { rd: zero, imm: 2, csr: CSR.sstatus }).op('addi', { rd: zero, rs1: zero, imm: 0 }).op('csrrci', { rd: zero, imm: 2, csr: CSR.sstatus })
    .li(t1, 0x222).op('csrrc', { rd: zero, rs1: t1, csr: CSR.sie });
  say('interrupts pending '); hex(s2); say(' taken in order '); hex(s6); say('\n');
  say('shutdown\n');
  ecall(EXT.srst, 0, 0);
  say('SRST returned\n');
  p.label('spin').call('spin', zero);
  return p.bytes();
}
