/**
 * Compile errors of WGSL modules, in words a person can act on: the file under shaders/ (or the
 * snippet under shaders/lib/) with its line and column, and the compiler's message. WebGPU only
 * reports a bad module asynchronously (getCompilationInfo, or an uncaptured validation error
 * later), so a backend checks every kernel family's module before it builds a run on it.
 */
import type { WgslOrigin } from './shader-source';

/** What a compiler message needs to be placed: the family and how its module was composed. */
export interface CheckedShader {
  family: string;
  file: string;
  code: string;
  origins: readonly WgslOrigin[];
}

export class ShaderCompileError extends Error {
  constructor(readonly problems: string[]) {
    super(`a WGSL kernel does not compile: ${problems.join('; ')}`);
    this.name = 'ShaderCompileError';
  }
}

/** `shaders/matmul.wgsl:270:31: error: unresolved value 'x'`, from a message on the composed module. */
export function placeMessage(shader: CheckedShader, message: GPUCompilationMessage): string {
  const origin = message.lineNum > 0 ? shader.origins[message.lineNum - 1] : undefined;
  const where = origin ? `${origin.file}:${origin.line}:${message.linePos}` : shader.file;
  return `${where}: ${message.type}: ${message.message.trim()}`;
}

/**
 * Makes each shader's module (through `create`, which may cache it) and waits for its compilation
 * info; throws a ShaderCompileError listing every error, each placed in its file.
 */
export async function checkShaders(
  device: GPUDevice,
  shaders: Iterable<CheckedShader>,
  create: (shader: CheckedShader) => GPUShaderModule,
): Promise<void> {
  const checks = [...shaders].map(async (shader) => {
    device.pushErrorScope('validation');
    const module = create(shader);
    const scoped = device.popErrorScope();
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error').map((m) => placeMessage(shader, m));
    const error = await scoped;
    // A module the compiler rejected without a message still names its file.
    if (errors.length === 0 && error) errors.push(`${shader.file}: ${error.message}`);
    return errors;
  });
  const problems = (await Promise.all(checks)).flat();
  if (problems.length > 0) throw new ShaderCompileError(problems);
}
