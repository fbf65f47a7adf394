/* Overhead workloads: each prints "ready", spins through a warm-up (where the gate schedules its
   maintenance events), prints "begin", runs its measured phase, prints "end", then its result.
   The gate (ci/gate.ts) times the stretch between "begin" and "end". */
#ifndef WORKLOAD_H
#define WORKLOAD_H
#include "guest.h"

void workload_setup(void);
u64 workload_run(void);

static inline void warm_up(void)
{
  for (volatile u64 i = 0; i < 20000; i++) {}
}
#endif
