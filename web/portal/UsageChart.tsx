import "uplot/dist/uPlot.min.css";

import { useEffect, useRef } from "react";
import uPlot from "uplot";

type Props = {
  label: string;
  timeZone: string;
  startsAt: readonly string[];
  kwh: readonly number[];
  temperatureF: readonly (number | null)[];
  bars: boolean;
};

const HEIGHT = 320;

/** Energy (bars by day, a line by hour) and temperature on a second axis, with uPlot. */
export function UsageChart({ label, timeZone, startsAt, kwh, temperatureF, bars }: Props) {
  const holder = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = holder.current;
    if (element === null) {
      return undefined;
    }
    const seconds = startsAt.map((at) => Date.parse(at) / 1000);
    const data: uPlot.AlignedData = [seconds, [...kwh], [...temperatureF]];
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 280),
      height: HEIGHT,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timeZone),
      cursor: { drag: { x: true, y: false } },
      scales: { kwh: { auto: true, range: (_u, _min, max) => [0, max] }, temp: { auto: true } },
      series: [
        {},
        {
          label: "Energy (kWh)",
          scale: "kwh",
          stroke: "#0b5a3c",
          fill: "rgba(11, 90, 60, 0.35)",
          width: bars ? 0 : 1,
          points: { show: false },
          ...(bars && uPlot.paths.bars ? { paths: uPlot.paths.bars({ size: [0.8, 24] }) } : {}),
          value: (_u, v) => (v === null ? "—" : `${v.toFixed(2)} kWh`),
        },
        {
          label: "Temperature (°F)",
          scale: "temp",
          stroke: "#b8461b",
          width: 2,
          spanGaps: true,
          value: (_u, v) => (v === null ? "—" : `${Math.round(v)} °F`),
        },
      ],
      axes: [
        { stroke: "#4a5565" },
        { scale: "kwh", label: "kWh", stroke: "#4a5565" },
        { scale: "temp", label: "°F", side: 1, grid: { show: false }, stroke: "#4a5565" },
      ],
    };
    const plot = new uPlot(options, data, element);
    const resized = new ResizeObserver(() => {
      plot.setSize({ width: Math.max(element.clientWidth, 280), height: HEIGHT });
    });
    resized.observe(element);
    return () => {
      resized.disconnect();
      plot.destroy();
    };
  }, [timeZone, startsAt, kwh, temperatureF, bars]);

  return <div ref={holder} className="chart" role="img" aria-label={label} />;
}
