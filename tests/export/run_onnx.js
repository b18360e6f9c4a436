// Runs an ONNX model in ONNX Runtime (onnxruntime-node, CPU) on raw float32 input and prints the
// largest absolute difference between its "logits" and the expected raw float32 values.
// Usage: node run_onnx.js MODEL INPUT.f32 N,C,H,W EXPECTED.f32
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

function readFloats(path) {
  const bytes = fs.readFileSync(path);
  // Copy: a pooled Buffer's offset need not be a multiple of 4.
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

async function main() {
  const [model, inputPath, shapeText, expectedPath] = process.argv.slice(2);
  const shape = shapeText.split(',').map(Number);
  const session = await ort.InferenceSession.create(model);
  const result = await session.run({ input: new ort.Tensor('float32', readFloats(inputPath), shape) });
  const got = result.logits.data;
  const want = readFloats(expectedPath);
  if (got.length !== want.length) throw new Error(`logits have ${got.length} values, expected ${want.length}`);
  let worst = 0;
  for (let i = 0; i < got.length; ++i) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  console.log(worst);
}

main().catch((e) => {
  console.error(`run_onnx: ${e.message}`);
  process.exit(2);
});
