#!/usr/bin/env node
// Times one ONNX model with ONNX Runtime's CPU execution provider
// (onnxruntime-node, pinned in package.json), for bench/cpu_latency.py.
//
//   node bench/ort_latency.js MODEL.onnx --runs N --threads T \
//       [--input NAME=d0,d1,...[:int64:HIGH]]...
//
// Inputs are float32 filled with a fixed pseudo-random sequence in [-1, 1),
// or, with `:int64:HIGH`, int64 in [0, HIGH) (token ids); inputs not named
// get their static shape (symbolic dims become 1) and float32. After one warm-up
// run, N runs are timed one by one; prints one JSON line:
// {"session_ms": ..., "runs": N, "threads": T, "times_ms": [...]}.
'use strict';
const path = require('path');
const ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));

function parseArgs(argv) {
  const o = {model: null, runs: 10, threads: 1, shapes: {}, ints: {}};
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--runs') o.runs = parseInt(argv[++i], 10);
    else if (a === '--threads') o.threads = parseInt(argv[++i], 10);
    else if (a === '--input') {
      const [name, spec] = argv[++i].split('=');
      const [dims, type, high] = spec.split(':');
      o.shapes[name] = dims.split(',').map((d) => parseInt(d, 10));
      if (type === 'int64') o.ints[name] = parseInt(high, 10);
      else if (type !== undefined) throw new Error(`unknown input type '${type}'`);
    } else if (!o.model) o.model = a;
    else throw new Error(`unexpected argument '${a}'`);
  }
  if (!o.model) throw new Error('usage: ort_latency.js MODEL.onnx [--runs N] [--threads T]');
  return o;
}

function randomTensor(dims, seed) {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; ++i) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;  // LCG
    data[i] = s / 4294967296 * 2 - 1;
  }
  return new ort.Tensor('float32', data, dims);
}

function randomIds(dims, seed, high) {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new BigInt64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; ++i) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = BigInt(Math.floor(s / 4294967296 * high));
  }
  return new ort.Tensor('int64', data, dims);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(o.model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: o.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const sessionMs = performance.now() - t0;
  const feeds = {};
  session.inputNames.forEach((name, k) => {
    let dims = o.shapes[name];
    if (!dims) {
      const meta = session.inputMetadata ? session.inputMetadata[k] : null;
      if (!meta || !meta.shape) throw new Error(`give the shape of input '${name}' with --input`);
      dims = meta.shape.map((d) => (typeof d === 'number' ? d : 1));
    }
    feeds[name] = name in o.ints ? randomIds(dims, 1234 + k, o.ints[name])
                                 : randomTensor(dims, 1234 + k);
  });
  await session.run(feeds);  // warm-up
  const times = [];
  for (let r = 0; r < o.runs; ++r) {
    const start = performance.now();
    await session.run(feeds);
    times.push(performance.now() - start);
  }
  console.log(JSON.stringify({session_ms: sessionMs, runs: o.runs, threads: o.threads, times_ms: times}));
}

main().catch((e) => { console.error(`ort_latency: ${e.message || e}`); process.exit(1); });
