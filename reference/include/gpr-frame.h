/* Saving and restoring general registers in a trap frame, for every assembly trap path of the
 * project (the Microvisor, its M-mode firmware, the guests, the mkernels). One layout: register
 * xN at N*8 from the frame's base; each path picks the registers it saves (sp and the scratch
 * registers it uses are its own business). Assembly only: #include it from a .S file.
 *
 *   SAVE_X base, first, last    sd xfirst..xlast, N*8(base), in ascending order
 *   LOAD_X base, first, last    ld xfirst..xlast, N*8(base), in ascending order
 */
#ifndef GPR_FRAME_H
#define GPR_FRAME_H

/* GPR_FRAME_SIZE: x0..x31, eight bytes each (x0's slot is unused). */
#define GPR_FRAME_SIZE (32 * 8)

.macro SAVE_X base, first, last
  .altmacro
  GPR_FRAME_ONE sd, \base, \first, \last
  .noaltmacro
.endm

.macro LOAD_X base, first, last
  .altmacro
  GPR_FRAME_ONE ld, \base, \first, \last
  .noaltmacro
.endm

/* One register, then the rest of the range (altmacro's %() makes the next number). */
.macro GPR_FRAME_ONE op, base, n, last
  \op x\n, (\n*8)(\base)
  .if \last-\n
  GPR_FRAME_ONE \op, \base, %(\n+1), \last
  .endif
.endm

#endif
