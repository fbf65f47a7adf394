#ifndef SBI_H
#define SBI_H

#define SBI_SUCCESS               0
#define SBI_ERR_FAILED           -1
#define SBI_ERR_NOT_SUPPORTED    -2
#define SBI_ERR_INVALID_PARAM    -3
#define SBI_ERR_DENIED           -4
#define SBI_ERR_INVALID_ADDRESS  -5
#define SBI_ERR_ALREADY_AVAILABLE -6
#define SBI_ERR_ALREADY_STARTED  -7
#define SBI_ERR_ALREADY_STOPPED  -8
#define SBI_ERR_NO_SHMEM         -9

#define SBI_EXT_LEGACY_SET_TIMER   0x00
#define SBI_EXT_LEGACY_PUTCHAR     0x01
#define SBI_EXT_LEGACY_GETCHAR     0x02
#define SBI_EXT_BASE   0x10
#define SBI_EXT_TIME   0x54494D45
#define SBI_EXT_IPI    0x735049
#define SBI_EXT_RFENCE 0x52464E43
#define SBI_EXT_HSM    0x48534D
#define SBI_EXT_SRST   0x53525354
#define SBI_EXT_DBCN   0x4442434E

/* devirt's implementation id (BASE get_impl_id); not 1, which is OpenSBI's. ASCII "DV". */
#define MV_IMPL_ID       0x4456
#define MV_IMPL_VERSION  0x00010000
/* The maintenance extension lives in the firmware-specific range: 0x0A000000 + impl id. */
#define SBI_EXT_MAINTENANCE (0x0A000000 + MV_IMPL_ID)

#define MAINT_STATUS        0
#define MAINT_VIRTUALIZE    1
#define MAINT_DEVIRTUALIZE  2
/* The instance functions (conformance/maintenance-sbi.md; instance.c). */
#define MAINT_CREATE        3
#define MAINT_START         4
#define MAINT_QUERY         5
#define MAINT_SET_SHARE     6
#define MAINT_HAND_OVER     7
#define MAINT_RETIRE        8
#define MAINT_ROLLBACK      9
#define MAINT_READY        10
#define MAINT_SELF         11
#define MAINT_YIELD        12
#define MAINT_LOAD_INITRD  13
#define MAINT_SET_BOOTARGS 14
#define MAINT_SET_WATCHDOG 15

#define MAINT_STATUS_STATE       0
#define MAINT_STATUS_CYCLES      1
#define MAINT_STATUS_INSTRUCTIONS 2
#define MAINT_STATUS_TRAPS       3
#define MAINT_STATUS_VIRTUALIZE_CYCLES 4
#define MAINT_STATUS_DEVIRTUALIZE_CYCLES 5
#define MAINT_STATUS_PARTITION_BASE 6
#define MAINT_STATUS_PARTITION_SIZE 7

#endif
