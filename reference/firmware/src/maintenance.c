/* The maintenance side of the Microvisor: the dormant configuration, the virtualize and
   devirtualize transitions (by the vendor SBI extension or the management doorbell), and the time
   slice the firmware owns while virtualized. The rule that governs all of it: the guest observes
   the same thing in every state, except time. So everything virtualization will deny is already
   denied when dormant (pmp.c), and a transition touches only state the guest cannot see: the M
   timer (CLINT mtimecmp, denied to S by PMP), mie's machine-level bits, and the firmware's memory. */
#include "microvisor.h"
#include "csr.h"
#include "platform.h"
#include "sbi.h"
#include "devices.h"

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

/* The doorbell's argument and result registers (conformance/maintenance-sbi.md). */
#ifndef DOORBELL_ARG0
#define DOORBELL_ARG0   0x10
#define DOORBELL_ARG1   0x18
#define DOORBELL_RESULT 0x30
#endif
#define DOORBELL_CAUSE_HAND_OVER 5

/* Deliberate transparency bugs for the negative tests (Makefile: make variant). */
#ifdef BUG_DELEG_NOT_RESTORED
#define RESTORED_MEDELEG (DORMANT_MEDELEG & ~(1UL << EXC_BREAKPOINT))   /* breakpoint stays with M */
#else
#define RESTORED_MEDELEG DORMANT_MEDELEG
#endif

enum state { DORMANT = 0, VIRTUALIZED = 1 };
static enum state state;

/* The instance table a second instance will join; instance 0 is the running OS, which owns
   every device while it is alone. */
struct instance { u64 present, mem_base, mem_size, slice_deadline; };
static struct instance instances[2];

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

static u64 mtime_now(void) { return *(volatile u64 *)CLINT_MTIME; }

static void slice_arm(void)
{
  u64 deadline = mtime_now() + SLICE_TICKS;
  instances[0].slice_deadline = deadline;
  /* Write the high half last-but-one so the comparator never sees a deadline in the past. */
  mmio_write32(CLINT_MTIMECMP + 4, 0xffffffffU);
  mmio_write32(CLINT_MTIMECMP, (u32)deadline);
  mmio_write32(CLINT_MTIMECMP + 4, (u32)(deadline >> 32));
}

static long virtualize(struct trap_frame *f)
{
  if (state == VIRTUALIZED) return SBI_ERR_ALREADY_STARTED;
  instances[0].present = 1;
  instances[0].mem_base = mv_layout.ram_base;
  instances[0].mem_size = mv_layout.ram_size;
  instances[1].present = 0;
  instances[1].mem_base = mv_layout.partition_base;
  instances[1].mem_size = mv_layout.partition_size;
  slice_arm();
  csr_set(mie, VIRTUALIZED_MIE);
#ifdef BUG_LEAK_CSR
  /* The bug: the firmware borrows sscratch to keep the slice deadline and never gives it back. */
  csr_write(sscratch, instances[0].slice_deadline);
#endif
  state = VIRTUALIZED;
  mv_stats.virtualizations++;
  f->transition = 1;
  return SBI_SUCCESS;
}

static long devirtualize(struct trap_frame *f)
{
  if (state == DORMANT) return SBI_ERR_ALREADY_STOPPED;
  csr_clear(mie, VIRTUALIZED_MIE);
  mmio_write32(CLINT_MTIMECMP, 0xffffffffU);
  mmio_write32(CLINT_MTIMECMP + 4, 0xffffffffU);
  /* Exactly the dormant configuration again (a second instance will have changed it). */
  delegation_apply(RESTORED_MEDELEG);
  instances[0].slice_deadline = 0;
  state = DORMANT;
  mv_stats.devirtualizations++;
  f->transition = 2;
  return SBI_SUCCESS;
}

/* End of a time slice. With one instance there is nobody to switch to: account and re-arm. */
void slice_interrupt(void)
{
  if (state != VIRTUALIZED) fw_panic("time slice while dormant", 0, 0);
  mv_stats.slice_ticks++;
  slice_arm();
}

/* Wait in M-mode (HSM suspend) until an interrupt for the guest is pending, exactly as long as a
   dormant machine would: time slices and doorbells that arrive meanwhile are served here and do
   not end the wait. */
void wait_for_guest_interrupt(struct trap_frame *f)
{
  for (;;) {
    asm volatile("wfi");
    u64 pending = csr_read(mip) & csr_read(mie);
    if ((pending & MIP_MTIP) && state == VIRTUALIZED) slice_interrupt();
    if (pending & MIE_DOORBELL) doorbell_interrupt(f);
    if (pending & DORMANT_MIDELEG) return;
  }
}

void doorbell_interrupt(struct trap_frame *f)
{
  u32 cause = mmio_read32(DOORBELL_BASE + DOORBELL_CAUSE);
  mmio_write32(DOORBELL_BASE + DOORBELL_ACK, 1);
  mv_stats.doorbells++;
  /* A doorbell that asks for the state the machine is already in is acknowledged and ignored. */
  if (cause == DOORBELL_CAUSE_VIRTUALIZE) virtualize(f);
  else if (cause == DOORBELL_CAUSE_DEVIRTUALIZE) devirtualize(f);
  else if (cause == DOORBELL_CAUSE_HAND_OVER) {
    /* hand_over(ARG0, ARG1) on the owner's behalf. */
    u64 dev = *(volatile u64 *)(DOORBELL_BASE + DOORBELL_ARG0), to = *(volatile u64 *)(DOORBELL_BASE + DOORBELL_ARG1);
    long r = state != VIRTUALIZED ? SBI_ERR_DENIED
           : dev >= DEVICE_COUNT ? SBI_ERR_INVALID_PARAM
           : devices_hand_over(dev, to, devices_owner(dev));
    *(volatile u64 *)(DOORBELL_BASE + DOORBELL_RESULT) = (u64)r;
  }
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
  case MAINT_DEVIRTUALIZE: return (struct sbiret){ devirtualize(f), 0 };
  case MAINT_HAND_OVER:
    if (state != VIRTUALIZED) return (struct sbiret){ SBI_ERR_DENIED, 0 };
    return (struct sbiret){ devices_hand_over(arg0, f->x[11], mv_instance_current()), 0 };
  }
  return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
}
