// Finds the DejaVu fonts charts are drawn with: a configured directory, the copies shipped
// with Lookout, or the system's. Without fonts resvg silently draws no text, so a missing
// font is an error that says where Lookout looked.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LookoutError } from '../lib/errors.js';
import { packageRoot } from '../lib/version.js';

export interface FontFiles {
  readonly regular: string;
  readonly bold: string;
  readonly mono: string;
}

export const FONT_NAMES = {
  regular: 'DejaVuSans.ttf',
  bold: 'DejaVuSans-Bold.ttf',
  mono: 'DejaVuSansMono.ttf',
} as const;

/** Family names as the font files declare them (what SVG text must ask for). */
export const SANS_FAMILY = 'DejaVu Sans';
export const MONO_FAMILY = 'DejaVu Sans Mono';

export const SYSTEM_FONT_DIR = '/usr/share/fonts/truetype/dejavu';

/** Where Lookout looks: only `dir` when given; else its own copies, then the system's. */
export function fontSearchPath(dir?: string): string[] {
  if (dir) return [dir];
  const root = packageRoot();
  return [join(root, 'src', 'charts', 'fonts'), join(root, 'dist', 'charts', 'fonts'), SYSTEM_FONT_DIR];
}

/** The first directory holding all three fonts. Throws a {@link LookoutError} naming the places tried. */
export function resolveFontFiles(dir?: string): FontFiles {
  const tried = fontSearchPath(dir);
  for (const candidate of tried) {
    const files: FontFiles = {
      regular: join(candidate, FONT_NAMES.regular),
      bold: join(candidate, FONT_NAMES.bold),
      mono: join(candidate, FONT_NAMES.mono),
    };
    if ([files.regular, files.bold, files.mono].every((f) => existsSync(f))) return files;
  }
  throw new LookoutError(
    `Lookout cannot draw chart text: the DejaVu fonts (${Object.values(FONT_NAMES).join(', ')}) are not in ${tried.join(', ')}. ` +
      'Install the fonts-dejavu-core package or point the chart renderer at a directory holding them.',
  );
}
