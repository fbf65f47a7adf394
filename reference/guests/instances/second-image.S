/* The second instance's ELF image, as bytes in the first instance's memory. */
  .section .rodata
  .balign 8
  .globl second_image, second_image_end
second_image:
  .incbin SECOND_ELF
second_image_end:
