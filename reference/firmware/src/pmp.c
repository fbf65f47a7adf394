/* The PMP layouts, one per instance. Instance 0's layout is the one set at boot, and dormant and
   virtualized deny it exactly the same things (the firmware, the M timer and software interrupt in
   the CLINT, the PLIC's machine context, the doorbell, the IOPMP, and the maintenance partition),
   which is what makes the transitions invisible; handing a device away adds a deny entry for its
   window, and while two instances share the hart the whole PLIC is denied (it is emulated).
   Instance 1's layout is an allow list: its partition, the PLIC (less the machine context; not
   while it is emulated) and the windows of the devices it owns; everything else matches no entry and is denied to S and U.
   The world switch writes the next instance's layout (sched.c). Entries match lowest first. */
#include "microvisor.h"
#include "platform.h"
#include "instance.h"
#include "devices.h"

#define PMP_R 0x01
#define PMP_W 0x02
#define PMP_X 0x04
#define PMP_OFF   0x00
#define PMP_TOR   0x08
#define PMP_NA4   0x10
#define PMP_NAPOT 0x18
#define PMP_ENTRIES 16
/* The PLIC's window rounded up to a power of two for one NAPOT entry (nothing else lives there). */
#define PLIC_WINDOW 0x800000UL

static u64 napot(u64 base, u64 size) { return (base | (size / 2 - 1)) >> 2; }

struct layout { u64 addr[PMP_ENTRIES]; u8 cfg[PMP_ENTRIES]; int n; };

static int add(struct layout *l, u64 addr, u8 cfg)
{
  if (l->n >= PMP_ENTRIES) return -1;
  l->addr[l->n] = addr; l->cfg[l->n] = cfg; l->n++;
  return 0;
}

static int add_range(struct layout *l, u64 base, u64 size, u8 perm)
{
  if ((size & (size - 1)) == 0 && (base & (size - 1)) == 0) return add(l, napot(base, size), PMP_NAPOT | perm);
  if (add(l, base >> 2, PMP_OFF) < 0) return -1;
  return add(l, (base + size) >> 2, PMP_TOR | perm);
}

/* Windows of the devices in `set` with permission `perm`: the RTC's page, and runs of consecutive
   pages in the UART + virtio block (0x10000000: the UART's page, then slots 0..7). */
static int add_devices(struct layout *l, u64 set, u8 perm)
{
  if ((set >> DEV_RTC) & 1) if (add_range(l, RTC_BASE, DEVICE_WINDOW, perm) < 0) return -1;
  for (u64 page = 0; page <= VIRTIO_COUNT;) {
    u64 dev = page == 0 ? DEV_UART : DEV_VIRTIO0 + page - 1;
    if (!((set >> dev) & 1)) { page++; continue; }
    u64 first = page;
    while (page <= VIRTIO_COUNT && ((set >> (page == 0 ? DEV_UART : DEV_VIRTIO0 + page - 1)) & 1)) page++;
    if (add_range(l, UART0_BASE + first * DEVICE_WINDOW, (page - first) * DEVICE_WINDOW, perm) < 0) return -1;
  }
  return 0;
}

static int build(struct layout *l, u64 id)
{
  l->n = 0;
  const struct instance *in = &instances[id];
  if (id == 0) {
    add(l, napot(FW_BASE, FW_SIZE), PMP_NAPOT);
    add(l, napot(CLINT_BASE, CLINT_SIZE), PMP_NAPOT);
    /* While two instances share the hart the PLIC is emulated (plic_emul.c): all of it faults
       (which covers its machine context too); otherwise only the machine context does. */
    if (plic_emul_active()) add(l, napot(PLIC_BASE, PLIC_WINDOW), PMP_NAPOT);
    else {
      add(l, napot(PLIC_M_ENABLE, PLIC_M_ENABLE_SIZE), PMP_NAPOT);
      add(l, napot(PLIC_M_CONTEXT, PLIC_M_CONTEXT_SIZE), PMP_NAPOT);
    }
    add(l, napot(DOORBELL_BASE, DOORBELL_SIZE), PMP_NAPOT);
    add(l, napot(IOPMP_BASE, IOPMP_SIZE), PMP_NAPOT);   /* only the firmware programs device DMA */
    if (mv_layout.partition_size) {
      add(l, mv_layout.partition_base >> 2, PMP_OFF);
      add(l, (mv_layout.partition_base + mv_layout.partition_size) >> 2, PMP_TOR);
    }
    if (add_devices(l, DEV_ALL & ~in->devices, 0) < 0) return -1;
    return add(l, ~0UL, PMP_NAPOT | PMP_R | PMP_W | PMP_X);
  }
  /* The PLIC but its machine context, unless it is emulated (then it matches nothing: denied). */
  if (!plic_emul_active()) {
    add(l, napot(PLIC_M_ENABLE, PLIC_M_ENABLE_SIZE), PMP_NAPOT);
    add(l, napot(PLIC_M_CONTEXT, PLIC_M_CONTEXT_SIZE), PMP_NAPOT);
    add(l, napot(PLIC_BASE, PLIC_WINDOW), PMP_NAPOT | PMP_R | PMP_W);
  }
#ifdef BUG_PMP_OFF_BY_PAGE
  /* Deliberate isolation bug (negative test): instance 1's memory entry ends one page too high,
     over the first page of instance 0's memory above the partition. */
  if (add_range(l, in->mem_base, in->mem_size + 0x1000, PMP_R | PMP_W | PMP_X) < 0) return -1;
#else
  if (add_range(l, in->mem_base, in->mem_size, PMP_R | PMP_W | PMP_X) < 0) return -1;
#endif
  return add_devices(l, in->devices, PMP_R | PMP_W);
}

#define SET_PMPADDR(n) case n: asm volatile("csrw pmpaddr" #n ", %0" :: "r"(v)); break
static void write_addr(int i, u64 v)
{
  switch (i) {
  SET_PMPADDR(0); SET_PMPADDR(1); SET_PMPADDR(2); SET_PMPADDR(3); SET_PMPADDR(4); SET_PMPADDR(5);
  SET_PMPADDR(6); SET_PMPADDR(7); SET_PMPADDR(8); SET_PMPADDR(9); SET_PMPADDR(10); SET_PMPADDR(11);
  SET_PMPADDR(12); SET_PMPADDR(13); SET_PMPADDR(14); SET_PMPADDR(15);
  }
}

/* Can id's layout be written with the entries there are? (A handoff that would not fit fails.) */
int pmp_fits(u64 id) { struct layout l; return build(&l, id) == 0; }

/* Each instance's layout is built once per ownership change and kept, so that a world switch
   only writes the registers. */
struct written { u64 devices, mem_base, mem_size, cfg0, cfg2, addr[PMP_ENTRIES]; int n, valid, plic; };
static struct written cache[2];
static int in_force = PMP_ENTRIES;   /* entries the layout in force uses (all, until the first) */

void pmp_apply(u64 id)
{
  struct written *w = &cache[id];
  const struct instance *in = &instances[id];
  if (!w->valid || w->devices != in->devices || w->mem_base != in->mem_base || w->mem_size != in->mem_size
      || w->plic != plic_emul_active()) {
    struct layout l;
    if (build(&l, id) < 0) fw_panic("PMP layout does not fit", id, in->devices);
    w->cfg0 = w->cfg2 = 0;
    for (int i = 0; i < PMP_ENTRIES; i++) {
      u64 c = i < l.n ? l.cfg[i] : 0;
      w->addr[i] = i < l.n ? l.addr[i] : 0;
      if (i < 8) w->cfg0 |= c << (8 * i); else w->cfg2 |= c << (8 * (i - 8));
    }
    w->n = l.n;
    w->devices = in->devices; w->mem_base = in->mem_base; w->mem_size = in->mem_size; w->valid = 1;
    w->plic = plic_emul_active();   /* the PLIC is denied while it is emulated */
  }
  /* Only the entries either layout uses are written (the rest are off in both); pmpcfg2 only
     when either uses entries 8..15. */
  int n = w->n > in_force ? w->n : in_force;
  for (int i = 0; i < n; i++) write_addr(i, w->addr[i]);
  asm volatile("csrw pmpcfg0, %0" :: "r"(w->cfg0));
  if (n > 8) asm volatile("csrw pmpcfg2, %0" :: "r"(w->cfg2));
  in_force = w->n;
  asm volatile("sfence.vma" ::: "memory");
}

void pmp_configure(void) { pmp_apply(0); }

/* May the current instance touch [base, base + len) of its RAM? For the addresses SBI calls pass. */
int pmp_guest_may_access(u64 base, u64 len)
{
#ifdef BUG_SBI_BUFFER_UNCHECKED
  /* Deliberate isolation bug (negative test): only the buffer's first byte is checked. */
  (void)len;
  return instance_owns(instance_current(), base, 1);
#else
  return instance_owns(instance_current(), base, len);
#endif
}
