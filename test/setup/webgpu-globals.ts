// Loads Dawn before any test module runs, so WebGPU's globals (GPUBufferUsage, …) exist.
import { nodeGpu } from '../../src/node/webgpu-node';

await nodeGpu();
