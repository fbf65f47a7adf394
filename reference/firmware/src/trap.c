/* The firmware's trap dispatch. Dormant, every delegable trap goes straight to S-mode, so the
   only traps that reach here are SBI calls (ecall from S), the doorbell and, when virtualized,
   the time slice. Anything else means the delegation is wrong: the firmware stops the machine
   loudly rather than guess (this is what makes a lost delegation bit visible to the suite). */
#include "microvisor.h"
#include "csr.h"
#include "platform.h"
#include "instance.h"
#include "devices.h"

void fw_panic(const char *why, u64 a, u64 b)
{
  console_puts("microvisor: ");
  console_puts(why);
  console_puts(" ");
  console_puthex(a);
  console_puts(" ");
  console_puthex(b);
  console_puts("\n");
  system_finish((0xeeU << 16) | FINISHER_FAIL);
}

void trap_handler(struct trap_frame *f)
{
  u64 cause = csr_read(mcause);
  /* The firmware runs with interrupts off and never faults; a trap from M-mode means it did, and
     the trap frame (shared, at the top of the stack) is no longer the guest's. */
  if ((csr_read(mstatus) & MSTATUS_MPP) == MSTATUS_MPP) fw_panic("trap in firmware", cause, csr_read(mepc));
  if (cause & CAUSE_INTERRUPT) {
    u64 code = cause & ~CAUSE_INTERRUPT;
    if (code == IRQ_DOORBELL) doorbell_interrupt(f);
    else if (code == IRQ_MTI) slice_interrupt(f);
    else if (code == IRQ_MEI) {
      /* A device interrupt of the instance that is not running (plic_emul.c routes them through
         context 0): its source is masked there until its owner runs. An owner asleep in wfi is
         woken now; a runnable one takes it at its next slice. Yielding to a runnable owner would
         let one that never serves its device (hung) keep the hart from the other for good. */
      int owner = plic_emul_meip();
      if (owner >= 0 && (u64)owner != instance_current() && instances[owner].sleeping) sched_yield(f);
    }
    else fw_panic("unexpected interrupt", cause, csr_read(mepc));
    return;
  }
  if (cause == EXC_ECALL_S) {
    u64 caller = instance_current();
    struct sbiret r = sbi_dispatch(f);
    if (instance_current() == caller) {
      f->x[10] = r.error;
      f->x[11] = r.value;
      csr_write(mepc, csr_read(mepc) + 4);
    } else if (instances[caller].state != INST_ABSENT) {
      /* The call switched worlds (yield, a wait, a handoff): the caller's answer goes into its
         saved context, returned to when it runs again. One that retired itself never returns. */
      instances[caller].ctx.x[10] = r.error;
      instances[caller].ctx.x[11] = r.value;
      instances[caller].ctx.pc += 4;
    }
    return;
  }
  if (cause == EXC_ILLEGAL && instance_two_running() && sched_illegal(f)) return;
  if ((cause == EXC_LOAD_ACCESS || cause == EXC_STORE_ACCESS) && instance_two_running()) {
    /* Not delegated while two instances share the hart: the PLIC's S context is emulated, and any
       other access fault is the guest's own, delivered to it as the hart would have. */
    u64 tval = csr_read(mtval);
    if (!plic_emul_access_fault(f, cause, tval)) trap_redirect_to_s(cause, tval);
    return;
  }
  fw_panic("unexpected trap", cause, csr_read(mepc));
}
