/* The maintenance side of the Microvisor: the dormant configuration, the virtualize and
   devirtualize transitions (by the vendor SBI extension or the management doorbell), and the time
   slice the firmware owns while virtualized. The rule that governs all of it: the guest observes
   the same thing in every state, except time. So everything virtualization will deny is already
   denied when dormant (pmp.c), and a transition touches only state the guest cannot see: the M
   timer (CLINT mtimecmp, denied to S by PMP), mie's machine-level bits, and the firmware's memory.
   The instances and what runs while two share the hart are instance.c's and sched.c's. */
#include "microvisor.h"
#include "csr.h"
#include "platform.h"
#include "sbi.h"
#include "instance.h"

/* Every delegable exception but ecall from S (the SBI) goes to S-mode; ecall from M and the
   reserved codes cannot be delegated. */
#define EXC_ALL_DELEGABLE 0xb3ffUL
#define DORMANT_MEDELEG   (EXC_ALL_DELEGABLE & ~(1UL << EXC_ECALL_S))
#define DORMANT_MIDELEG   (MIP_SSIP | MIP_STIP | MIP_SEIP)
/* S and U may read cycle, time and instret; TM also opens stimecmp to S (Sstc). */
#define DORMANT_MCOUNTEREN 0x7UL
#define MIE_DOORBELL      (1UL << IRQ_DOORBELL)
/* The machine-level interrupts the firmware takes while virtualized: the time slice, and the
   machine external interrupt through which a second instance's devices are routed (PLIC context
   0, whose enables PMP keeps from the guest). */
#define VIRTUALIZED_MIE   (MIP_MTIP | MIP_MEIP)

/* Deliberate transparency bugs for the negative tests (Makefile: make variant). */
#ifdef BUG_DELEG_NOT_RESTORED
#define RESTORED_MEDELEG (DORMANT_MEDELEG & ~(1UL << EXC_BREAKPOINT))   /* breakpoint stays with M */
#else
#define RESTORED_MEDELEG DORMANT_MEDELEG
#endif

enum state { DORMANT = 0, VIRTUALIZED = 1 };
static enum state state;

int maintenance_virtualized(void) { return state == VIRTUALIZED; }

static void delegation_apply(u64 medeleg)
{
  csr_write(medeleg, medeleg);
  csr_write(mideleg, DORMANT_MIDELEG);
  csr_write(mcounteren, DORMANT_MCOUNTEREN);
  csr_set(menvcfg, MENVCFG_STCE);
}

void dormant_configure(void)
{
  delegation_apply(DORMANT_MEDELEG);
  /* Only the machine-level bits are the firmware's; S bits of mie are the guest's sie. */
  csr_clear(mie, MIP_MTIP | MIP_MEIP | (1UL << IRQ_MSI));
  csr_set(mie, MIE_DOORBELL);
  mmio_write32(CLINT_MTIMECMP, 0xffffffffU);
  mmio_write32(CLINT_MTIMECMP + 4, 0xffffffffU);
}

static long virtualize(struct trap_frame *f)
{
  if (state == VIRTUALIZED) return SBI_ERR_ALREADY_STARTED;
  state = VIRTUALIZED;
  instances_virtualized();
  u64 deadline = sched_tick_arm();
  (void)deadline;
  csr_set(mie, VIRTUALIZED_MIE);
#ifdef BUG_LEAK_CSR
  /* The bug: the firmware borrows sscratch to keep the slice deadline and never gives it back. */
  csr_write(sscratch, deadline);
#endif
  mv_stats.virtualizations++;
  f->transition = 1;
  return SBI_SUCCESS;
}

/* Back to the dormant configuration, for whichever instance is left (instance 0, or instance 1 as
   the survivor, whose PMP layout the caller has applied). */
long maintenance_devirtualize(struct trap_frame *f)
{
  if (state == DORMANT) return SBI_ERR_ALREADY_STOPPED;
  /* Two instances cannot go dormant: retire or roll back one first. */
  if (instances[0].state != INST_ABSENT && instances[1].state != INST_ABSENT) return SBI_ERR_DENIED;
  csr_clear(mie, VIRTUALIZED_MIE);
  mmio_write32(CLINT_MTIMECMP, 0xffffffffU);
  mmio_write32(CLINT_MTIMECMP + 4, 0xffffffffU);
  /* Exactly the dormant configuration again (a second instance will have changed it). */
  csr_clear(mstatus, MSTATUS_TW);
  delegation_apply(RESTORED_MEDELEG);
  state = DORMANT;
  mv_stats.devirtualizations++;
  f->transition = 2;
  return SBI_SUCCESS;
}

/* The M timer while virtualized: a time slice, a sleeping instance's deadline, the watchdog. */
void slice_interrupt(struct trap_frame *f)
{
  if (state != VIRTUALIZED) fw_panic("time slice while dormant", 0, 0);
  sched_timer(f);
}

/* Wait in M-mode (HSM suspend) until an interrupt for the guest is pending, exactly as long as a
   dormant machine would: time slices and doorbells that arrive meanwhile are served here and do
   not end the wait. With two instances the wait yields the hart to the other (sched.c). */
void wait_for_guest_interrupt(struct trap_frame *f)
{
  if (instance_two_running()) { sched_wait(f, 0); return; }
  for (;;) {
    asm volatile("wfi");
    u64 pending = csr_read(mip) & csr_read(mie);
    if ((pending & MIP_MTIP) && state == VIRTUALIZED) slice_interrupt(f);
    if (pending & MIE_DOORBELL) doorbell_interrupt(f);
    if (pending & DORMANT_MIDELEG) return;
  }
}

static u64 doorbell_arg(u64 off) { return *(volatile u64 *)(DOORBELL_BASE + off); }

void doorbell_interrupt(struct trap_frame *f)
{
  u32 cause = mmio_read32(DOORBELL_BASE + DOORBELL_CAUSE);
  mmio_write32(DOORBELL_BASE + DOORBELL_ACK, 1);
  mv_stats.doorbells++;
  /* A doorbell that asks for the state the machine is already in is acknowledged and ignored. */
  long result;
  if (cause == DOORBELL_CAUSE_VIRTUALIZE) result = virtualize(f);
  else if (cause == DOORBELL_CAUSE_DEVIRTUALIZE) result = maintenance_devirtualize(f);
  else if (cause >= DOORBELL_CAUSE_CREATE && cause <= DOORBELL_CAUSE_ROLLBACK)
    result = instance_doorbell(cause, doorbell_arg(DOORBELL_ARG0), doorbell_arg(DOORBELL_ARG1), doorbell_arg(DOORBELL_ARG2), f);
  else return;
  *(volatile u64 *)(DOORBELL_BASE + DOORBELL_RESULT) = (u64)result;
}

static long status(u64 which)
{
  switch (which) {
  case MAINT_STATUS_STATE: return state;
  case MAINT_STATUS_CYCLES: return mv_stats.cycles;
  case MAINT_STATUS_INSTRUCTIONS: return mv_stats.instructions;
  case MAINT_STATUS_TRAPS: return mv_stats.traps;
  case MAINT_STATUS_VIRTUALIZE_CYCLES: return mv_stats.virtualize_cycles;
  case MAINT_STATUS_DEVIRTUALIZE_CYCLES: return mv_stats.devirtualize_cycles;
  case MAINT_STATUS_PARTITION_BASE: return mv_layout.partition_base;
  case MAINT_STATUS_PARTITION_SIZE: return mv_layout.partition_size;
  }
  return -1;
}

struct sbiret maintenance_call(u64 fid, u64 arg0, struct trap_frame *f)
{
  switch (fid) {
  case MAINT_STATUS: {
    long v = status(arg0);
    return v < 0 && arg0 > MAINT_STATUS_PARTITION_SIZE ? (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 } : (struct sbiret){ SBI_SUCCESS, v };
  }
  case MAINT_VIRTUALIZE: return (struct sbiret){ virtualize(f), 0 };
  case MAINT_DEVIRTUALIZE: return (struct sbiret){ maintenance_devirtualize(f), 0 };
  }
  return instance_call(fid, f);
}
