/* The other instance's image, carried in this one's memory: instance 0 passes it to the
   maintenance function `create` (in band, as kexec_load), which copies it into the partition. */
  .section .rodata.blob, "a"
  .balign 8
  .globl blob_start, blob_end
blob_start:
  .incbin BLOB
blob_end:
