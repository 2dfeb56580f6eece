/** The separation U-Net settings that scripts/train-separation.ts trains and scripts/export-separation.ts re-exports. */
import type { BlockKind, UNetConfig } from "../src/models/separation/unet.js";
import type { SeparationModelConfig } from "../src/models/separation/contract.js";

export const SEPARATION_STFT: SeparationModelConfig = { sampleRate: 22050, nFft: 512, hopLength: 128, frameMultiple: 8 };
export const separationUNet = (block: BlockKind): UNetConfig => ({ block, bins: 256, channels: 8, depth: 3, layers: 2, growth: 6 });
/** Informed U-Nets: training patch (frames), and the window weak models average their phonemes over (= their inference chunk). */
export const INFORMED_PATCH = 32;
export const WEAK_WINDOW = 256;
