// The GDB remote protocol engine in process, driven packet by packet against a real machine:
// framing, every packet the stub answers, breakpoints, steps, watchpoints, detach and kill,
// and determinism (stepping visits exactly the instructions a run without a debugger retires).

import * as fs from 'fs';
import * as path from 'path';
import { Machine } from '../../reference/machine/machine';
import { GdbStub } from '../../reference/debug/gdb-stub';
import { checksum, frame, le64Hex } from '../../reference/debug/rsp';
import { REG_CSR_BASE, REG_PRIV, targetXml } from '../../reference/debug/target-description';
import { CSR_NUMBERS } from '../../reference/machine/csr';
import { Asm, R, RAM, elf } from '../cli/images';

const DATA = RAM + 0x1000;
/** Store 42 to DATA, load it back, print "ok", pass. */
const program = () => new Asm().la(R.t0, DATA).li(R.t1, 42).sw(R.t1, R.t0).lw(R.t2, R.t0).print('ok').pass();

const ROOT = path.resolve(__dirname, '../../..');
/** The SBI interrupt probe under the Microvisor: ecalls, timer and software interrupts, delegation. */
const interruptsGuest = () => new Machine({
  bios: fs.readFileSync(path.join(ROOT, 'reference/firmware/build/microvisor.elf')),
  kernel: fs.readFileSync(path.join(ROOT, 'reference/guests/sbi/build/interrupts.elf')),
});

class Session {
  constructor(readonly m = new Machine({ bios: null, kernel: elf([{ addr: RAM, data: program().bytes() }]), ramSize: 8 << 20 })) {}
  readonly sent: string[] = [];
  killed = false;
  detached = false;
  readonly stub = new GdbStub(() => this.m.hart, {
    send: (d) => this.sent.push(d),
    resumed: () => undefined,
    kill: () => { this.killed = true; },
    detached: () => { this.detached = true; },
  });
  exit: number | null = null;

  /** Send one packet; return the payloads of the packets the stub sent back (acks dropped). */
  ask(payload: string): string[] {
    this.sent.length = 0;
    this.stub.receive(frame(payload));
    if (!this.stub.halted && !this.killed) this.runUntilStop();
    return this.replies();
  }

  replies(): string[] {
    return this.sent.filter((s) => s !== '+').map((s) => {
      const m = /^\$([\s\S]*)#([0-9a-f]{2})$/.exec(s);
      if (!m) throw new Error(`not a packet: ${s}`);
      expect(parseInt(m[2], 16)).toBe(checksum(m[1]));
      return m[1];
    });
  }

  /** The boot loop's part: run while the stub lets the machine run. */
  runUntilStop(): void {
    for (let chunks = 0; chunks < 1000 && !this.stub.halted; chunks++) {
      const h = this.m.hart;
      h.tracer = this.stub.wantsTracer ? (hh, pc, bits) => this.stub.beforeInstruction(hh, pc, bits) : null;
      const r = this.m.run({ maxInsns: 1000 });
      if (r.reason === 'break') this.stub.stoppedAtBreak();
      else if (r.reason === 'finisher') { this.exit = r.code ?? 0; this.stub.exited(this.exit); }
    }
  }

  reg(n: number): bigint { return BigInt('0x' + this.ask(`p${n.toString(16)}`)[0].match(/../g)!.reverse().join('')); }
}

test('framing: acks, checksums, a bad checksum asks for the packet again', () => {
  const s = new Session();
  s.stub.receive('$?#00');
  expect(s.sent).toEqual(['-']);
  s.sent.length = 0;
  s.stub.receive(frame('?'));
  expect(s.sent[0]).toBe('+');
  expect(s.replies()).toEqual(['T05thread:01;']);
  expect(frame('a$b')).toBe(`$a}\x04b#${checksum('a}\x04b').toString(16).padStart(2, '0')}`);
});

test('queries: qSupported, threads, attached, unknown packets get the empty reply', () => {
  const s = new Session();
  expect(s.ask('qSupported:multiprocess+;swbreak+;xmlRegisters=i386')[0]).toMatch(/qXfer:features:read\+/);
  expect(s.ask('qAttached')).toEqual(['1']);
  expect(s.ask('qfThreadInfo')).toEqual(['m01']);
  expect(s.ask('qsThreadInfo')).toEqual(['l']);
  expect(s.ask('qC')).toEqual(['QC01']);
  expect(s.ask('Hg0')).toEqual(['OK']);
  expect(s.ask('T01')).toEqual(['OK']);
  expect(s.ask('vCont?')).toEqual(['vCont;c;C;s;S']);
  expect(s.ask('vMustReplyEmpty')).toEqual(['']);
  expect(s.ask('qNoSuchThing')).toEqual(['']);
});

test('target.xml: cpu, every CSR of the reference\'s table at 65 + its number, and priv; read in pieces', () => {
  const s = new Session();
  let xml = '';
  for (let off = 0; ; off += 0x100) {
    const r = s.ask(`qXfer:features:read:target.xml:${off.toString(16)},100`)[0];
    xml += r.slice(1);
    if (r[0] === 'l') break;
    expect(r[0]).toBe('m');
  }
  expect(xml).toBe(targetXml());
  expect(xml).toMatch(/<feature name="org.gnu.gdb.riscv.cpu">[\s\S]*name="zero"[\s\S]*name="t6"[\s\S]*name="pc"/);
  for (const [name, num] of Object.entries(CSR_NUMBERS)) expect(xml).toContain(`<reg name="${name}" bitsize="64" regnum="${REG_CSR_BASE + num}"`);
  expect(xml).toContain(`<feature name="org.gnu.gdb.riscv.virtual">\n  <reg name="priv" bitsize="64" regnum="${REG_PRIV}"`);
});

test('registers: g, G, p, P on GPRs, pc, CSRs and priv', () => {
  const s = new Session();
  const g = s.ask('g')[0];
  expect(g).toHaveLength(33 * 16);
  expect(g.slice(32 * 16)).toBe(le64Hex(0x1000n)); // the reset vector
  expect(s.ask(`P5=${le64Hex(0x1234n)}`)).toEqual(['OK']);
  expect(s.m.hart.getX(5)).toBe(0x1234n);
  expect(s.reg(5)).toBe(0x1234n);
  expect(s.ask(`P0=${le64Hex(7n)}`)).toEqual(['OK']);
  expect(s.reg(0)).toBe(0n); // x0 stays zero
  expect(s.ask(`P${(REG_CSR_BASE + 0x340).toString(16)}=${le64Hex(0xabcn)}`)).toEqual(['OK']);
  expect(s.m.hart.readCsr(0x340)).toBe(0xabcn);
  expect(s.reg(REG_CSR_BASE + 0xf11)).toBe(s.m.hart.readCsr(0xf11));
  expect(s.ask(`p${(REG_CSR_BASE + 0x7ff).toString(16)}`)).toEqual(['E45']); // not a CSR of the reference
  expect(s.reg(REG_PRIV)).toBe(3n);
  expect(s.ask(`P${REG_PRIV.toString(16)}=${le64Hex(2n)}`)).toEqual(['E45']); // no H mode
  const regs = g.slice(0, 32 * 16) + le64Hex(0x80000000n);
  expect(s.ask(`G${regs}`)).toEqual(['OK']);
  expect(s.m.hart.getPc()).toBe(0x80000000n);
});

test('memory: m, M, X through the hart\'s view; unmapped and device addresses are errors', () => {
  const s = new Session();
  const first = s.ask(`m${RAM.toString(16)},4`)[0];
  expect(first).toBe(Buffer.from(s.m.readBytes(BigInt(RAM), 4)).toString('hex'));
  expect(s.ask(`M${DATA.toString(16)},4:deadbeef`)).toEqual(['OK']);
  expect([...s.m.readBytes(BigInt(DATA), 4)]).toEqual([0xde, 0xad, 0xbe, 0xef]);
  // Binary data arrives escaped: '}' then '#' ^ 0x20, twice.
  const body = `X${(DATA + 4).toString(16)},2:}\x03}\x03`;
  s.sent.length = 0;
  s.stub.receive(`$${body}#${checksum(body).toString(16).padStart(2, '0')}`);
  expect(s.replies()).toEqual(['OK']);
  expect([...s.m.readBytes(BigInt(DATA + 4), 2)]).toEqual([0x23, 0x23]);
  expect(s.ask('m0,4')).toEqual(['E14']);
  expect(s.ask('m10000000,1')).toEqual(['E14']); // the UART: a debugger read would pop its FIFO
  expect(s.ask(`m1000,4`)[0]).toBe('97020000'); // the boot ROM
});

test('breakpoint, step, watchpoint, continue to exit', () => {
  const s = new Session();
  expect(s.ask(`Z0,${RAM.toString(16)},4`)).toEqual(['OK']);
  expect(s.ask('c')).toEqual(['T05thread:01;']);
  expect(s.m.hart.getPc()).toBe(BigInt(RAM));
  const before = s.m.hart.instret;
  expect(s.ask('z0,80000000,4')).toEqual(['OK']);
  expect(s.ask('s')).toEqual(['T05thread:01;']);
  expect(s.m.hart.instret).toBe(before + 1);
  expect(s.ask(`Z2,${DATA.toString(16)},4`)).toEqual(['OK']);
  expect(s.ask(`Z3,${DATA.toString(16)},4`)).toEqual(['OK']);
  // The store to DATA: stopped after it, with the value in memory.
  expect(s.ask('vCont;c')).toEqual([`T05thread:01;watch:${DATA.toString(16)};`]);
  expect([...s.m.readBytes(BigInt(DATA), 4)]).toEqual([42, 0, 0, 0]);
  // The load back: the read watchpoint.
  expect(s.ask('c')).toEqual([`T05thread:01;rwatch:${DATA.toString(16)};`]);
  expect(s.m.hart.getX(7)).toBe(42n);
  expect(s.ask('c')).toEqual(['W00']);
  expect(s.m.console).toBe('ok');
});

test('stepping visits exactly the instructions a run without a debugger retires, interrupts and traps included', () => {
  const plain = interruptsGuest();
  const pcs: number[] = [];
  let traps = 0;
  plain.hart.tracer = (_h, pc) => { pcs.push(pc); };
  plain.hart.onTrap = () => { traps++; };
  expect(plain.run({ maxInsns: 1_000_000 }).reason).toBe('finisher');
  expect(traps).toBeGreaterThan(10); // ecalls and timer interrupts along the way
  const s = new Session(interruptsGuest());
  const stepped: number[] = [];
  for (let i = 0; i < pcs.length; i++) {
    stepped.push(s.m.hart.pc);
    const r = s.ask(i % 2 ? 's' : 'vCont;s:1')[0];
    if (r[0] === 'W') break;
    if (r !== 'T05thread:01;') throw new Error(`step ${i}: ${r}`);
  }
  expect(stepped).toEqual(pcs);
  expect(s.m.console).toBe(plain.console);
  expect(s.m.hart.cycles).toBe(plain.hart.cycles); // time advanced only with the guest's instructions
});

test('detach lets the guest run on; kill ends it', () => {
  const s = new Session();
  s.stub.receive(frame('Z0,80000000,4'));
  s.sent.length = 0;
  s.stub.receive(frame('D'));
  expect(s.replies()).toEqual(['OK']);
  expect(s.detached).toBe(true);
  expect(s.stub.halted).toBe(false);
  expect(s.stub.wantsTracer).toBe(false); // breakpoints went with the debugger
  const k = new Session();
  k.stub.receive(frame('k'));
  expect(k.killed).toBe(true);
});

test('Ctrl-C while running stops with SIGINT; the no-ack mode stops the acks', () => {
  const s = new Session();
  expect(s.ask('QStartNoAckMode')).toEqual(['OK']);
  s.sent.length = 0;
  s.stub.receive(frame('c'));
  expect(s.stub.halted).toBe(false);
  s.stub.receive('\x03');
  expect(s.stub.takeInterrupt()).toBe(true);
  expect(s.replies()).toEqual(['T02thread:01;']);
  expect(s.sent.includes('+')).toBe(false);
});
