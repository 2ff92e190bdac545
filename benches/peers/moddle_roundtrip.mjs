// Peer for benches/bpmn_io.rs: bpmn-moddle (the model layer of bpmn-js and Camunda Modeler)
// parses and serialises the same 179 MIWG files. Prints one JSON line with the median over
// repetitions, in milliseconds for all files together.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';

const [toolArg, corpusDir, repeatArg] = process.argv.slice(2);
const toolDir = resolve(toolArg);
const require = createRequire(join(toolDir, 'package.json'));
const { BpmnModdle } = await import(require.resolve('bpmn-moddle'));
const zeebe = require('zeebe-bpmn-moddle/resources/zeebe.json');

// moddle takes a string: decode with the encoding the XML declaration names, as our reader does.
function decode(bytes) {
  const head = bytes.subarray(0, 200).toString('latin1');
  const declared = /encoding\s*=\s*["']([\w.:-]+)["']/.exec(head);
  return new TextDecoder(declared ? declared[1] : 'utf-8').decode(bytes);
}

function collect(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.bpmn')) out.push(decode(readFileSync(path)));
  }
  return out;
}

const moddle = new BpmnModdle({ zeebe });
// bpmn-moddle cannot write some files back (unbound prefixes); those are left out of the timing
// and counted, so the peer is timed on a subset of what our reader and writer handle.
const files = [];
let failed = 0;
for (const xml of collect(corpusDir, [])) {
  try {
    const { rootElement } = await moddle.fromXML(xml);
    await moddle.toXML(rootElement, { format: true });
    files.push(xml);
  } catch {
    failed += 1;
  }
}
const repeat = Number(repeatArg || 10);
const times = [];
for (let rep = 0; rep <= repeat; rep++) {
  const start = process.hrtime.bigint();
  for (const xml of files) {
    const { rootElement } = await moddle.fromXML(xml);
    await moddle.toXML(rootElement, { format: true });
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (rep > 0) times.push(ms); // the first pass warms the JIT up
}
times.sort((a, b) => a - b);
const version = JSON.parse(readFileSync(join(toolDir, 'node_modules/bpmn-moddle/package.json'), 'utf8')).version;
console.log(JSON.stringify({ peer: 'bpmn-moddle', version, files: files.length, failed, repeat, median_ms: times[Math.floor(times.length / 2)] }));
