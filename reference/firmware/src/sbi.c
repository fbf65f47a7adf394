/* The standard SBI 2.0 extensions for a single-hart platform: BASE, TIME (Sstc), IPI, RFENCE,
   HSM, SRST, DBCN, and the legacy console calls. While two instances share the hart each call acts
   on the caller's own view: its stimecmp, its sip, its memory, its console; SRST and hart_stop end
   the caller only (instance.c). */
#include "microvisor.h"
#include "csr.h"
#include "platform.h"
#include "sbi.h"
#include "instance.h"

#define SBI_SPEC_VERSION ((2UL << 24) | 0)

static struct sbiret ok(long value) { return (struct sbiret){ SBI_SUCCESS, value }; }
static struct sbiret err(long e) { return (struct sbiret){ e, 0 }; }

void system_finish(u32 value)
{
  mmio_write32(TEST_BASE, value);
  for (;;) asm volatile("wfi");
}

static int extension_present(u64 eid)
{
  switch (eid) {
  case SBI_EXT_LEGACY_SET_TIMER: case SBI_EXT_LEGACY_PUTCHAR: case SBI_EXT_LEGACY_GETCHAR:
  case SBI_EXT_BASE: case SBI_EXT_TIME: case SBI_EXT_IPI: case SBI_EXT_RFENCE:
  case SBI_EXT_HSM: case SBI_EXT_SRST: case SBI_EXT_DBCN: case SBI_EXT_MAINTENANCE:
    return 1;
  }
  return 0;
}

static struct sbiret base(u64 fid, u64 a0)
{
  switch (fid) {
  case 0: return ok(SBI_SPEC_VERSION);
  case 1: return ok(MV_IMPL_ID);
  case 2: return ok(MV_IMPL_VERSION);
  case 3: return ok(extension_present(a0));
  case 4: return ok(csr_read(mvendorid));
  case 5: return ok(csr_read(marchid));
  case 6: return ok(csr_read(mimpid));
  }
  return err(SBI_ERR_NOT_SUPPORTED);
}

/* Sstc is enabled for S (dormant configuration), so the supervisor timer is stimecmp: writing it
   also clears a pending STIP when the time is in the future, as set_timer requires. */
static void set_timer(u64 when) { csr_write(stimecmp, when); }

/* Hart masks name hart 0 only: bit 0 of the mask at base 0, or base -1 for every hart. */
static long hart_mask_valid(u64 mask, u64 base)
{
  if (base == (u64)-1) return 1;
  if (base != 0 || (mask & ~1UL)) return -1;
  return mask & 1;
}

static struct sbiret ipi(u64 fid, u64 mask, u64 base)
{
  if (fid != 0) return err(SBI_ERR_NOT_SUPPORTED);
  long v = hart_mask_valid(mask, base);
  if (v < 0) return err(SBI_ERR_INVALID_PARAM);
  if (v) csr_set(mip, MIP_SSIP);
  return ok(0);
}

static struct sbiret rfence(u64 fid, u64 mask, u64 base)
{
  if (fid > 6) return err(SBI_ERR_NOT_SUPPORTED);
  if (fid >= 3) return err(SBI_ERR_NOT_SUPPORTED); /* the hypervisor fences: no H extension */
  long v = hart_mask_valid(mask, base);
  if (v < 0) return err(SBI_ERR_INVALID_PARAM);
  if (v) {
    if (fid == 0) asm volatile("fence.i" ::: "memory");
    else asm volatile("sfence.vma" ::: "memory");
  }
  return ok(0);
}

#define HSM_STARTED 0
#define HSM_SUSPEND_RETENTIVE 0x0
#define HSM_SUSPEND_NON_RETENTIVE 0x80000000UL

static struct sbiret hsm(u64 fid, struct trap_frame *f)
{
  u64 hart = f->x[10];
  switch (fid) {
  case 0: /* hart_start: the only hart is running */
    return err(hart == 0 ? SBI_ERR_ALREADY_AVAILABLE : SBI_ERR_INVALID_PARAM);
  case 1: /* hart_stop: the last hart stops, so the machine is idle for good */
    if (instance_srst(0, 0, f)) return ok(0);   /* with two instances: the caller's only */
    csr_write(mie, 0);
    for (;;) asm volatile("wfi");
  case 2:
    return hart == 0 ? ok(HSM_STARTED) : err(SBI_ERR_INVALID_PARAM);
  case 3: { /* hart_suspend(type, resume_addr, opaque) */
    u64 type = f->x[10];
    if (type == HSM_SUSPEND_RETENTIVE) {
      wait_for_guest_interrupt(f);
      return ok(0);
    }
    if (type == HSM_SUSPEND_NON_RETENTIVE) {
      u64 resume = f->x[11], opaque = f->x[12];
      if (!pmp_guest_may_access(resume, 4)) return err(SBI_ERR_INVALID_ADDRESS);
      /* Resume in S-mode at resume_addr, a0 = hartid, a1 = opaque, satp = 0, SIE = 0: set before
         the wait, which may save this context while the other instance runs. */
      csr_write(satp, 0);
      csr_clear(sstatus, MSTATUS_SIE);
      csr_write(mepc, resume - 4); /* the ecall return adds 4 */
      wait_for_guest_interrupt(f);
      /* The caller stores error and value in a0 and a1: here they are hartid and opaque. */
      return (struct sbiret){ (long)csr_read(mhartid), (long)opaque };
    }
    return err(SBI_ERR_INVALID_PARAM);
  }
  }
  return err(SBI_ERR_NOT_SUPPORTED);
}

static struct sbiret srst(u64 fid, u64 type, u64 reason, struct trap_frame *f)
{
  if (fid != 0) return err(SBI_ERR_NOT_SUPPORTED);
  if (type > 2 && type < 0xF0000000UL) return err(SBI_ERR_INVALID_PARAM);
  if (reason > 1 && reason < 0xE0000000UL) return err(SBI_ERR_INVALID_PARAM);
  if (type >= 0xF0000000UL) return err(SBI_ERR_NOT_SUPPORTED);
  /* While another instance lives this ends the caller only, as retire(self). */
  if (instance_srst(type, reason, f)) return ok(0);
  if (type == 0) system_finish(reason == 0 ? FINISHER_PASS : ((u32)reason << 16) | FINISHER_FAIL);
  system_finish(FINISHER_RESET);
}

static struct sbiret dbcn(u64 fid, u64 a0, u64 a1, u64 a2)
{
  switch (fid) {
  case 0: { /* write(num_bytes, base_lo, base_hi) */
    if (a2 != 0 || !pmp_guest_may_access(a1, a0)) return err(SBI_ERR_INVALID_PARAM);
    const char *p = (const char *)a1;
    u64 id = instance_current();
    for (u64 i = 0; i < a0; i++) console_putc_instance(id, p[i]);
    return ok(a0);
  }
  case 1: { /* read(num_bytes, base_lo, base_hi) */
    if (a2 != 0 || !pmp_guest_may_access(a1, a0)) return err(SBI_ERR_INVALID_PARAM);
    char *p = (char *)a1;
    u64 n = 0;
    /* Instance 1's console channel has no input. */
    if (instance_current() == 0 || !console_has_doorbell)
      for (int c; n < a0 && (c = console_getc()) >= 0; n++) p[n] = (char)c;
    return ok(n);
  }
  case 2:
    console_putc_instance(instance_current(), (char)a0);
    return ok(0);
  }
  return err(SBI_ERR_NOT_SUPPORTED);
}

struct sbiret sbi_dispatch(struct trap_frame *f)
{
  u64 eid = f->x[17], fid = f->x[16];
  u64 a0 = f->x[10], a1 = f->x[11], a2 = f->x[12];
  mv_stats.sbi_calls++;
  switch (eid) {
  case SBI_EXT_BASE: return base(fid, a0);
  case SBI_EXT_TIME: return fid == 0 ? (set_timer(a0), ok(0)) : err(SBI_ERR_NOT_SUPPORTED);
  case SBI_EXT_IPI: return ipi(fid, a0, a1);
  case SBI_EXT_RFENCE: return rfence(fid, a0, a1);
  case SBI_EXT_HSM: return hsm(fid, f);
  case SBI_EXT_SRST: return srst(fid, a0, a1, f);
  case SBI_EXT_DBCN: return dbcn(fid, a0, a1, a2);
  case SBI_EXT_MAINTENANCE: return maintenance_call(fid, a0, f);
  /* Legacy extensions return their result in a0 alone; a1 is preserved. */
  case SBI_EXT_LEGACY_SET_TIMER: set_timer(a0); return (struct sbiret){ 0, (long)a1 };
  case SBI_EXT_LEGACY_PUTCHAR: console_putc_instance(instance_current(), (char)a0); return (struct sbiret){ 0, (long)a1 };
  case SBI_EXT_LEGACY_GETCHAR: return (struct sbiret){ console_getc(), (long)a1 };
  }
  return err(SBI_ERR_NOT_SUPPORTED);
}
