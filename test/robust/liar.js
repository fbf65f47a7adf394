// An implementation that breaks the protocol in the way named by its first argument, for
// test/robust/cli.test.ts. Plain JavaScript: the harness starts it with node, as a user's would be.
'use strict';
const mode = process.argv[2];
const caps = ['state', 'rv64i', 'm', 'a', 'c', 'zicsr', 'zifencei', 's', 'u', 'sv39', 'pmp', 'sstc', 'smrnmi', 'clint', 'plic', 'uart', 'doorbell'];
const hello = { type: 'hello', protocol: 1, name: `liar-${mode}`, version: '1', capabilities: caps };
const say = (m) => process.stdout.write(`${JSON.stringify(m)}\n`);
const idle = () => setInterval(() => {}, 1 << 30);

if (mode === 'protocol-2') { say({ ...hello, protocol: 2 }); idle(); }
else if (mode === 'no-version') { const { version, ...rest } = hello; say(rest); idle(); }
else if (mode === 'silent') idle();
else {
  say(hello);
  let n = 0;
  require('readline').createInterface({ input: process.stdin }).on('line', (line) => {
    const req = JSON.parse(line);
    if (req.type !== 'run') return;
    n++;
    if (mode === 'wrong-id') say({ type: 'error', id: 'isa-0000000000000000', message: 'not yours' });
    else if (mode === 'twice') { say({ type: 'error', id: req.id, message: 'first' }); say({ type: 'error', id: req.id, message: 'again' }); }
    else if (mode === 'control') say({ type: 'error', id: req.id, message: 'bad\u0001byte' });
    else if (mode === 'endless') { const chunk = 'x'.repeat(1 << 20); const more = () => { while (process.stdout.write(chunk)); process.stdout.once('drain', more); }; more(); }
    else if (mode === 'garbage') process.stdout.write('{"type":"result", oops\n');
    else if (mode === 'noisy') { process.stderr.write(`${'noise '.repeat(200)}\n`.repeat(500)); say({ type: 'error', id: req.id, message: 'noisy' }); }
    else if (mode === 'slow') {
      // Tells the test when it is well into the run, then keeps answering slowly.
      if (n === 20 && process.env.LIAR_MARK) require('fs').writeFileSync(process.env.LIAR_MARK, 'started');
      setTimeout(() => say({ type: 'error', id: req.id, message: 'slow' }), 5);
    }
  });
}
