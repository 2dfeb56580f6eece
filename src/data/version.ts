/** Version of the generator's output; bump when the same seed would produce different audio or annotations. */
export const annotationsVersion = "1";
export type SynthKind = "separation" | "choir" | "piano" | "multi" | "covers";
