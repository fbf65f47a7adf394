/* What the isolation guests share: the attack plan read from the kernel command line
   (/chosen/bootargs of the device tree each instance is booted with), and the maintenance
   functions of conformance/maintenance-sbi.md. */
#ifndef ISO_H
#define ISO_H
#include "guest.h"

/* Maintenance function ids (conformance/maintenance-sbi.md "Functions"). */
#define M_VIRTUALIZE 1
#define M_CREATE 3
#define M_START 4
#define M_QUERY 5
#define M_SET_SHARE 6
#define M_HAND_OVER 7
#define M_RETIRE 8
#define M_READY 10
#define M_SELF 11
#define M_YIELD 12
#define M_LOAD_INITRD 13
#define M_SET_BOOTARGS 14
#define M_SET_WATCHDOG 15

/* Instance states (query(id, 0)). */
#define ST_ABSENT 0
#define ST_READY 3

static inline struct sbiret maint(u64 fid, u64 a0, u64 a1, u64 a2) { return sbi_call(EXT_MAINT, fid, a0, a1, a2); }
static inline u64 instance_state(u64 id) { return maint(M_QUERY, id, 0, 0).value; }
static inline void yield_slice(void) { maint(M_YIELD, 0, 0, 0); }

/* The command line, copied out of the device tree (which an attack may overwrite). */
extern char bootargs[1025];
extern u64 bootargs_len;
void bootargs_read(void);
/* The next space-separated token of the command line from *pos, NUL-terminated in `out`. */
int next_token(u64 *pos, char *out, u64 cap);
int token_is(const char *tok, const char *word);
/* Hexadecimal fields of a token "op:a:b:c": field n (1-based), or `dflt` when absent. */
u64 token_field(const char *tok, int n, u64 dflt);

/* The other instance's image, when this one carries it (blob.S). */
extern const u8 blob_start[], blob_end[];
#endif
