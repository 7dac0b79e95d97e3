import fs from 'node:fs';
import path from 'node:path';
import * as fontkit from 'fontkit';

/**
 * Unicode fonts for the PDFs (letters, the escalation file). PDF's built-in Helvetica knows only
 * Latin-1 (WinAnsi): "Łódź Spółka", "株式会社" or "Ελληνικά" come out garbled. These PDFs embed
 * TrueType fonts instead (subset to the glyphs used, with a ToUnicode map, so the text can be
 * searched and copied): Noto Sans for Latin, Greek and Cyrillic, Noto Sans JP for Japanese and
 * most Chinese characters. Text is cut into runs, each drawn with the first font that has its
 * characters.
 *
 * The fonts come from the npm registry (@expo-google-fonts/noto-sans, @expo-google-fonts/noto-sans-jp);
 * where a package is missing, a font Debian installs is used (fonts-noto-core, fonts-dejavu-core).
 */

type Weight = 'regular' | 'bold';

interface FontFile {
  /** An npm package and the file inside it. */
  package?: [string, string];
  /** Or a file the system installs. */
  file?: string;
}

const LATIN: Record<Weight, FontFile[]> = {
  regular: [{ package: ['@expo-google-fonts/noto-sans', '400Regular/NotoSans_400Regular.ttf'] }, { file: '/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf' }, { file: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf' }],
  bold: [{ package: ['@expo-google-fonts/noto-sans', '700Bold/NotoSans_700Bold.ttf'] }, { file: '/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf' }, { file: '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf' }],
};
const CJK: Record<Weight, FontFile[]> = {
  regular: [{ package: ['@expo-google-fonts/noto-sans-jp', '400Regular/NotoSansJP_400Regular.ttf'] }],
  bold: [{ package: ['@expo-google-fonts/noto-sans-jp', '700Bold/NotoSansJP_700Bold.ttf'] }],
};

interface LoadedFont {
  name: string;
  /** Parsed once per process and shared by every PDF: parsing a font's tables is most of a PDF's cost. */
  font: fontkit.Font;
  has(codePoint: number): boolean;
}

function locate(candidate: FontFile): string | null {
  if (candidate.file) return fs.existsSync(candidate.file) ? candidate.file : null;
  const [pkg, file] = candidate.package!;
  try {
    const found = path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);
    return fs.existsSync(found) ? found : null;
  } catch {
    return null;
  }
}

function load(name: string, candidates: FontFile[]): LoadedFont | null {
  for (const candidate of candidates) {
    const file = locate(candidate);
    if (!file) continue;
    const font = fontkit.create(fs.readFileSync(file));
    return { name, font, has: (codePoint) => font.hasGlyphForCodePoint(codePoint) };
  }
  return null;
}

let loaded: Record<Weight, LoadedFont[]> | undefined;

/** The fonts found, read once per process: by weight, in the order they are tried. */
function fonts(): Record<Weight, LoadedFont[]> {
  loaded ??= {
    regular: [load('Text', LATIN.regular), load('Text-CJK', CJK.regular)].filter((f): f is LoadedFont => f !== null),
    bold: [load('Text-Bold', LATIN.bold), load('Text-CJK-Bold', CJK.bold)].filter((f): f is LoadedFont => f !== null),
  };
  return loaded;
}

/** What the PDFs can write: which scripts have a font here. */
export function pdfFontCoverage(): { latin: boolean; cjk: boolean } {
  const all = [...fonts().regular, ...fonts().bold];
  return { latin: all.some((f) => f.name === 'Text'), cjk: all.some((f) => f.name === 'Text-CJK') };
}

/** Runs of text, each with the font that draws it. */
export function fontRuns(text: string, weight: Weight): Array<{ font: string; text: string }> {
  const chain = fonts()[weight];
  const fallback = chain[0]?.name ?? (weight === 'bold' ? 'Helvetica-Bold' : 'Helvetica');
  const runs: Array<{ font: string; text: string }> = [];
  for (const char of text) {
    const codePoint = char.codePointAt(0)!;
    const current = runs[runs.length - 1];
    // Spaces and line breaks stay with the run they are in.
    const font = /\s/.test(char) && current ? current.font : (chain.find((f) => f.has(codePoint))?.name ?? fallback);
    if (current && current.font === font) current.text += char;
    else runs.push({ font, text: char });
  }
  return runs;
}

/**
 * Unicode text on one PDF: `write` draws a string at the cursor (or at x, y), each run in the
 * font that has its characters, with pdfkit's options for the whole string.
 */
export function unicodeText(doc: PDFKit.PDFDocument) {
  // pdfkit takes a parsed fontkit font as it takes the file's bytes, and subsets it per document.
  for (const font of [...fonts().regular, ...fonts().bold]) doc.registerFont(font.name, font.font as unknown as Buffer);
  const base = (weight: Weight) => fonts()[weight][0]?.name ?? (weight === 'bold' ? 'Helvetica-Bold' : 'Helvetica');
  return {
    /** The main font of a weight, for measuring and for text known to be digits and punctuation. */
    font: (weight: Weight = 'regular') => doc.font(base(weight)),
    write(text: string, weight: Weight = 'regular', options: PDFKit.Mixins.TextOptions = {}, at?: { x: number; y: number }): PDFKit.PDFDocument {
      const runs = fontRuns(text, weight);
      if (runs.length === 0) runs.push({ font: base(weight), text: '' });
      runs.forEach((run, index) => {
        doc.font(run.font);
        const last = index === runs.length - 1;
        const runOptions = { ...options, continued: last ? (options.continued ?? false) : true };
        if (index === 0 && at) doc.text(run.text, at.x, at.y, runOptions);
        else doc.text(run.text, runOptions);
      });
      return doc.font(base(weight));
    },
  };
}
