// mstatus fields (privileged spec 1.12, 3.1.6). Only the low 32 bits are stored: with no F, V
// or big-endian support, every writable field is there; UXL and SXL read as 2 (XLEN 64).

export const MS_SIE = 1 << 1, MS_MIE = 1 << 3, MS_SPIE = 1 << 5, MS_MPIE = 1 << 7, MS_SPP = 1 << 8;
export const MS_MPP_SHIFT = 11, MS_MPP = 3 << 11, MS_MPRV = 1 << 17, MS_SUM = 1 << 18, MS_MXR = 1 << 19;
export const MS_TVM = 1 << 20, MS_TW = 1 << 21, MS_TSR = 1 << 22;

/** Writable bits of mstatus. */
export const MSTATUS_WRITABLE = MS_SIE | MS_MIE | MS_SPIE | MS_MPIE | MS_SPP | MS_MPP | MS_MPRV | MS_SUM | MS_MXR | MS_TVM | MS_TW | MS_TSR;
/** Writable bits of the sstatus view. */
export const SSTATUS_WRITABLE = MS_SIE | MS_SPIE | MS_SPP | MS_SUM | MS_MXR;
/** UXL = 2 (bits 33:32) and SXL = 2 (bits 35:34). */
export const MSTATUS_XL = (2n << 32n) | (2n << 34n);
export const SSTATUS_XL = 2n << 32n;

// mnstatus fields (Smrnmi): NMIE (bit 3) and MNPP (bits 12:11).
export const MNS_NMIE = 1 << 3, MNS_MNPP_SHIFT = 11, MNS_MNPP = 3 << 11;
