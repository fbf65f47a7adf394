/* System calls of the S-mode kernel (a7 = number) and the programs its processes run. */
#ifndef SYS_H
#define SYS_H
#define SYS_GETPID 1
#define SYS_YIELD  2
#define SYS_REPORT 3
#define SYS_EXIT   4

#define USER_PROBE    0   /* compute with yields; process 1 also takes a page fault */
#define USER_COMPUTE  1   /* compute only */
#define USER_SYSCALLS 2   /* system calls only */

#define USER_TEXT  0x40000000UL
#define USER_DATA  0x40010000UL
#define USER_STACK_TOP (USER_DATA + 0x2000)
#endif
