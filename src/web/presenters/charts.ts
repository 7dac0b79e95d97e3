/**
 * Bar charts drawn on the server as SVG geometry (no script, no inline style: the strict CSP
 * holds). A chart is numbers for the view to place; every label and value is text the view
 * escapes. Each bar carries its value, so a reader (and a test) can check it against the API.
 */
export interface ChartSeries {
  name: string;
  /** A class for the bar's colour (chart-a, chart-b). */
  tone: string;
}

export interface ChartBar {
  x: number;
  y: number;
  width: number;
  height: number;
  value: number;
  text: string;
  tone: string;
  series: string;
}

export interface ChartGroup {
  label: string;
  labelX: number;
  bars: ChartBar[];
}

export interface BarChart {
  width: number;
  height: number;
  baseline: number;
  groups: ChartGroup[];
  series: ChartSeries[];
  /** The largest value, as text, for the axis. */
  maxText: string;
  empty: boolean;
}

const WIDTH = 720;
const HEIGHT = 200;
const LABELS = 28;
const TOP = 16;

/**
 * Grouped bars: one group per point (a week), one bar per series within it, all on one scale.
 * `format` writes a value as the page shows it (money, a count).
 */
export function barChart(points: ReadonlyArray<{ label: string; values: readonly number[] }>, series: readonly ChartSeries[], format: (value: number) => string): BarChart {
  const max = Math.max(0, ...points.flatMap((p) => p.values));
  const plot = HEIGHT - LABELS - TOP;
  const slot = points.length ? WIDTH / points.length : WIDTH;
  const gap = Math.min(12, slot * 0.2);
  const barWidth = Math.max(2, (slot - gap) / Math.max(1, series.length));
  const groups = points.map((point, i) => ({
    label: point.label,
    labelX: round(i * slot + slot / 2),
    bars: point.values.map((value, s) => {
      const height = max > 0 ? (value / max) * plot : 0;
      return { x: round(i * slot + gap / 2 + s * barWidth), y: round(TOP + plot - height), width: round(barWidth - 1), height: round(height), value, text: format(value), tone: series[s]!.tone, series: series[s]!.name };
    }),
  }));
  return { width: WIDTH, height: HEIGHT, baseline: TOP + plot, groups, series: [...series], maxText: format(max), empty: max === 0 };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
