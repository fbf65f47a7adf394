/* The instance table and its state machine: the vendor functions 3..15 and the doorbell's causes
   3..7 (conformance/maintenance-sbi.md, "Instances"). Instance 0 is the OS that booted; instance 1
   is created from an image in the partition, started with the Linux boot protocol, shares the hart
   with instance 0 (sched.c) and may survive it: when one instance is left the Microvisor
   devirtualizes and the survivor runs dormant on the bare hart. */
#include "instance.h"
#include "devices.h"
#include "csr.h"
#include "platform.h"
#include "sbi.h"

struct instance instances[2];
/* The instance whose context is in the trap frame; a global symbol so that the host (`devirt boot
   --trace`) can name it. */
u64 mv_current_instance;
#define current mv_current_instance

/* The top of the partition holds instance 1's device tree; its initrd goes just below. */
#define FDT_AREA 0x10000UL
#define PAGE 0x1000UL
#define SHARE_DEFAULT 50

u64 instance_current(void) { return current; }
void instance_set_current(u64 id) { current = id; }

int instance_two_running(void)
{
  return instances[0].state == INST_RUNNING && (instances[1].state == INST_RUNNING || instances[1].state == INST_READY);
}

static int overlaps(u64 a, u64 alen, u64 b, u64 blen) { return a < b + blen && b < a + alen; }

int instance_owns(u64 id, u64 base, u64 len)
{
  u64 end = base + len;
  if (end < base || id > 1) return 0;
  const struct instance *in = &instances[id];
  if (base < in->mem_base || end > in->mem_base + in->mem_size) return 0;
  /* Instance 0's span is all of RAM; the firmware and the partition are not its. */
  if (id == 0 && (overlaps(base, len, FW_BASE, FW_SIZE) || overlaps(base, len, mv_layout.partition_base, mv_layout.partition_size))) return 0;
  return 1;
}

static u64 fdt_area(void) { return mv_layout.partition_base + mv_layout.partition_size - FDT_AREA; }
static u64 mtime_now(void) { return csr_read(time); }

void instances_boot(void)
{
  instances[0].state = INST_RUNNING;
  instances[0].mem_base = mv_layout.ram_base;
  instances[0].mem_size = mv_layout.ram_size;
  instances[0].devices = DEV_ALL;
  instances[0].share = 100;
  instances[1].mem_base = mv_layout.partition_base;
  instances[1].mem_size = mv_layout.partition_size;
}

void instances_virtualized(void)
{
  if (instances[1].state == INST_ABSENT) instances[current].share = 100;
  instances[current].slice_start = csr_read(mcycle);
}

static void clear_instance1(void)
{
  struct instance *in = &instances[1];
  u8 *p = (u8 *)in;
  for (u64 i = 0; i < sizeof *in; i++) p[i] = 0;
  in->mem_base = mv_layout.partition_base;
  in->mem_size = mv_layout.partition_size;
}

/* ---- create, initrd, bootargs ------------------------------------------------------------------ */

static long create_from(u64 pa, u64 len, int in_band)
{
  if (instances[1].state != INST_ABSENT) return SBI_ERR_ALREADY_AVAILABLE;
  if (!mv_layout.partition_size) return SBI_ERR_NO_SHMEM;
  if (in_band ? !instance_owns(0, pa, len) : !instance_owns(1, pa, len)) return SBI_ERR_INVALID_ADDRESS;
  u64 entry, end;
  long e = image_load((const u8 *)pa, len, mv_layout.partition_base, mv_layout.partition_size, fdt_area(), &entry, &end);
  if (e) return e;
  clear_instance1();
  instances[1].state = INST_CREATED;
  instances[1].entry = entry;
  instances[1].image_end = end;
  instances[1].share = SHARE_DEFAULT;
  return SBI_SUCCESS;
}

static void copy(u8 *dst, const u8 *src, u64 n)
{
  if (dst > src) while (n--) dst[n] = src[n];
  else for (u64 i = 0; i < n; i++) dst[i] = src[i];
}

/* Where an initrd of `len` bytes goes: page aligned, just below the device tree area. */
static long initrd_place(u64 len, u64 *start)
{
  u64 top = fdt_area();
  if (len > top - instances[1].image_end) return SBI_ERR_NO_SHMEM;
  u64 s = (top - len) & ~(PAGE - 1);
  if (s < instances[1].image_end) return SBI_ERR_NO_SHMEM;
  *start = s;
  return SBI_SUCCESS;
}

static long load_initrd(u64 pa, u64 len)
{
  if (current != 0 || instances[1].state != INST_CREATED) return SBI_ERR_DENIED;
  if (!instance_owns(0, pa, len)) return SBI_ERR_INVALID_ADDRESS;
  u64 start;
  long e = initrd_place(len, &start);
  if (e) return e;
  copy((u8 *)start, (const u8 *)pa, len);
  instances[1].initrd_start = start;
  instances[1].initrd_end = start + len;
  return SBI_SUCCESS;
}

static long bootargs_from(const char *s, u64 len)
{
  if (len > BOOTARGS_MAX) return SBI_ERR_INVALID_PARAM;
  for (u64 i = 0; i < len; i++) if (s[i] == 0) return SBI_ERR_INVALID_PARAM;
  for (u64 i = 0; i < len; i++) instances[1].bootargs[i] = s[i];
  instances[1].bootargs[len] = 0;
  instances[1].bootargs_len = len;
  return SBI_SUCCESS;
}

static long set_bootargs(u64 pa, u64 len)
{
  if (current != 0 || instances[1].state != INST_CREATED) return SBI_ERR_DENIED;
  if (!instance_owns(0, pa, len)) return SBI_ERR_INVALID_ADDRESS;
  return bootargs_from((const char *)pa, len);
}

/* The out-of-band create's optional descriptor (doorbell ARG2): an initrd and bootargs the host
   placed in the partition beside the image (reference/maintenance-image.ts writes it). */
struct maint_descriptor { u64 magic, initrd_pa, initrd_len, bootargs_pa, bootargs_len; };
#define MAINT_DESCRIPTOR_MAGIC 0x31544e49414d5644UL   /* "DVMAINT1" */

static long descriptor_apply(u64 pa)
{
  if (!instance_owns(1, pa, sizeof(struct maint_descriptor))) return SBI_ERR_INVALID_ADDRESS;
  const struct maint_descriptor *d = (const struct maint_descriptor *)pa;
  if (d->magic != MAINT_DESCRIPTOR_MAGIC) return SBI_ERR_INVALID_PARAM;
  if (d->bootargs_len) {
    if (!instance_owns(1, d->bootargs_pa, d->bootargs_len)) return SBI_ERR_INVALID_ADDRESS;
    long e = bootargs_from((const char *)d->bootargs_pa, d->bootargs_len);
    if (e) return e;
  }
  if (d->initrd_len) {
    u64 end = d->initrd_pa + d->initrd_len;
    if (!instance_owns(1, d->initrd_pa, d->initrd_len)) return SBI_ERR_INVALID_ADDRESS;
    if (d->initrd_pa < instances[1].image_end || end > fdt_area()) return SBI_ERR_NO_SHMEM;
    instances[1].initrd_start = d->initrd_pa;
    instances[1].initrd_end = end;
  }
  return SBI_SUCCESS;
}

/* ---- start ------------------------------------------------------------------------------------- */

static long start(u64 id)
{
  if (id > 1 || instances[id].state == INST_ABSENT) return SBI_ERR_INVALID_PARAM;
  if (instances[id].state != INST_CREATED) return SBI_ERR_ALREADY_STARTED;
  struct instance *in = &instances[1];
  u64 fdt = fdt_area();
  if (!fdt_instance_write((u8 *)fdt, FDT_AREA, in)) return SBI_ERR_NO_SHMEM;
  /* The Linux boot protocol: S-mode at the entry, a0 = hart id, a1 = device tree, satp = 0,
     SIE = 0; nothing else of the S context carries over from anybody. */
  struct s_context *c = &in->ctx;
  u8 *p = (u8 *)c;
  for (u64 i = 0; i < sizeof *c; i++) p[i] = 0;
  c->x[10] = 0;
  c->x[11] = fdt;
  c->pc = in->entry;
  c->mstatus = MSTATUS_MPP_S;
  c->stimecmp = ~0UL;
  in->state = INST_RUNNING;
  in->sleeping = 0;
  sched_start();
  return SBI_SUCCESS;
}

/* ---- retire, rollback, the survivor ------------------------------------------------------------ */

static void give_all_devices(u64 from, u64 to)
{
  for (u64 d = 0; d < DEV_COUNT; d++)
    if ((instances[from].devices >> d) & 1) {
      /* A device that will not quiesce still changes hands at retire: its owner is gone. */
      if (devices_hand_over(d, to) != SBI_SUCCESS) {
        instances[from].devices &= ~(1UL << d);
        instances[to].devices |= 1UL << d;
      }
    }
}

/* A survivor that was waiting in wfi when the other instance ended keeps waiting, as it would on
   a machine of its own: the wfi completes only when an interrupt is pending for it. Called last,
   once the machine is in its final state (virtualized alone or dormant). */
static void survivor_resume(int was_sleeping, struct trap_frame *f)
{
  if (was_sleeping) wait_for_guest_interrupt(f);
}

/* Returns whether instance 0 was asleep (for survivor_resume). */
static int retire1(struct trap_frame *f)
{
  int asleep = current == 1 && instances[0].sleeping;
  give_all_devices(1, 0);
  if (current == 1) sched_switch_to(0, f);
  u64 reason = instances[1].srst_reason;
  clear_instance1();
  instances[1].srst_reason = reason;
  instances[0].share = 100;
  sched_stop();
  pmp_apply(0);
  return asleep;
}

/* Instance 0 retires with instance 1 alive: instance 1 is the survivor and the Microvisor leaves
   it on the bare hart in exactly the dormant configuration, with its own PMP layout. */
static void retire0(struct trap_frame *f)
{
  int asleep = current == 0 && instances[1].sleeping;
  give_all_devices(0, 1);
  if (current == 0) sched_switch_to(1, f);
  instances[0].state = INST_ABSENT;
  instances[0].devices = 0;
  instances[1].share = 100;
  instances[1].watchdog = 0;
  sched_stop();
  pmp_apply(1);
  maintenance_devirtualize(f);
  survivor_resume(asleep, f);
}

static long retire(u64 id, struct trap_frame *f)
{
  if (id > 1 || instances[id].state == INST_ABSENT) return SBI_ERR_INVALID_PARAM;
  if (id == 1) { survivor_resume(retire1(f), f); return SBI_SUCCESS; }
  if (!instance_two_running()) return SBI_ERR_DENIED;   /* nobody would be left to run */
  retire0(f);
  return SBI_SUCCESS;
}

static long rollback(struct trap_frame *f)
{
  if (!maintenance_virtualized() || instances[1].state == INST_ABSENT || instances[0].state == INST_ABSENT) return SBI_ERR_DENIED;
  int asleep = retire1(f);
  maintenance_devirtualize(f);
  survivor_resume(asleep, f);
  return SBI_SUCCESS;
}

int instance_srst(u64 type, u64 reason, struct trap_frame *f)
{
  (void)type;
  if (!instance_two_running()) return 0;
  instances[current].srst_reason = reason;
  /* Instance 1 ending before instance 0 retired is a failed maintenance: roll back. */
  if (current == 1) rollback(f);
  else retire0(f);
  return 1;
}

void instance_watchdog_check(struct trap_frame *f)
{
  struct instance *in = &instances[1];
  if (in->watchdog && in->state == INST_RUNNING && mtime_now() >= in->watchdog) {
    in->watchdog = 0;
    rollback(f);
  }
}

/* ---- the rest of the functions ----------------------------------------------------------------- */

static long hand_over(u64 dev, u64 to, u64 from)
{
  if (dev >= DEV_COUNT || to > 1 || instances[to].state == INST_ABSENT) return SBI_ERR_INVALID_PARAM;
  if (!((instances[from].devices >> dev) & 1)) return SBI_ERR_DENIED;
  if (to == from) return SBI_SUCCESS;
  /* The layouts must still fit the PMP once it has moved. */
  instances[from].devices &= ~(1UL << dev); instances[to].devices |= 1UL << dev;
  int fits = pmp_fits(0) && pmp_fits(1);
  instances[to].devices &= ~(1UL << dev); instances[from].devices |= 1UL << dev;
  if (!fits) return SBI_ERR_FAILED;
  return devices_hand_over(dev, to);
}

static struct sbiret query(u64 id, u64 which)
{
  if (id > 1 || instances[id].state == INST_ABSENT) return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
  const struct instance *in = &instances[id];
  u64 v;
  switch (which) {
  case 0: v = in->state; break;
  case 1: v = in->share; break;
  case 2: v = id == 0 ? mv_layout.ram_base : in->mem_base; break;
  case 3: v = in->mem_size; break;
  case 4: v = in->devices; break;
  case 5: v = in->srst_reason; break;
  case 6: v = in->cycles + (id == current && maintenance_virtualized() ? csr_read(mcycle) - in->slice_start : 0); break;
  default: return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
  }
  return (struct sbiret){ SBI_SUCCESS, (long)v };
}

static long set_share(u64 id, u64 percent)
{
  if (id > 1 || instances[id].state == INST_ABSENT || percent < 1 || percent > 99) return SBI_ERR_INVALID_PARAM;
  if (instances[!id].state == INST_ABSENT) return SBI_ERR_INVALID_PARAM;
  instances[id].share = percent;
  instances[!id].share = 100 - percent;
  return SBI_SUCCESS;
}

static long set_watchdog(u64 id, u64 ticks)
{
  /* Only instance 1 has a watchdog: its expiry rolls back (instance 0 is the one to fall back to). */
  if (id != 1 || instances[1].state == INST_ABSENT) return SBI_ERR_INVALID_PARAM;
  instances[1].watchdog = ticks ? mtime_now() + ticks : 0;
  sched_arm();
  return SBI_SUCCESS;
}

#define OK(v) ((struct sbiret){ SBI_SUCCESS, (long)(v) })
#define ERR(e) ((struct sbiret){ (e), 0 })

struct sbiret instance_call(u64 fid, struct trap_frame *f)
{
  u64 a0 = f->x[10], a1 = f->x[11], a2 = f->x[12];
  if (fid == MAINT_QUERY) return query(a0, a1);
  if (fid == MAINT_SELF) return OK(current);
  if (fid < MAINT_CREATE || fid > MAINT_SET_WATCHDOG) return ERR(SBI_ERR_NOT_SUPPORTED);
  if (!maintenance_virtualized()) return ERR(SBI_ERR_DENIED);
  switch (fid) {
  case MAINT_CREATE:
    if (current != 0) return ERR(SBI_ERR_DENIED);
    if (a2 != 0) return ERR(SBI_ERR_INVALID_PARAM);
    return ERR(create_from(a0, a1, 1));
  case MAINT_START: return current != 0 ? ERR(SBI_ERR_DENIED) : ERR(start(a0));
  case MAINT_SET_SHARE: return current != 0 ? ERR(SBI_ERR_DENIED) : ERR(set_share(a0, a1));
  case MAINT_HAND_OVER: return ERR(hand_over(a0, a1, current));
  case MAINT_RETIRE: return ERR(retire(a0, f));
  case MAINT_ROLLBACK: return ERR(rollback(f));
  case MAINT_READY:
    if (current != 1) return ERR(SBI_ERR_DENIED);
    instances[1].state = INST_READY;
    instances[1].watchdog = 0;
    return OK(0);
  case MAINT_YIELD: sched_yield(f); return OK(0);
  case MAINT_LOAD_INITRD: return ERR(load_initrd(a0, a1));
  case MAINT_SET_BOOTARGS: return ERR(set_bootargs(a0, a1));
  case MAINT_SET_WATCHDOG: return current != 0 ? ERR(SBI_ERR_DENIED) : ERR(set_watchdog(a0, a1));
  }
  return ERR(SBI_ERR_NOT_SUPPORTED);
}

long instance_doorbell(u32 cause, u64 a0, u64 a1, u64 a2, struct trap_frame *f)
{
  if (!maintenance_virtualized()) return SBI_ERR_DENIED;
  switch (cause) {
  case DOORBELL_CAUSE_CREATE: {
    long e = create_from(a0, a1, 0);
    if (e == SBI_SUCCESS && a2 && (e = descriptor_apply(a2)) != SBI_SUCCESS) clear_instance1();
    return e;
  }
  case DOORBELL_CAUSE_START: return start(a0);
  case DOORBELL_CAUSE_HAND_OVER:
    if (a0 >= DEV_COUNT) return SBI_ERR_INVALID_PARAM;
    return hand_over(a0, a1, (instances[0].devices >> a0) & 1 ? 0 : 1);
  case DOORBELL_CAUSE_RETIRE: return retire(a0, f);
  case DOORBELL_CAUSE_ROLLBACK: return rollback(f);
  }
  return SBI_ERR_NOT_SUPPORTED;
}
