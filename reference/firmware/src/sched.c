/* Sharing the hart (conformance/maintenance-sbi.md, "Sharing the hart"). While two instances run,
   a 2 ms period is divided by their shares; the M timer ends a slice, and a world switch saves the
   whole S and U context of one instance and loads the other's, PMP layout included. mstatus.TW is
   set, so a wfi in S traps here (illegal instruction, which is kept from S-mode while two run and
   reflected to S when it is anything else) and yields the rest of the slice; the M timer also
   fires at the sleeping instance's stimecmp deadline, so it is woken on time. With one instance
   (virtualized alone) the M timer only ticks every SLICE_TICKS for the accounting, as before. */
#include "instance.h"
#include "devices.h"
#include "csr.h"
#include "platform.h"
#include "sbi.h"

#define PERIOD_TICKS (2 * TIMEBASE / 1000)   /* 2 ms */
#define INSN_WFI 0x10500073U
/* The sstatus bits that are an instance's own, and MPP: the mode it was in when it left. */
#define CTX_MSTATUS (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR | (3UL << 13) | MSTATUS_MPP)
#define DELEG_ILLEGAL (1UL << EXC_ILLEGAL)

static u64 slice_end;          /* mtime at which the current slice ends */
static u64 tick_deadline;      /* single instance: the next accounting tick */
static u64 switches;
static int yielding;   /* the switch in progress: 0 slice end, 1 a yield, 2 a wake after both waited (accounting) */

u64 sched_world_switches(void) { return switches; }
/* The time CSR, not the CLINT's mtime register: the same clock, without an MMIO access. */
static u64 mtime_now(void) { return csr_read(time); }
static u64 slice_of(u64 id) { return PERIOD_TICKS * instances[id].share / 100; }

/* One 64-bit store: on RV64 the comparator sees the whole new deadline at once. */
static void mtimecmp_write(u64 deadline) { *(volatile u64 *)CLINT_MTIMECMP = deadline; }

void sched_arm(void)
{
  u64 d;
  if (instance_two_running()) {
    d = slice_end;
    const struct instance *other = &instances[!instance_current()];
    if (other->sleeping && other->ctx.stimecmp < d) d = other->ctx.stimecmp;
  } else d = tick_deadline;
  if (instances[1].watchdog && instances[1].watchdog < d) d = instances[1].watchdog;
  mtimecmp_write(d);
}

/* A single instance's accounting tick (the firmware's time slice while virtualized alone). */
u64 sched_tick_arm(void)
{
  tick_deadline = mtime_now() + SLICE_TICKS;
  sched_arm();
  return tick_deadline;
}

void sched_start(void)
{
  /* Illegal instructions come to M, where a wfi is told from the rest (sched_illegal). */
  csr_clear(medeleg, DELEG_ILLEGAL);
  csr_set(mstatus, MSTATUS_TW);
  u64 cur = instance_current();
  /* The PLIC's S context is shared from now on: emulated, and denied by the running layout. */
  plic_emul_begin();
  pmp_apply(cur);
  instances[!cur].slice_start = 0;
  slice_end = mtime_now() + slice_of(cur);
  sched_arm();
}

void sched_stop(void)
{
  plic_emul_end(instance_current());   /* the callers apply the survivor's PMP layout */
  csr_clear(mstatus, MSTATUS_TW);
  csr_set(medeleg, DELEG_ILLEGAL);
  instances[0].sleeping = instances[1].sleeping = 0;
  sched_tick_arm();
}

static void save(struct s_context *c, struct trap_frame *f)
{
  for (int i = 1; i < 32; i++) c->x[i] = f->x[i];
  c->pc = csr_read(mepc);
  c->mstatus = csr_read(mstatus) & CTX_MSTATUS;
  c->sie = csr_read(sie);
  c->sip_soft = csr_read(mip) & MIP_SSIP;
  c->stvec = csr_read(stvec);
  c->sscratch = csr_read(sscratch);
  c->sepc = csr_read(sepc);
  c->scause = csr_read(scause);
  c->stval = csr_read(stval);
  c->satp = csr_read(satp);
  c->stimecmp = csr_read(stimecmp);
  c->senvcfg = csr_read(senvcfg);
  c->scounteren = csr_read(scounteren);
}

static void load(const struct s_context *c, struct trap_frame *f)
{
  for (int i = 1; i < 32; i++) f->x[i] = c->x[i];
  csr_write(mepc, c->pc);
  csr_clear(mstatus, CTX_MSTATUS);
  csr_set(mstatus, c->mstatus);
  csr_write(sie, c->sie);
  if (c->sip_soft & MIP_SSIP) csr_set(mip, MIP_SSIP); else csr_clear(mip, MIP_SSIP);
  csr_write(stvec, c->stvec);
  csr_write(sscratch, c->sscratch);
  csr_write(sepc, c->sepc);
  csr_write(scause, c->scause);
  csr_write(stval, c->stval);
  csr_write(satp, c->satp);
  csr_write(stimecmp, c->stimecmp);
  csr_write(senvcfg, c->senvcfg);
  csr_write(scounteren, c->scounteren);
}

void sched_switch_to(u64 id, struct trap_frame *f)
{
  u64 from = instance_current();
  if (from == id) return;
  u64 now = csr_read(mcycle);
  if (instances[from].state != INST_ABSENT) {
    instances[from].cycles += now - instances[from].slice_start;
    save(&instances[from].ctx, f);
  }
  load(&instances[id].ctx, f);
  instance_set_current(id);
  plic_emul_switch(id);
  pmp_apply(id);   /* sfence.vma included */
  instances[id].slice_start = now;
  instances[id].sleeping = 0;
  slice_end = mtime_now() + slice_of(id);
  switches++;
  mv_stats.world_switches++;
  if (!f->transition) f->transition = 3 + yielding;
  sched_arm();
}

/* Would a descheduled instance take an interrupt now? A sleeper wakes at its timer deadline or a
   software interrupt (wfi may end for any reason, so the enables need not be consulted). */
static int wants_to_run_at(u64 id, u64 now)
{
  const struct instance *in = &instances[id];
  if (!in->sleeping) return 1;
  return (in->ctx.sip_soft & MIP_SSIP) || now >= in->ctx.stimecmp || plic_emul_pending(id);
}
static int wants_to_run(u64 id) { return wants_to_run_at(id, mtime_now()); }

void sched_timer(struct trap_frame *f)
{
  mv_stats.slice_ticks++;
  instance_watchdog_check(f);
  if (!instance_two_running()) {
    if (mtime_now() >= tick_deadline) sched_tick_arm(); else sched_arm();
    return;
  }
  u64 cur = instance_current(), other = !cur, now = mtime_now();
  int other_wants = wants_to_run_at(other, now);
  if ((instances[other].sleeping && other_wants) || now >= slice_end) {
    if (other_wants) { sched_switch_to(other, f); return; }
    slice_end = now + slice_of(cur);   /* nobody else to run: a new slice */
  }
  sched_arm();
}

void sched_yield(struct trap_frame *f)
{
  yielding = 1;
  if (instance_two_running() && wants_to_run(!instance_current())) sched_switch_to(!instance_current(), f);
  yielding = 0;
}

/* The current instance waits for an interrupt; `advance` is how far its pc moves when the wait is
   over (4 for a trapped wfi, 0 for an SBI call, whose return the trap handler makes). */
void sched_wait(struct trap_frame *f, u64 advance)
{
  u64 cur = instance_current();
  for (int waited = 0;; waited = 1) {
    u64 pending = csr_read(mip) & csr_read(mie);
    if (pending & (MIP_SSIP | MIP_STIP | MIP_SEIP)) { csr_write(mepc, csr_read(mepc) + advance); return; }
    if (wants_to_run(!cur)) {
      csr_write(mepc, csr_read(mepc) + advance);
      instances[cur].sleeping = 1;
      /* Accounted as a yield only when the switch came at once (not after both waited). */
      yielding = waited ? 2 : 1;
      sched_switch_to(!cur, f);
      yielding = 0;
      instances[cur].sleeping = 1;
      sched_arm();
      return;
    }
    /* Both wait: the M timer is armed for the other's deadline (sched_arm), the S interrupts of
       this one are in mie; a doorbell may change who runs, so its wfi is re-executed after it. */
    asm volatile("wfi");
    pending = csr_read(mip) & csr_read(mie);
    if (pending & (1UL << IRQ_DOORBELL)) { doorbell_interrupt(f); return; }
    if (pending & MIP_MTIP) {
      instance_watchdog_check(f);
      if (!instance_two_running() || instance_current() != cur) return;
      if (mtime_now() >= slice_end) slice_end = mtime_now() + slice_of(cur);
      sched_arm();
    }
  }
}

/* Illegal instruction while two run (medeleg keeps it from S then): a wfi in S yields; anything
   else is delivered to S exactly as the delegated trap would have been. */
int sched_illegal(struct trap_frame *f)
{
  u64 ms = csr_read(mstatus), tval = csr_read(mtval);
  if ((ms & MSTATUS_MPP) == MSTATUS_MPP_S && (u32)tval == INSN_WFI) { sched_wait(f, 4); return 1; }
  csr_write(scause, EXC_ILLEGAL);
  csr_write(stval, tval);
  csr_write(sepc, csr_read(mepc));
  u64 spp = (ms & MSTATUS_MPP) == MSTATUS_MPP_S ? MSTATUS_SPP : 0;
  u64 spie = (ms & MSTATUS_SIE) ? MSTATUS_SPIE : 0;
  ms &= ~(MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE | MSTATUS_MPP);
  ms |= spp | spie | MSTATUS_MPP_S;
  csr_write(mstatus, ms);
  csr_write(mepc, csr_read(stvec) & ~3UL);
  return 1;
}
