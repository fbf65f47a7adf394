/* The maintenance extension's functions and errors, as the instance guests call them. */
#ifndef INSTANCES_H
#define INSTANCES_H
#include "guest.h"

enum { M_STATUS, M_VIRTUALIZE, M_DEVIRTUALIZE, M_CREATE, M_START, M_QUERY, M_SET_SHARE, M_HAND_OVER,
       M_RETIRE, M_ROLLBACK, M_READY, M_SELF, M_YIELD, M_LOAD_INITRD, M_SET_BOOTARGS, M_SET_WATCHDOG };

static inline struct sbiret maint(u64 fid, u64 a0, u64 a1, u64 a2) { return sbi_call(EXT_MAINT, fid, a0, a1, a2); }
/* "name err value" into the signature. */
static inline struct sbiret sig_maint(const char *what, u64 fid, u64 a0, u64 a1, u64 a2)
{
  struct sbiret r = maint(fid, a0, a1, a2);
  sig_str(what); sig_str(" "); sig_dec(-r.error); sig_str(" "); sig_hex(r.value); sig_str("\n");
  return r;
}
#endif
