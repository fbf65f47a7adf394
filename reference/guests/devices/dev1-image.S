/* dev1's ELF image, as bytes in dev0's memory (create copies it into the partition). */
  .section .rodata
  .balign 8
  .globl dev1_image, dev1_image_end
dev1_image:
  .incbin DEV1_ELF
dev1_image_end:
