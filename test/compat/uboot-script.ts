// What the U-Boot tests type at the prompt, as one list used for both machines: the first line
// stops the autoboot countdown (U-Boot consumes that key), the rest are commands.
export interface Step { waitFor: string; send: string }

export const stopAutoboot: Step = { waitFor: 'Hit any key to stop autoboot:', send: '\r' };
export const command = (text: string): Step => ({ waitFor: '=> ', send: `${text}\r` });
