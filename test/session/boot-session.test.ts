// The boot session (reference/session.ts): the one owner of the doorbell schedule, the instruction
// budget and reboots, driven the ways `devirt boot`, image vectors and a debugger stub drive it.
import { Asm, R, RAM, FINISHER, elf } from '../cli/images';
import { BootConfig, BootSession, DOORBELL_CAUSE } from '../../reference/session';

const image = (a: Asm) => elf([{ addr: RAM, data: a.bytes() }]);
const session = (a: Asm, config: Partial<BootConfig> = {}) => new BootSession({ kernel: image(a), bios: null, ...config });
/** The doorbell's CAUSE register (0x4): the last cause rung, 0 if none. */
const doorbellCause = (s: BootSession) => s.machine.doorbell.read(4);
/** A straight line of `n` instructions that change nothing but t2, then `spin`. */
const line = (n: number) => { const a = new Asm(); for (let i = 0; i < n; i++) a.addi(R.t2, R.t2, 1); return a.spin(); };
/** Reset through the finisher (0x7777), as a guest that asks for a reboot. */
const reset = (a: Asm) => a.li(R.t0, FINISHER).li(R.t1, 0x7777).sw(R.t1, R.t0).spin();

describe('boot session: budget and slices', () => {
  test('the budget ends the run at exactly maxInsns', () => {
    const s = session(new Asm().spin(), { maxInsns: 1000 });
    expect(s.run()).toEqual({ kind: 'limit' });
    expect(s.machine.hart.instret).toBe(1000);
    expect(s.executed).toBe(1000);
  });

  test('a run in slices retires the same count as one run, and each slice stops where asked', () => {
    const s = session(new Asm().spin(), { maxInsns: 1000 });
    const stops: string[] = [];
    for (;;) { const r = s.run({ insns: 300 }); stops.push(`${r.kind}@${s.machine.hart.instret}`); if (r.kind !== 'slice') break; }
    expect(stops).toEqual(['slice@300', 'slice@600', 'slice@900', 'limit@1000']);
  });

  test('step runs one instruction', () => {
    const s = session(line(10));
    // The boot ROM's reset code runs first, then the kernel's line of addi.
    while (s.machine.hart.pc !== RAM) expect(s.step()).toEqual({ kind: 'slice' });
    const start = s.machine.hart.instret;
    expect(s.step()).toEqual({ kind: 'slice' });
    expect(s.step()).toEqual({ kind: 'slice' });
    expect(s.machine.hart.instret).toBe(start + 2);
    expect(s.machine.hart.x[R.t2 * 2]).toBe(2);
    expect(s.machine.hart.pc).toBe(RAM + 8);
  });

  test('the guest\'s exit is reported with its code', () => {
    expect(session(new Asm().pass()).run()).toEqual({ kind: 'exit', by: 'finisher', code: 0 });
    expect(session(new Asm().fail(9)).run()).toEqual({ kind: 'exit', by: 'finisher', code: 9 });
  });
});

describe('boot session: the doorbell schedule', () => {
  test('events ring when the instruction count reaches them, in order, ties as given', () => {
    const s = session(new Asm().spin(), {
      maxInsns: 500,
      schedule: [{ at: 300, cause: 5, label: 'c' }, { at: 100, cause: DOORBELL_CAUSE.virtualize, label: 'a' }, { at: 100, cause: 7, label: 'b' }],
    });
    expect(s.run({ insns: 99 })).toEqual({ kind: 'slice' });
    expect(doorbellCause(s)).toBe(0);
    s.run({ insns: 1 });
    expect(doorbellCause(s)).toBe(7);
    s.run({ insns: 150 });
    expect(doorbellCause(s)).toBe(7);
    expect(s.run()).toEqual({ kind: 'limit' });
    expect(doorbellCause(s)).toBe(5);
    expect(s.delivered).toEqual([{ at: 100, action: 'a' }, { at: 100, action: 'b' }, { at: 300, action: 'c' }]);
  });

  test('an event at the budget\'s end is not delivered: no instruction would see it', () => {
    const s = session(new Asm().spin(), { maxInsns: 100, schedule: [{ at: 100, cause: 3, label: 'x' }] });
    expect(s.run()).toEqual({ kind: 'limit' });
    expect(s.delivered).toEqual([]);
  });

  test('a hart idle in wfi gets the next event at once; idle with none left is reported', () => {
    // mie is 0: the doorbell's interrupt cannot wake the hart, so it is idle again after each ring.
    const s = session(new Asm().addi(R.t2, 0, 1).wfi().spin(), { maxInsns: 10_000, schedule: [{ at: 5000, cause: 1, label: 'v' }, { at: 9000, cause: 2, label: 'd' }] });
    expect(s.run()).toEqual({ kind: 'idle' });
    expect(s.delivered.map((e) => e.action)).toEqual(['v', 'd']);
    expect(s.delivered[0].at).toBeLessThan(5000);
    expect(s.pending).toEqual([]);
  });
});

describe('boot session: reboots', () => {
  test('a reset reboots by default and the budget spans the boots', () => {
    const s = session(reset(new Asm()), { maxInsns: 200 });
    expect(s.run()).toEqual({ kind: 'limit' });
    expect(s.reboots).toBeGreaterThan(1);
    expect(s.executed).toBe(200);
  });

  test('with onReset stop (QEMU -no-reboot) the reset ends the run', () => {
    const s = session(reset(new Asm()), { maxInsns: 200, onReset: 'stop' });
    expect(s.run()).toEqual({ kind: 'exit', by: 'finisher', code: 0 });
    expect(s.reboots).toBe(0);
  });
});

describe('boot session: what a debugger needs', () => {
  test('a breakpoint stops before the instruction at its pc; resuming moves past it', () => {
    const s = session(line(20), { maxInsns: 1000 });
    const at = RAM + 4 * 12;
    expect(s.run({ breakAt: (pc) => pc === at })).toEqual({ kind: 'breakpoint', pc: at });
    // Twelve of the kernel's addi ran; the thirteenth, at the breakpoint, did not.
    expect(s.machine.hart.x[R.t2 * 2]).toBe(12);
    // Resumed with the same predicate, the run leaves the breakpoint and reaches its budget.
    expect(s.run({ breakAt: (pc) => pc === at })).toEqual({ kind: 'limit' });
  });

  test('pause from a callback stops after the current instruction; the run then goes on', () => {
    let s: BootSession | null = null;
    s = session(new Asm().print('ab').pass(), { onConsole: () => s!.pause() });
    expect(s.run()).toEqual({ kind: 'paused' });
    expect(s.machine.console).toBe('a');
    expect(s.run()).toEqual({ kind: 'paused' });
    expect(s.machine.console).toBe('ab');
    expect(s.run()).toEqual({ kind: 'exit', by: 'finisher', code: 0 });
  });

  test('pause between runs makes the next run return at once', () => {
    const s = session(new Asm().spin(), { maxInsns: 100 });
    s.pause();
    expect(s.run()).toEqual({ kind: 'paused' });
    expect(s.machine.hart.instret).toBe(0);
    expect(s.run()).toEqual({ kind: 'limit' });
  });
});
