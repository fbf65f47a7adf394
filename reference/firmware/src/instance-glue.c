/* The instance facts devices.c, iopmp.c and plic_emul.c need (devices.h), for a firmware with
   one instance: instance 0 is the running OS, the only one, and its memory is what PMP leaves
   it (RAM but the maintenance partition; the firmware is guarded separately). The instance
   machinery (instance.c) replaces this file when a second instance can exist. */
#include "devices.h"
#include "csr.h"

int mv_instance_current(void) { return 0; }
int mv_instance_present(int id) { return id == 0; }
int mv_instances_sharing(void) { return 0; }

int mv_instance_memory(int id, u64 base[2], u64 size[2])
{
  if (id != 0) return 0;
  u64 end = mv_layout.ram_base + mv_layout.ram_size;
  if (!mv_layout.partition_size) { base[0] = mv_layout.ram_base; size[0] = mv_layout.ram_size; return 1; }
  u64 pend = mv_layout.partition_base + mv_layout.partition_size;
  base[0] = mv_layout.ram_base; size[0] = mv_layout.partition_base - mv_layout.ram_base;
  base[1] = pend; size[1] = end - pend;
  return 2;
}

void mv_instance_raise_ssip(int id) { if (id == 0) csr_set(mip, MIP_SSIP); }
void mv_instance_pmp_changed(int id) { (void)id; }
void mv_instance_wake(int id) { (void)id; }
