// fontkit (pdfkit's font engine) ships no types; this is the little of it src/mail/pdf-fonts.ts uses.
declare module 'fontkit' {
  export interface Font {
    postscriptName: string;
    hasGlyphForCodePoint(codePoint: number): boolean;
    layout(text: string): unknown;
  }
  export function create(buffer: Buffer, postscriptName?: string): Font;
}
