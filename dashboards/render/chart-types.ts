/** One line: points are `[tMs, value]`, in time order. */
export interface ChartSeries {
  name: string;
  points: readonly (readonly [number, number])[];
}

/** A horizontal reference line (an SLO, a goal). */
export interface ChartThreshold {
  name: string;
  value: number;
}

export interface TimeSeriesChart {
  title: string;
  series: readonly ChartSeries[];
  thresholds?: readonly ChartThreshold[];
  /** Shown after the axis numbers and in the legend (`ms`, `USD/h`, `%`). */
  yUnit?: string;
}

export interface BarChart {
  title: string;
  bars: readonly { label: string; value: number }[];
  yUnit?: string;
}

export interface StatChart {
  title: string;
  value: number | null;
  yUnit?: string;
}

export interface TableChart {
  title: string;
  columns: readonly string[];
  rows: readonly (readonly string[])[];
}
