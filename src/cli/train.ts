/**
 * Headless trainer: `npm run train -- --model mlp2d --data ring8 --variants sn,wn,none
 * --settings C --steps 5000 --seed 1 --out run.json [--backend cpu]`. Trains on Node's WebGPU
 * (Dawn) or on the CPU backend, shows progress with steps/s, and writes the run as JSON.
 */
import { runTraining } from './run-training';

runTraining(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`train: ${error.message}\n(npm run train -- --help lists every option)`);
    process.exit(1);
  },
);
