#!/usr/bin/env node
// ONNX Runtime's CPU provider (onnxruntime-node, pinned in
// bench/package.json) as the reference of test/fuzz/differential: runs a
// batch of models in one process.
//
//   node ort_eval.js JOBS.json
//
// JOBS.json: {"optimization": "all" | "disabled",
//             "jobs": [{"model": PATH, "out": DIR,
//                       "inputs": [{"name", "dtype", "dims", "file"}]}]}
// Input files hold the raw little-endian elements (bool: one byte each).
// For each job, prints one JSON line: {"ok": true, "outputs": [{"name",
// "dtype", "dims", "file"}]} with each output written raw to DIR/<k>.bin,
// or {"ok": false, "error": MESSAGE}.
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require(path.join(__dirname, '..', '..', '..', 'bench', 'node_modules',
                              'onnxruntime-node'));

const ARRAYS = {
  float32: Float32Array, float64: Float64Array, int64: BigInt64Array,
  int32: Int32Array, int16: Int16Array, int8: Int8Array, uint8: Uint8Array,
  bool: Uint8Array,
};

function readTensor(spec) {
  const Kind = ARRAYS[spec.dtype];
  if (!Kind) throw new Error(`input '${spec.name}': dtype ${spec.dtype} not handled`);
  const bytes = fs.readFileSync(spec.file);
  // Copy into an aligned buffer: the file's Buffer may start anywhere.
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  return new ort.Tensor(spec.dtype, new Kind(copy), spec.dims);
}

async function runJob(job, options) {
  const session = await ort.InferenceSession.create(job.model, options);
  const feeds = {};
  for (const spec of job.inputs) feeds[spec.name] = readTensor(spec);
  const results = await session.run(feeds);
  fs.mkdirSync(job.out, {recursive: true});
  return session.outputNames.map((name, k) => {
    const t = results[name];
    const file = path.join(job.out, `${k}.bin`);
    const data = t.data;
    fs.writeFileSync(file, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    return {name, dtype: t.type, dims: t.dims, file};
  });
}

async function main() {
  const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const options = {
    executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1,
    graphOptimizationLevel: spec.optimization || 'all',
  };
  for (const job of spec.jobs) {
    let line;
    try {
      line = {ok: true, outputs: await runJob(job, options)};
    } catch (e) {
      line = {ok: false, error: String(e.message || e).split('\n')[0]};
    }
    process.stdout.write(JSON.stringify(line) + '\n');
  }
}

main().catch((e) => { console.error(`ort_eval: ${e.message || e}`); process.exit(1); });
