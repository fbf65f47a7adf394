/* Kernel images for instance 1 (conformance/maintenance-sbi.md, "Validation"): an ELF64 RISC-V
   executable, whose PT_LOAD segments and entry must lie inside the partition, or a Linux RISC-V
   `Image` (Documentation/arch/riscv/boot-image-header.rst: magic2 "RSC\x05" at 0x38, the image's
   size with its bss at 0x10), placed at the partition's base. Everything is checked against the
   source before a byte is written; the copy then happens as kexec_load would make it. */
#include "instance.h"
#include "sbi.h"

#define EM_RISCV 243
#define ET_EXEC 2
#define PT_LOAD 1
#define MAX_PHDRS 16
#define IMAGE_MAGIC2 0x05435352U   /* "RSC\x05" little-endian */

struct elf64_ehdr {
  u8 ident[16];
  unsigned short type, machine;
  u32 version;
  u64 entry, phoff, shoff;
  u32 flags;
  unsigned short ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct elf64_phdr { u32 type, flags; u64 offset, vaddr, paddr, filesz, memsz, align; };

static u64 rd64(const u8 *p) { u64 v = 0; for (int i = 7; i >= 0; i--) v = (v << 8) | p[i]; return v; }
static u32 rd32(const u8 *p) { return (u32)p[0] | ((u32)p[1] << 8) | ((u32)p[2] << 16) | ((u32)p[3] << 24); }
static int overlaps(u64 a, u64 alen, u64 b, u64 blen) { return a < b + blen && b < a + alen; }

/* Copy in either direction (the out-of-band image already lies in the partition). Word-wise when
   both ends are aligned: a Linux Image is tens of MB. */
static void move(u8 *dst, const u8 *src, u64 n)
{
  if (dst == src || n == 0) return;
  if (((u64)dst & 7) == 0 && ((u64)src & 7) == 0) {
    u64 words = n / 8;
    u64 *d = (u64 *)dst; const u64 *s = (const u64 *)src;
    if (dst < src) { for (u64 i = 0; i < words; i++) d[i] = s[i]; for (u64 i = words * 8; i < n; i++) dst[i] = src[i]; }
    else { for (u64 i = n; i > words * 8; i--) dst[i - 1] = src[i - 1]; for (u64 i = words; i > 0; i--) d[i - 1] = s[i - 1]; }
    return;
  }
  if (dst > src) while (n--) dst[n] = src[n];
  else for (u64 i = 0; i < n; i++) dst[i] = src[i];
}
static void zero(u8 *p, u64 n) { while (n && ((u64)p & 7)) { *p++ = 0; n--; } for (; n >= 8; n -= 8, p += 8) *(u64 *)p = 0; while (n--) *p++ = 0; }

static int is_elf(const u8 *s, u64 len) { return len >= 4 && s[0] == 0x7f && s[1] == 'E' && s[2] == 'L' && s[3] == 'F'; }

static long load_elf(const u8 *src, u64 len, u64 base, u64 size, u64 limit, u64 *entry, u64 *end)
{
  if (len < sizeof(struct elf64_ehdr)) return SBI_ERR_INVALID_PARAM;
  /* Headers are read into aligned copies: the image may sit at any address in the caller's memory. */
  struct elf64_ehdr hdr;
  move((u8 *)&hdr, src, sizeof hdr);
  const struct elf64_ehdr *h = &hdr;
  if (h->ident[4] != 2 || h->ident[5] != 1 || h->type != ET_EXEC || h->machine != EM_RISCV) return SBI_ERR_INVALID_PARAM;
  if (h->phentsize != sizeof(struct elf64_phdr) || h->phnum == 0 || h->phoff > len ||
      (u64)h->phnum * sizeof(struct elf64_phdr) > len - h->phoff || h->phnum > MAX_PHDRS) return SBI_ERR_INVALID_PARAM;
  struct elf64_phdr ph[MAX_PHDRS];
  move((u8 *)ph, src + h->phoff, h->phnum * sizeof(struct elf64_phdr));
  u64 hi = base, loads = 0;
  int entry_ok = 0;
  for (u64 i = 0; i < h->phnum; i++) {
    if (ph[i].type != PT_LOAD || ph[i].memsz == 0) continue;
    u64 pa = ph[i].paddr, mem = ph[i].memsz;
    if (ph[i].filesz > mem || ph[i].offset > len || ph[i].filesz > len - ph[i].offset) return SBI_ERR_INVALID_PARAM;
    if (pa < base || pa + mem < pa || pa + mem > base + size) return SBI_ERR_INVALID_PARAM;
    if (pa + mem > limit) return SBI_ERR_NO_SHMEM;
    /* An image already in the partition must not lie where its own segments go. */
    if (overlaps((u64)src, len, pa, mem)) return SBI_ERR_INVALID_PARAM;
    if (h->entry >= pa && h->entry < pa + mem) entry_ok = 1;
    if (pa + mem > hi) hi = pa + mem;
    loads++;
  }
  if (!loads || !entry_ok) return SBI_ERR_INVALID_PARAM;
  for (u64 i = 0; i < h->phnum; i++) {
    if (ph[i].type != PT_LOAD || ph[i].memsz == 0) continue;
    move((u8 *)ph[i].paddr, src + ph[i].offset, ph[i].filesz);
    zero((u8 *)ph[i].paddr + ph[i].filesz, ph[i].memsz - ph[i].filesz);
  }
  *entry = h->entry;
  *end = hi;
  return SBI_SUCCESS;
}

static long load_image(const u8 *src, u64 len, u64 base, u64 limit, u64 *entry, u64 *end)
{
  if (len < 0x40 || rd32(src + 0x38) != IMAGE_MAGIC2) return SBI_ERR_INVALID_PARAM;
  u64 need = rd64(src + 0x10);   /* image_size: the kernel with its bss (0 in old images) */
  if (need < len) need = len;
  if (need > limit - base) return SBI_ERR_NO_SHMEM;
  move((u8 *)base, src, len);
  *entry = base;
  *end = base + need;
  return SBI_SUCCESS;
}

long image_load(const u8 *src, u64 len, u64 base, u64 size, u64 limit, u64 *entry, u64 *end)
{
  if (len > size) return SBI_ERR_NO_SHMEM;
  if (is_elf(src, len)) return load_elf(src, len, base, size, limit, entry, end);
  return load_image(src, len, base, limit, entry, end);
}
