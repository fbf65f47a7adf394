/* The victim of the isolation suite: it fills a vault with a known pattern, lets the other instance
   run (yielding its time slice between rounds), checks and changes the vault, and prints a
   signature that must be the same as when it runs alone (conformance/isolation.md). Nothing in it
   depends on where it is linked, so the build at 0x80200000 (instance 0) and the build in the
   maintenance partition (instance 1) print the same text.
   Built with LAUNCHER (instance 0, "spawn" on its command line), it also starts the adversary as
   instance 1 from the image it carries, passing its own command line on (the attack plan). */
#include "iso.h"

#define VAULT_WORDS 1024
#define ROUNDS 4
#define WAIT_YIELDS 24

u64 vault[VAULT_WORDS] __attribute__((aligned(4096)));
extern const u8 _start[], __bss_start[];

static u64 mix(u64 x) { x ^= x >> 31; x *= 0x9e3779b97f4a7c15UL; x ^= x >> 29; return x; }
static u64 pattern(u64 i, u64 gen) { return mix(i * 0x100000001b3UL + gen * 0x51ed270b27ULL + 0x5eed); }
static u64 hash_words(const u64 *p, u64 n) { u64 h = 0xcbf29ce484222325UL; for (u64 i = 0; i < n; i++) h = mix(h ^ p[i]); return h; }

static u64 generation[VAULT_WORDS / 256];

static u64 verify(void)
{
  u64 bad = 0;
  for (u64 i = 0; i < VAULT_WORDS; i++) if (vault[i] != pattern(i, generation[i / 256])) bad++;
  return bad;
}

#ifdef LAUNCHER
static int spawning(void)
{
  char tok[96];
  for (u64 pos = 0; next_token(&pos, tok, sizeof tok);) if (token_is(tok, "spawn")) return 1;
  return 0;
}

/* Instance 0 creates instance 1 in band: virtualize, create from the carried image, pass the
   command line on, hand over what the plan names (give:DEVICE), start. The victim prints nothing
   of this: its signature is the one of its run alone. */
static void spawn(void)
{
  char tok[96];
  maint(M_VIRTUALIZE, 0, 0, 0);
  maint(M_CREATE, (u64)blob_start, (u64)(blob_end - blob_start), 0);
  maint(M_SET_BOOTARGS, (u64)bootargs, bootargs_len, 0);
  for (u64 pos = 0; next_token(&pos, tok, sizeof tok);) if (token_is(tok, "give")) maint(M_HAND_OVER, token_field(tok, 1, 0), 1, 0);
  maint(M_START, 1, 0, 0);
}
#endif

int main(void)
{
  bootargs_read();
  /* Code, constants and data (the image as loaded): an attack that wrote any of it shows. */
  u64 text_hash = hash_words((const u64 *)_start, (u64)(__bss_start - _start) / 8);
  u64 stvec0 = csr_read(stvec), sscratch0 = csr_read(sscratch);
  csr_write(sie, SIP_SSIP | SIP_STIP | SIP_SEIP);
  /* A device handed to this instance before it started leaves SSIP pending (maintenance-sbi.md
     "Devices and handoff"); what the signature checks is that nothing is pending afterwards. */
  csr_clear(sip, SIP_SSIP);
  for (u64 i = 0; i < VAULT_WORDS; i++) vault[i] = pattern(i, 0);
#ifdef LAUNCHER
  int spawned = spawning();
  if (spawned) spawn();
#else
  /* As instance 1: tell instance 0 the vault is in place (DENIED, and ignored, when alone). */
  maint(M_READY, 0, 0, 0);
#endif
  u64 mismatches = 0;
  for (u64 r = 0; r < ROUNDS; r++) {
    yield_slice();
    mismatches += verify();
    /* Change one stripe, so the vault is live memory the other instance might race with. */
    u64 stripe = (r * 3) % (VAULT_WORDS / 256);
    generation[stripe]++;
    for (u64 i = stripe * 256; i < stripe * 256 + 256; i++) vault[i] = pattern(i, generation[stripe]);
  }
#ifdef LAUNCHER
  if (spawned) {
    for (int k = 0; k < WAIT_YIELDS && instance_state(1) != ST_ABSENT; k++) yield_slice();
    if (instance_state(1) != ST_ABSENT) maint(M_RETIRE, 1, 0, 0);
  }
#endif
  mismatches += verify();
  sig_str("victim rounds "); sig_dec(ROUNDS); sig_str("\n");
  sig_str("victim mismatches "); sig_dec(mismatches); sig_str("\n");
  sig_str("victim vault "); sig_hex(hash_words(vault, VAULT_WORDS)); sig_str("\n");
  sig_str("victim text kept "); sig_dec(hash_words((const u64 *)_start, (u64)(__bss_start - _start) / 8) == text_hash); sig_str("\n");
  sig_str("victim csrs kept "); sig_dec(csr_read(stvec) == stvec0); sig_dec(csr_read(sscratch) == sscratch0);
  sig_dec(csr_read(sie) == (SIP_SSIP | SIP_STIP | SIP_SEIP)); sig_str("\n");
  sig_str("victim sip "); sig_hex(csr_read(sip) & (SIP_SSIP | SIP_STIP | SIP_SEIP)); sig_str("\n");
  sig_flush();
  return 0;
}
