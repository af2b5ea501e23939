/**
 * WebGPU in Node through Dawn (the `webgpu` package), for tests, benchmarks and the headless
 * trainer. Picks the Vulkan driver before Dawn loads: the user's VK_ICD_FILENAMES if set, an
 * NVIDIA driver if installed, otherwise SwiftShader from Debian's chromium package. Mesa's
 * lavapipe in Debian 12 is too old for Dawn, so it is never chosen by default.
 */
import { existsSync, readdirSync } from 'node:fs';
import { acquireGpu, GpuUnavailableError, type AcquireOptions, type GpuContext } from '../gpu/device';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
export const FIX_COMMAND = 'sudo apt-get install -y chromium libvulkan1   (or: bash .ci/run)';

function findNvidiaIcd(): string | undefined {
  for (const dir of ['/usr/local/nvidia/share/vulkan/icd.d', '/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d']) {
    if (!existsSync(dir)) continue;
    const file = readdirSync(dir).find((name) => name.startsWith('nvidia') && name.endsWith('.json'));
    if (file) return `${dir}/${file}`;
  }
  return undefined;
}

/** Sets VK_ICD_FILENAMES (unless the user did) and returns which driver file was chosen. */
export function chooseVulkanDriver(): string | undefined {
  const explicit = process.env.VK_ICD_FILENAMES ?? process.env.VK_DRIVER_FILES;
  if (explicit) return explicit;
  const chosen = findNvidiaIcd() ?? (existsSync(SWIFTSHADER_ICD) ? SWIFTSHADER_ICD : undefined);
  if (chosen) process.env.VK_ICD_FILENAMES = process.env.VK_DRIVER_FILES = chosen;
  return chosen;
}

let gpuObject: GPU | undefined;

/** The process-wide Dawn GPU object (navigator.gpu's equivalent). */
export async function nodeGpu(): Promise<GPU> {
  if (gpuObject) return gpuObject;
  chooseVulkanDriver();
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  gpuObject = create([]);
  return gpuObject;
}

/**
 * A fresh device (Dawn gives one device per adapter, so each call requests a new adapter).
 * Throws GpuUnavailableError naming the fix when no adapter exists.
 */
export async function acquireNodeGpu(options: AcquireOptions = {}): Promise<GpuContext> {
  try {
    return await acquireGpu(await nodeGpu(), options);
  } catch (error) {
    if (error instanceof GpuUnavailableError) {
      throw new GpuUnavailableError(
        `${error.message} Vulkan driver tried: ${process.env.VK_ICD_FILENAMES ?? 'none'}. ` +
          `Install a WebGPU-capable Vulkan driver: ${FIX_COMMAND}`,
      );
    }
    throw error;
  }
}
