// Exceptions with their tval from each privilege, delegation through medeleg, and the
// trap-return and wait instructions (MRET, SRET, WFI) with the mstatus traps TW, TSR and TVM.

import { hex64 } from '../../../reference/state';
import { Case, CODE, CODE2, csr, csrr, csrw, DATA, E, ECALL, EBREAK, li, MRET, MSTATUS, NOP, Priv, PRIV_NUM, qemuDivergence, S_HANDLER, SFENCE, SRET, WFI } from './program';
import { qemuAmoAccessFaultTags } from './qemu-model';

const SPEC_TRAP = 'riscv-priv 1.12 3.1.15 mcause / 3.1.16 mtval / table 3.7 exception priority';
const SPEC_DELEG = 'riscv-priv 1.12 3.1.8 Machine Trap Delegation Registers (medeleg and mideleg)';
/** Exceptions QEMU 7.2 and the reference let M-mode delegate (ecall from M never). */
const DELEGABLE = 0xb3ff;
const UNMAPPED = 0x300000n;

interface Raiser { cause: number; name: string; code: number[]; x?: Record<string, bigint>; privs: Priv[]; tags?: string[] }

/** One instruction (or short sequence) per exception cause, with the registers it needs. */
function raisers(): Raiser[] {
  return [
    { cause: 1, name: 'instruction access fault (jump to an unmapped address)', code: [E('jalr', { rd: 1, rs1: 10, imm: 0 })], x: { x10: UNMAPPED }, privs: ['M', 'S', 'U'] },
    { cause: 2, name: 'illegal instruction (0xffffffff)', code: [0xffffffff], privs: ['M', 'S', 'U'] },
    { cause: 2, name: 'illegal instruction (reserved compressed 0x0000 after a nop)', code: [0x00000001 | (0 << 16)], privs: ['M', 'S', 'U'], tags: ['c'] },
    { cause: 2, name: 'illegal instruction (mret below M)', code: [MRET], privs: ['S', 'U'] },
    { cause: 2, name: 'illegal instruction (sret in U)', code: [SRET], privs: ['U'] },
    { cause: 2, name: 'illegal instruction (wfi in U)', code: [WFI], privs: ['U'] },
    { cause: 2, name: 'illegal instruction (sfence.vma in U)', code: [SFENCE], privs: ['U'] },
    { cause: 2, name: 'illegal instruction (csrr mstatus below M)', code: [csrr(5, csr('mstatus'))], privs: ['S', 'U'] },
    { cause: 2, name: 'illegal instruction (csrr sstatus in U)', code: [csrr(5, csr('sstatus'))], privs: ['U'] },
    { cause: 3, name: 'breakpoint (ebreak)', code: [EBREAK], privs: ['M', 'S', 'U'] },
    { cause: 3, name: 'breakpoint (c.ebreak)', code: [0x00019002], privs: ['M', 'S', 'U'], tags: ['c'] },
    { cause: 4, name: 'load address misaligned (lr.d)', tags: ['a'], code: [E('lr.d', { rd: 5, rs1: 10 })], x: { x10: BigInt(DATA + 4) }, privs: ['M', 'S', 'U'] },
    { cause: 4, name: 'load address misaligned (lr.w)', tags: ['a'], code: [E('lr.w', { rd: 5, rs1: 10 })], x: { x10: BigInt(DATA + 2) }, privs: ['M', 'S', 'U'] },
    { cause: 5, name: 'load access fault (unmapped)', code: [E('ld', { rd: 5, rs1: 10, imm: 0 })], x: { x10: UNMAPPED }, privs: ['M', 'S', 'U'] },
    { cause: 5, name: 'load access fault (lb, unmapped, offset)', code: [E('lb', { rd: 5, rs1: 10, imm: 0x7ff })], x: { x10: UNMAPPED }, privs: ['M', 'S', 'U'] },
    { cause: 6, name: 'store/AMO address misaligned (sc.d)', code: [E('sc.d', { rd: 5, rs1: 10, rs2: 11 })], x: { x10: BigInt(DATA + 4), x11: 1n }, privs: ['M', 'S', 'U'], tags: ['a', qemuDivergence('sc-misaligned')] },
    { cause: 6, name: 'store/AMO address misaligned (sc.w)', code: [E('sc.w', { rd: 5, rs1: 10, rs2: 11 })], x: { x10: BigInt(DATA + 2), x11: 1n }, privs: ['M', 'S', 'U'], tags: ['a', qemuDivergence('sc-misaligned')] },
    { cause: 7, name: 'store access fault (unmapped)', code: [E('sd', { rs1: 10, rs2: 11, imm: 0 })], x: { x10: UNMAPPED, x11: 1n }, privs: ['M', 'S', 'U'] },
    { cause: 7, name: 'store/AMO access fault (amoadd.w, unmapped)', code: [E('amoadd.w', { rd: 5, rs1: 10, rs2: 11 })], x: { x10: UNMAPPED, x11: 1n }, privs: ['M', 'S', 'U'], tags: ['a', ...qemuAmoAccessFaultTags] },
    { cause: 8, name: 'environment call from U', code: [ECALL], privs: ['U'] },
    { cause: 9, name: 'environment call from S', code: [ECALL], privs: ['S'] },
    { cause: 11, name: 'environment call from M', code: [ECALL], privs: ['M'] },
  ];
}

/** Each exception from each privilege, not delegated, delegated alone, and with every other exception delegated. */
export function* exceptions(): Generator<Case> {
  for (const r of raisers()) {
    for (const priv of r.privs) {
      const variants: [string, number][] = [['medeleg 0', 0]];
      if (r.cause !== 11) variants.push([`medeleg bit ${r.cause}`, 1 << r.cause]);
      // Every other delegable exception, except breakpoint: the S handler ends with ebreak.
      variants.push(['medeleg all others', DELEGABLE & ~(1 << r.cause) & ~(1 << 3)]);
      for (const [label, medeleg] of variants) {
        const delegatedHere = priv !== 'M' && ((medeleg >> r.cause) & 1) === 1;
        // A delegated breakpoint cannot end in the handler's ebreak: that handler ends with ecall.
        const handlerEnd = r.cause === 3 && delegatedHere ? ECALL : undefined;
        const c: Case = {
          title: `trap ${r.name} from ${priv}, ${label}`,
          tags: ['traps', ...(r.tags ?? [])], spec: delegatedHere ? SPEC_DELEG : SPEC_TRAP,
          priv, csrs: { medeleg: BigInt(medeleg) }, x: r.x, code: r.code, sHandler: priv !== 'M', sHandlerEnd: handlerEnd,
        };
        yield c;
      }
    }
  }
}

/** MRET to each privilege with each MPIE/MPRV; the target reports its privilege by its ecall cause. */
export function* xret(): Generator<Case> {
  const spec = 'riscv-priv 1.12 3.3.2 Trap-Return Instructions';
  for (const mpp of ['U', 'S', 'M'] as Priv[]) {
    for (const mpie of [0n, 1n]) for (const mprv of [0n, 1n]) for (const mie of [0n, 1n]) {
      const ms = (BigInt(PRIV_NUM[mpp]) << 11n) | (mpie ? MSTATUS.MPIE : 0n) | (mprv ? MSTATUS.MPRV : 0n) | (mie ? MSTATUS.MIE : 0n);
      const target = mpp === 'M' ? [csrr(5, csr('mstatus')), ECALL] : mpp === 'S' ? [csrr(5, csr('sstatus')), ECALL] : [ECALL];
      yield {
        title: `mret to ${mpp}: MPIE=${mpie} MPRV=${mprv} MIE=${mie}`, tags: ['xret', ...(mpp === 'S' ? ['s'] : mpp === 'U' ? ['u'] : [])], spec,
        x: { x13: BigInt(CODE2), x14: ms }, code: [csrw(csr('mstatus'), 14), csrw(csr('mepc'), 13), MRET],
        memory: [{ base: CODE2, words: target }],
      };
    }
  }
  // SRET from S (TSR 0/1) and from M, to each SPP with each SPIE.
  for (const from of ['S', 'M', 'U'] as Priv[]) {
    for (const spp of [0n, 1n]) for (const spie of [0n, 1n]) for (const tsr of [0n, 1n]) {
      const ms = (spp ? MSTATUS.SPP : 0n) | (spie ? MSTATUS.SPIE : 0n) | (tsr ? MSTATUS.TSR : 0n) | MSTATUS.SIE;
      const target = spp ? [csrr(5, csr('sstatus')), ECALL] : [ECALL];
      // An M-mode start cannot preset mstatus (the QEMU runner enters with mret): the program sets it.
      const code = from === 'M' ? [csrw(csr('mstatus'), 14), csrw(csr('sepc'), 13), SRET] : [SRET];
      yield {
        title: `sret from ${from} to ${spp ? 'S' : 'U'}: SPIE=${spie} TSR=${tsr}`, tags: ['xret', 's', ...(spp ? [] : ['u'])], spec: `${spec}; 3.1.6.5 TSR`,
        priv: from, csrs: from === 'M' ? undefined : { mstatus: ms, sepc: BigInt(CODE2) }, x: { x13: BigInt(CODE2), x14: ms },
        code, memory: [{ base: CODE2, words: target }],
      };
    }
  }
  // mret with an MPP of the reserved value 2 is never stored (WARL): the write keeps the old MPP.
  yield {
    title: 'mret: mstatus.MPP written 2 keeps its previous value', tags: ['xret', 'csr-warl', qemuDivergence('mpp-reserved')], spec: 'riscv-priv 1.12 3.1.6.1: MPP is WARL over the implemented modes',
    x: { x13: BigInt(CODE2), x14: MSTATUS.MPP_S | MSTATUS.MPIE, x15: (2n << 11n) | MSTATUS.MPIE },
    code: [csrw(csr('mstatus'), 14), csrw(csr('mstatus'), 15), csrr(6, csr('mstatus')), csrw(csr('mepc'), 13), MRET],
    memory: [{ base: CODE2, words: [ECALL] }],
    // Any legal MPP is a correct legalisation of 2 (QEMU 7.2 makes it U): choice mpp-reserved-*.
  };
}

/** WFI with a wake-up pending (it completes), TW, and U-mode; TVM on satp and sfence.vma. */
export function* waitAndVm(): Generator<Case> {
  const ssip = 1n << 1n;
  for (const priv of ['M', 'S', 'U'] as Priv[]) {
    for (const tw of [0n, 1n]) {
      // SSIP pending and enabled in mie, delegated, SIE = 0: no trap is taken, but WFI wakes.
      // (In U-mode a delegated interrupt is always enabled, so U waits with nothing pending.)
      const csrs: Record<string, bigint> = priv === 'U' ? {} : { mideleg: ssip, mie: ssip, mip: ssip };
      if (priv !== 'M') csrs.mstatus = tw ? MSTATUS.TW : 0n;
      const code = priv === 'M' ? [csrw(csr('mstatus'), 14), WFI, li(5, 1)] : [WFI, li(5, 1)];
      const c: Case = { title: `wfi in ${priv} with TW=${tw}, a wake-up pending`, tags: ['wfi'], spec: 'riscv-priv 1.12 3.3.3 Wait for Interrupt; 3.1.6.5 TW', priv, csrs, x: { x14: (tw ? MSTATUS.TW : 0n) | MSTATUS.MPIE }, code };
      // TW=1 (or U-mode): WFI traps unless it completes within an implementation-specific time;
      // a pending wake-up may let it complete (choice wfi-completes-when-pending).
      yield c;
    }
  }
  for (const tvm of [0n, 1n]) {
    for (const [name, insn] of [['csrr satp', csrr(5, csr('satp'))], ['csrw satp', csrw(csr('satp'), 0)], ['sfence.vma', SFENCE], ['sfence.vma x10, x11', E('sfence.vma', { rs1: 10, rs2: 11 })]] as const) {
      for (const priv of ['S', 'M'] as Priv[]) {
        const code = priv === 'M' ? [csrw(csr('mstatus'), 14), insn, li(6, 1)] : [insn, li(6, 1)];
        yield {
          title: `tvm=${tvm}: ${name} in ${priv}`, tags: ['tvm'], spec: 'riscv-priv 1.12 3.1.6.5 TVM', priv,
          csrs: priv === 'S' ? { mstatus: tvm ? MSTATUS.TVM : 0n } : undefined, x: { x10: 0x1000n, x11: 1n, x14: (tvm ? MSTATUS.TVM : 0n) | MSTATUS.MPIE }, code,
        };
      }
    }
  }
}

export { hex64, S_HANDLER, NOP };
