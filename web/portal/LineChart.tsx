import "uplot/dist/uPlot.min.css";

import { useEffect, useRef } from "react";
import uPlot from "uplot";

export type Line = {
  label: string;
  values: readonly (number | null)[];
  /** Which axis: energy on the left, temperature on the right. */
  unit: "kWh" | "°F";
  color: string;
  dashed?: boolean;
};

type Props = {
  label: string;
  /** The x axis's points (an hour of the day, a day of the period), one per value. */
  x: readonly number[];
  /** What the x axis counts ("Hour", "Day"), and how one of its points reads. */
  xLabel: string;
  xName: (value: number) => string;
  lines: readonly Line[];
};

const HEIGHT = 260;
const SCALES = { kWh: "kwh", "°F": "temp" } as const;

/** Lines over a plain numeric axis with uPlot: an average day's hours, the days of two
 * billing periods laid over each other. */
export function LineChart({ label, x, xLabel, xName, lines }: Props) {
  const holder = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = holder.current;
    if (element === null) {
      return undefined;
    }
    const withTemperature = lines.some((line) => line.unit === "°F");
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 280),
      height: HEIGHT,
      scales: { x: { time: false }, kwh: { auto: true, range: (_u, _min, max) => [0, max] } },
      series: [
        { label: xLabel, value: (_u, v) => (v === null ? "—" : xName(v)) },
        ...lines.map((line) => ({
          label: line.label,
          scale: SCALES[line.unit],
          stroke: line.color,
          width: 2,
          spanGaps: true,
          points: { show: false },
          ...(line.dashed ? { dash: [6, 4] } : {}),
          value: (_u: uPlot, v: number | null) =>
            v === null ? "—" : `${line.unit === "kWh" ? v.toFixed(2) : Math.round(v)} ${line.unit}`,
        })),
      ],
      axes: [
        { stroke: "#4a5565", values: (_u, ticks) => ticks.map(xName) },
        { scale: "kwh", label: "kWh", stroke: "#4a5565" },
        ...(withTemperature
          ? [{ scale: "temp", label: "°F", side: 1, grid: { show: false }, stroke: "#4a5565" }]
          : []),
      ],
    };
    const data: uPlot.AlignedData = [[...x], ...lines.map((line) => [...line.values])];
    const plot = new uPlot(options, data, element);
    const resized = new ResizeObserver(() => {
      plot.setSize({ width: Math.max(element.clientWidth, 280), height: HEIGHT });
    });
    resized.observe(element);
    return () => {
      resized.disconnect();
      plot.destroy();
    };
  }, [x, xLabel, xName, lines]);

  return <div ref={holder} className="chart small" role="img" aria-label={label} />;
}
