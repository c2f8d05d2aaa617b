// Interop with cose-js (an implementation we did not write), driven by CoseInteropTest.
//   node cose-js-interop.js verify <coseHex> <xHex> <yHex>   -> prints the verified payload as hex
//   node cose-js-interop.js sign <payloadHex> <dHex> <kidHex> -> prints a tagged COSE_Sign1 (ES256) as hex
'use strict';
const cose = require('cose-js');

async function main () {
  const [mode, a, b, c] = process.argv.slice(2);
  if (mode === 'verify') {
    const verifier = { key: { x: Buffer.from(b, 'hex'), y: Buffer.from(c, 'hex') } };
    const payload = await cose.sign.verify(Buffer.from(a, 'hex'), verifier);
    console.log(Buffer.from(payload).toString('hex'));
  } else if (mode === 'sign') {
    const headers = { p: { alg: 'ES256' }, u: { kid: Buffer.from(c, 'hex') } };
    const signer = { key: { d: Buffer.from(b, 'hex') } };
    const signed = await cose.sign.create(headers, Buffer.from(a, 'hex'), signer);
    console.log(Buffer.from(signed).toString('hex'));
  } else {
    throw new Error('usage: verify <coseHex> <xHex> <yHex> | sign <payloadHex> <dHex> <kidHex>');
  }
}

main().catch((e) => {
  console.error('cose-js: ' + e.message);
  process.exit(1);
});
