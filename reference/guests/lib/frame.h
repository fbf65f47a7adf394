/* Layout of the trap frame, shared by trap.S and C. */
#ifndef FRAME_H
#define FRAME_H
#define FRAME_EPC    (32 * 8)
#define FRAME_CAUSE  (33 * 8)
#define FRAME_TVAL   (34 * 8)
#define FRAME_STATUS (35 * 8)
#define FRAME_SIZE   (36 * 8)
/* a7 value of the ecall that ends code run by run_in_mode. */
#define SYS_EXIT 0x5EC0DE
#endif
